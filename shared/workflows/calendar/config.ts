import { isDay } from '../../domain/time';
import { templateNameSchema } from '../../domain/validation';
import * as z from '../../domain/zod';

/** A local day, `YYYY-MM-DD`, that is a date. */
export const daySchema = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD'), z.refine(isDay, 'is not a date'));

/** A local date-time, `YYYY-MM-DDTHH:mm`, in the community's zone. */
export const localDateTimeSchema = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/, 'must be a local date-time, YYYY-MM-DDTHH:mm'),
  z.refine((value) => isDay(value.slice(0, 10)), 'is not a date'),
);

/**
 * The RRULE parts a post's recurrence may use (RFC 5545 §3.3.10), with a time of day: `BYHOUR` is required
 * (a rule without one would post at midnight, the start day's time). No DTSTART (the entry's `start` is the
 * day it applies from), no UNTIL or COUNT (its `until` is the last day), and no rule more often than daily:
 * a community's calendar posts are a few a week, not a stream. This is the shape only; the recurrence
 * library reads the rule where posts are planned (`occurrences.ts`, the sweeps and the CLI), and
 * `hearth calendar add` refuses a rule it cannot read.
 */
const RRULE_PART =
  /^(FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)|INTERVAL=\d{1,3}|BYHOUR=\d{1,2}|BYMINUTE=\d{1,2}|BYDAY=[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)(,[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU))*|BYMONTHDAY=-?\d{1,2}(,-?\d{1,2})*|BYMONTH=\d{1,2}(,\d{1,2})*|BYSETPOS=-?\d{1,3}(,-?\d{1,3})*|WKST=(MO|TU|WE|TH|FR|SA|SU))$/;
export const rruleSchema = z.string().check(
  z.maxLength(200),
  z.refine((rule) => rule.split(';').every((part) => RRULE_PART.test(part)), {
    message:
      'must be an RRULE of FREQ (DAILY, WEEKLY, MONTHLY or YEARLY), INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST, BYHOUR and BYMINUTE, such as FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0',
  }),
  z.refine((rule) => /(^|;)FREQ=/.test(rule), 'must name its FREQ'),
  z.refine(
    (rule) => /(^|;)BYHOUR=\d{1,2}(;|$)/.test(rule),
    'must name the hour it posts at (BYHOUR, and BYMINUTE unless on the hour)',
  ),
  z.refine(
    (rule) => new Set(rule.split(';').map((part) => part.split('=')[0])).size === rule.split(';').length,
    'must name each part once',
  ),
  z.refine(
    (rule) => !/BYHOUR=(\d+)/.test(rule) || Number(/BYHOUR=(\d+)/.exec(rule)?.[1]) <= 23,
    'BYHOUR must be one hour, 0 to 23',
  ),
  z.refine(
    (rule) => !/BYMINUTE=(\d+)/.test(rule) || Number(/BYMINUTE=(\d+)/.exec(rule)?.[1]) <= 59,
    'BYMINUTE must be one minute, 0 to 59',
  ),
);

/** An entry id: it names the entry in the CLI and in each of its posts' outbox ids. */
export const entryIdSchema = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1 to 40 lowercase letters, digits and dashes'));

/**
 * A reminder's offset before its event, an ISO 8601 duration with a minus sign: `-P1D` (the same local time
 * the day before), `-PT1H`, `-P2DT30M`. Days count on the calendar, so a day before a DST change is still
 * the same wall-clock time; hours and minutes are elapsed time.
 */
export const REMINDER = /^-P(?:(\d{1,2})D)?(?:T(?:(\d{1,2})H)?(?:(\d{1,2})M)?)?$/;
const reminderSchema = z.string().check(
  z.regex(REMINDER, 'must be a duration before the event, such as -P1D or -PT1H'),
  z.refine(
    (offset) => offset !== '-P' && offset !== '-PT' && /[1-9]/.test(offset),
    'must be some time before the event',
  ),
);

/** One entry of the operations calendar: a post at one local date-time, or on a recurrence. */
const entrySchema = z.strictObject({
  id: entryIdSchema,
  /** The text posted: the community's own (under `templates.<locale>`), in each of its locales. */
  template: templateNameSchema,
  /** Channel for the post; absent means the platform's default channel. */
  channel: z.optional(z.string().check(z.minLength(1))),
  /** The operator responsible for it, named in the digest. */
  owner: z.optional(z.string().check(z.minLength(1), z.maxLength(80))),
  /** One post at this local date-time (the community's zone). */
  at: z.optional(localDateTimeSchema),
  /** Or a post at each occurrence of this rule, in the community's zone, from `start`. */
  rrule: z.optional(rruleSchema),
  /** The local day the rule applies from. */
  start: z.optional(daySchema),
  /** Local days on which the rule posts nothing. */
  skip: z._default(z.array(daySchema).check(z.maxLength(100)), []),
  /** The last local day the rule may post on. */
  until: z.optional(daySchema),
  /** A campaign: reminders of a one-off post (`at`) at these offsets before it, each posted once. */
  reminders: z._default(
    z.array(reminderSchema).check(
      z.maxLength(5),
      z.refine((offsets) => new Set(offsets).size === offsets.length, 'must not repeat an offset'),
    ),
    [],
  ),
  /** The text of the reminders (default: the post's own). */
  reminderTemplate: z.optional(templateNameSchema),
});

/** The `calendar` section: the community's scheduled posts. */
export const calendarSchema = z._default(
  z.array(entrySchema).check(
    z.maxLength(100),
    z.refine((entries) => new Set(entries.map((e) => e.id)).size === entries.length, 'must not repeat an entry id'),
  ),
  [],
);

export type CalendarEntry = z.infer<typeof entrySchema>;

/** The local hour an entry posts at (its `at`'s, or its rule's `BYHOUR`), where it names one. */
export function entryHour(entry: { at?: string; rrule?: string }): number | undefined {
  const hour = entry.at ? entry.at.slice(11, 13) : /(?:^|;)BYHOUR=(\d+)/.exec(entry.rrule ?? '')?.[1];
  return hour === undefined ? undefined : Number(hour);
}
