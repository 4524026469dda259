/** Bad input: the CLI prints the message (which names the field) and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The field at fault, where one is known (a config's path), for `--json`. */
  readonly field?: string;

  constructor(message: string, options: { field?: string } = {}) {
    super(message);
    if (options.field) this.field = options.field;
  }
}
