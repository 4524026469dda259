import { type CommunityConfig, ConfigError, parseCommunityConfig } from '../../shared/domain/config';
import { localMinute } from '../../shared/domain/time';
import { putCommunity } from '../../shared/store/communities';
import { lastDayOf } from '../../shared/workflows/calendar/challenges';
import { entryHour } from '../../shared/workflows/calendar/config';
import { calendarSweep, cancelEntryPosts } from '../../shared/workflows/calendar/decisions';
import { nextOccurrences, ruleProblem } from '../../shared/workflows/calendar/occurrences';
import { challengeStats } from '../../shared/workflows/calendar/store';
import { UsageError } from '../errors';
import { output, table } from '../output';
import type { Target } from '../target';
import { communityArg } from './standing';

/** What `calendar add` takes: one entry of the `calendar` section. */
export interface CalendarAddOptions {
  id?: string;
  template?: string;
  at?: string;
  rrule?: string;
  start?: string;
  skip?: string;
  until?: string;
  channel?: string;
  owner?: string;
  reminders?: string;
  reminderTemplate?: string;
}

/**
 * The calendar entries whose rule the recurrence library refuses, as a usage error naming the field: the
 * config's shape lets through what only the library can read (`community put` asks this too).
 */
export function refusedRule(config: CommunityConfig): UsageError | undefined {
  for (const [i, entry] of config.calendar.entries()) {
    const problem = ruleProblem(entry, config.timezone);
    if (problem) return new UsageError(`calendar.${i}.rrule: ${problem}`, { field: `calendar.${i}.rrule` });
  }
  return undefined;
}

/** Store `config` with `calendar` (or `challenges`) replaced, validated as `community put` validates a file. */
async function storeCalendar(
  target: Target,
  community: CommunityConfig,
  sections: { calendar?: unknown[]; challenges?: unknown[] },
): Promise<CommunityConfig> {
  let config: CommunityConfig;
  try {
    config = parseCommunityConfig({ ...community, ...sections });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message, { field: error.path });
    throw error;
  }
  const refused = refusedRule(config);
  if (refused) throw refused;
  await putCommunity(target.db, config, new Date());
  return config;
}

/** `calendar add <community> --id … --template … (--at … | --rrule … --start …)`. */
export async function calendarAdd(
  target: Target,
  communityId: string | undefined,
  options: CalendarAddOptions,
  json: boolean,
) {
  const community = await communityArg(target, communityId, 'calendar add');
  if (!options.id) throw new UsageError('calendar add needs --id <entry>', { field: 'id' });
  if (community.calendar.some((entry) => entry.id === options.id)) {
    throw new UsageError(`calendar entry "${options.id}" exists in ${community.id}: remove it first`, { field: 'id' });
  }
  const entry = Object.fromEntries(
    Object.entries({
      id: options.id,
      template: options.template,
      at: options.at,
      rrule: options.rrule,
      start: options.start,
      skip: options.skip ? options.skip.split(',').map((day) => day.trim()) : undefined,
      until: options.until,
      channel: options.channel,
      owner: options.owner,
      reminders: options.reminders ? options.reminders.split(',').map((offset) => offset.trim()) : undefined,
      reminderTemplate: options.reminderTemplate,
    }).filter(([, value]) => value !== undefined),
  );
  const config = await storeCalendar(target, community, { calendar: [...community.calendar, entry] });
  // Its posts of the coming hour or two queued now, as the job would at its next run (which would be late
  // for a post before then); ids make the job's own run find them taken.
  await calendarSweep(target.db, [config], new Date(), { asOf: true });
  const hour = entryHour(entry);
  // 01:00 to 03:00 is where DST changes fall: such a time may not exist one day a year, or happen twice.
  if (hour !== undefined && hour >= 1 && hour < 3) {
    process.stderr.write(
      `hearth: warning: ${options.id} posts between 01:00 and 03:00, where DST changes fall in many zones: a recurring post is skipped on a day that time does not exist, and goes once on a day it happens twice\n`,
    );
  }
  const next = nextOccurrences(
    config.calendar.filter((e) => e.id === options.id),
    config.timezone,
    new Date(),
    3,
  );
  output(json, { stored: options.id, next: next.map((o) => ({ at: o.at.toISOString(), local: o.local })) }, () =>
    [
      `added ${options.id} to ${config.id}'s calendar`,
      ...next.map((o) => `  next: ${o.local} (${o.at.toISOString()})`),
    ].join('\n'),
  );
}

/** `calendar remove <community> <entry>`: the entry goes, and its posts not yet sent are cancelled. */
export async function calendarRemove(target: Target, communityId: string | undefined, entryId: string, json: boolean) {
  const community = await communityArg(target, communityId, 'calendar remove');
  if (!community.calendar.some((entry) => entry.id === entryId)) {
    throw new UsageError(`no calendar entry "${entryId}" in ${community.id}`, { field: 'entry' });
  }
  await storeCalendar(target, community, { calendar: community.calendar.filter((entry) => entry.id !== entryId) });
  const cancelled = await cancelEntryPosts(target.db, community.id, entryId, new Date());
  output(
    json,
    { removed: entryId, cancelled },
    () => `removed ${entryId} from ${community.id}'s calendar; ${cancelled} pending posts cancelled`,
  );
}

/** `calendar list <community>`: the entries, and the check-in challenges. */
export async function calendarList(target: Target, communityId: string | undefined, json: boolean) {
  const community = await communityArg(target, communityId, 'calendar list');
  const entries = () =>
    community.calendar.length === 0
      ? `${community.id} has no calendar entries (hearth calendar add ${community.id} --id … --template … --at …)`
      : table([
          ['entry', 'template', 'when', 'channel', 'owner'],
          ...community.calendar.map((e) => [
            e.id,
            e.template,
            e.at ??
              `${e.rrule} from ${e.start}${e.until ? ` until ${e.until}` : ''}${e.skip.length ? `, skipping ${e.skip.join(' ')}` : ''}`,
            e.channel ?? '(default)',
            e.owner ?? '',
          ]),
        ]);
  const challenges = () =>
    community.challenges.length === 0
      ? []
      : [
          '',
          table([
            ['challenge', 'days', 'prompt', 'check in with', 'points', 'owner'],
            ...community.challenges.map((c) => [
              c.id,
              `${c.start} to ${lastDayOf(c)} (${c.days})`,
              `${String(c.hour).padStart(2, '0')}:00`,
              c.keyword ? `/checkin, "${c.keyword}"` : '/checkin',
              String(c.points),
              c.owner ?? '',
            ]),
          ]),
        ];
  // With --json, the entries as before (an array) when there are no challenges, else both sections.
  output(
    json,
    community.challenges.length
      ? { calendar: community.calendar, challenges: community.challenges }
      : community.calendar,
    () => [entries(), ...challenges()].join('\n'),
  );
}

/** What `calendar challenge add` takes: one entry of the `challenges` section. */
export interface ChallengeAddOptions {
  id?: string;
  start?: string;
  days?: string;
  hour?: string;
  keyword?: string;
  channel?: string;
  owner?: string;
  points?: string;
  template?: string;
}

/** A whole-number option, as a number (the config's schema checks its range and names the field). */
function wholeNumber(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${field} must be a whole number, got "${value}"`, { field });
  return Number(value);
}

/** `calendar challenge add <community> --id … --start … --days …`: a check-in challenge. */
export async function challengeAdd(
  target: Target,
  communityId: string | undefined,
  options: ChallengeAddOptions,
  json: boolean,
) {
  const community = await communityArg(target, communityId, 'calendar challenge add');
  if (community.challenges.some((c) => c.id === options.id)) {
    throw new UsageError(`challenge "${options.id}" exists in ${community.id}: remove it first`, { field: 'id' });
  }
  const challenge = Object.fromEntries(
    Object.entries({
      id: options.id,
      start: options.start,
      days: wholeNumber(options.days, 'days'),
      hour: wholeNumber(options.hour, 'hour'),
      keyword: options.keyword,
      channel: options.channel,
      owner: options.owner,
      points: wholeNumber(options.points, 'points'),
      template: options.template,
    }).filter(([, value]) => value !== undefined),
  );
  const config = await storeCalendar(target, community, { challenges: [...community.challenges, challenge] });
  // Its prompt of the coming hour or two queued now, as `calendar add` does for a post.
  await calendarSweep(target.db, [config], new Date(), { asOf: true });
  const stored = config.challenges.find((c) => c.id === options.id);
  if (!stored) throw new Error(`challenge ${options.id} was not stored`);
  output(json, { stored: stored.id, start: stored.start, last: lastDayOf(stored), hour: stored.hour }, () =>
    [
      `added challenge ${stored.id} to ${config.id}: ${stored.days} days, ${stored.start} to ${lastDayOf(stored)}`,
      `  a prompt each day at ${String(stored.hour).padStart(2, '0')}:00 (${config.timezone}); members check in with /checkin${stored.keyword ? ` or a message with "${stored.keyword}"` : ''}`,
    ].join('\n'),
  );
}

/** `calendar challenge remove <community> <challenge>`: it goes, and its prompts not yet sent are cancelled. */
export async function challengeRemove(target: Target, communityId: string | undefined, id: string, json: boolean) {
  const community = await communityArg(target, communityId, 'calendar challenge remove');
  if (!community.challenges.some((c) => c.id === id)) {
    throw new UsageError(`no challenge "${id}" in ${community.id}`, { field: 'challenge' });
  }
  await storeCalendar(target, community, { challenges: community.challenges.filter((c) => c.id !== id) });
  const cancelled = await cancelEntryPosts(target.db, community.id, id, new Date());
  output(
    json,
    { removed: id, cancelled },
    () =>
      `removed challenge ${id} from ${community.id}; ${cancelled} pending prompts cancelled (check-ins made are kept)`,
  );
}

/** `calendar challenge show <community> <challenge>`: how it is going. */
export async function challengeShow(target: Target, communityId: string | undefined, id: string, json: boolean) {
  const community = await communityArg(target, communityId, 'calendar challenge show');
  const challenge = community.challenges.find((c) => c.id === id);
  if (!challenge) throw new UsageError(`no challenge "${id}" in ${community.id}`, { field: 'challenge' });
  const stats = await challengeStats(target.db, community.id, challenge, 10);
  const rate = stats.participants ? Math.round((100 * stats.completed) / stats.participants) : 0;
  output(json, stats, () =>
    [
      `${stats.id}: ${stats.days} days from ${stats.start}; ${stats.participants} participants, ${stats.completed} completed (${rate}%)`,
      ...(stats.longest.length
        ? [table([['member', 'longest streak'], ...stats.longest.map((l) => [l.memberId, `${l.best} days`])])]
        : []),
    ].join('\n'),
  );
}

/** `calendar preview <community> [--from <ISO time>] [--next N]`: the next posts, local and UTC. */
export async function calendarPreview(
  target: Target,
  communityId: string | undefined,
  options: { from?: string; next?: string },
  json: boolean,
) {
  const community = await communityArg(target, communityId, 'calendar preview');
  const from = options.from === undefined ? new Date() : new Date(options.from);
  if (Number.isNaN(from.getTime()))
    throw new UsageError(`--from must be an ISO 8601 time, got "${options.from}"`, { field: 'from' });
  const count = options.next === undefined ? 10 : Number(options.next);
  if (!Number.isInteger(count) || count < 1 || count > 500) {
    throw new UsageError(`--next must be a whole number from 1 to 500, got "${options.next}"`, { field: 'next' });
  }
  const next = nextOccurrences(community.calendar, community.timezone, from, count);
  output(
    json,
    next.map((o) => ({
      entry: o.entry,
      at: o.at.toISOString(),
      local: o.local,
      ...(o.reminder ? { reminder: o.reminder } : {}),
    })),
    () =>
      next.length === 0
        ? `no posts in ${community.id}'s calendar after ${localMinute(from, community.timezone)} (${community.timezone})`
        : table([
            ['entry', `local (${community.timezone})`, 'UTC'],
            ...next.map((o) => [
              o.reminder ? `${o.entry} (reminder ${o.reminder})` : o.entry,
              o.local.replace('T', ' '),
              o.at.toISOString().slice(0, 16).replace('T', ' '),
            ]),
          ]),
  );
}
