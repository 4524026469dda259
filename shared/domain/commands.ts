import type { Command } from './events';
import { birthdaySchema, timeZoneSchema } from './validation';

/**
 * Member commands: `/birthday MM-DD`, `/timezone Area/City`, `/optout`,
 * `/optin`, `/invite`, `/points`, `/help`. Where a platform gives an app one
 * slash command (Slack), `/hearth birthday 03-14` says the same. Telegram's
 * `/start` (the first thing a member sends a bot) is answered with the help.
 * Commands Hearth does not know belong to someone else (another bot in the
 * group) and get no answer.
 *
 * A command that names a bot (`/start@OtherBot`, Telegram's way in a group
 * with several bots) is Hearth's only when it names Hearth's bot. Without the
 * bot's username configured, Hearth cannot tell, so it takes only the names no
 * other bot is likely to use, never the generic `/start` and `/help`.
 */

export const COMMAND_NAMES = ['birthday', 'timezone', 'optout', 'optin', 'invite', 'points', 'help'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** What a command asks for, its argument checked. */
export type CommandAction =
  | { kind: 'birthday'; birthday: string }
  | { kind: 'timezone'; timezone: string }
  | { kind: 'optout' }
  | { kind: 'optin' }
  | { kind: 'invite' }
  | { kind: 'points' }
  | { kind: 'help' }
  /** A known command with a bad or missing argument: the reply says what is expected. */
  | { kind: 'usage'; command: 'birthday' | 'timezone' };

const ALIASES: Record<string, CommandName> = { start: 'help', opt_out: 'optout', opt_in: 'optin', tz: 'timezone' };

/** Names taken as Hearth's when a command names a bot and Hearth's own username is not known. */
const HEARTH_SPECIFIC: ReadonlySet<string> = new Set([
  'hearth',
  'birthday',
  'timezone',
  'optout',
  'optin',
  'invite',
  'points',
]);

/** How to tell Hearth's commands from other bots'. */
export interface InterpretOptions {
  /** Hearth's bot username without the `@` (Telegram's `platform.botUsername`), compared case-insensitively. */
  botUsername?: string;
}

/**
 * The action a command asks for, or undefined when it is not addressed to
 * Hearth: a name Hearth does not know, or a command naming another bot (see
 * the module comment for a named bot when `botUsername` is not given).
 */
export function interpretCommand(command: Command, options: InterpretOptions = {}): CommandAction | undefined {
  if (!isForHearth(command, options.botUsername)) return undefined;
  let { name, args } = command;
  const addressed = name === 'hearth';
  if (addressed) {
    [name = 'help', ...args] = args.map((arg, i) => (i === 0 ? arg.toLowerCase() : arg));
  }
  const known = (COMMAND_NAMES as readonly string[]).includes(name) ? (name as CommandName) : ALIASES[name];
  switch (known) {
    case 'birthday': {
      const parsed = birthdaySchema.safeParse(args[0]);
      return parsed.success && args.length === 1
        ? { kind: 'birthday', birthday: parsed.data }
        : { kind: 'usage', command: 'birthday' };
    }
    case 'timezone': {
      const zone = args.length === 1 ? canonicalZone(args[0]) : undefined;
      return zone ? { kind: 'timezone', timezone: zone } : { kind: 'usage', command: 'timezone' };
    }
    case undefined:
      // `/hearth something-else` is for Hearth all the same: it answers with what it understands.
      return addressed ? { kind: 'help' } : undefined;
    default:
      return { kind: known };
  }
}

/** Whether a command that may name a bot is Hearth's to answer. */
export function isForHearth({ name, addressee }: Command, botUsername: string | undefined): boolean {
  if (addressee === undefined) return true;
  if (botUsername) return addressee.toLowerCase() === botUsername.toLowerCase();
  return HEARTH_SPECIFIC.has(name);
}

/** The IANA name as the runtime spells it (`europe/berlin` → `Europe/Berlin`), or undefined when unknown. */
function canonicalZone(zone: string): string | undefined {
  // A name, not an offset such as `+08:00` (which has no daylight saving rules).
  if (!/^[A-Za-z]/.test(zone) || !timeZoneSchema.safeParse(zone).success) return undefined;
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}
