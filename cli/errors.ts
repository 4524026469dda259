/** Bad input: the CLI prints the message (which names the field) and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
