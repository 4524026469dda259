/**
 * How the relay reports: a level, a fixed message, and fields that are ids,
 * counts and status codes only. Message text, tokens, secrets and signatures
 * are never passed in.
 */
export type RelayLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** A log that drops everything (tests, library use). */
export const silentLog: RelayLog = () => undefined;

/** One JSON object a line on `stream` (stderr for the CLI, so stdout stays free). */
export function jsonLineLog(stream: NodeJS.WritableStream): RelayLog {
  return (level, message, fields = {}) => {
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
  };
}
