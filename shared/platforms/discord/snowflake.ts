/**
 * Discord ids are snowflakes: a 64-bit integer, as a decimal string, whose top
 * 42 bits are milliseconds since the Discord epoch (2015-01-01T00:00:00Z). An
 * id therefore says when its object (an interaction, a message) was made.
 */

/** The Discord epoch in Unix milliseconds. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/** A snowflake as Discord sends it: a decimal string of at most 20 digits. */
export const SNOWFLAKE = /^\d{1,20}$/;

/** When the object with this snowflake id was created. */
export function snowflakeDate(id: string): Date {
  if (!SNOWFLAKE.test(id)) throw new RangeError('not a Discord snowflake');
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS));
}

/** A snowflake made at `at`, with `low` in its lower 22 bits (worker, process, sequence): for tests and tools. */
export function snowflakeAt(at: Date, low = 0): string {
  return String(((BigInt(at.getTime()) - DISCORD_EPOCH_MS) << 22n) | BigInt(low));
}
