import { isTimeZone } from './time';
import * as z from './zod';

/** Ids that become part of table keys: no `#`, no control characters, bounded. */
export const idSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[^#\s\p{Cc}]+$/u, 'must not contain "#", spaces or control characters'),
  );

/** A secret in a config: a literal (local runs) or `ssm:<parameter name>` (AWS), resolved at runtime. */
export const secretSchema = z.string().check(z.minLength(1));

/** An absolute URL. */
export const urlSchema = z.url();

/** A local time of day, HH:MM. */
export const hhmmSchema = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'));

/** Where a message to a member goes: the community's channel or a direct message. */
export const deliverySchema = z.enum(['channel', 'dm']);

/** A template name: dotted camelCase words. */
export const templateNameSchema = z
  .string()
  .check(
    z.regex(
      /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/,
      'must be a template name such as welcome or onboarding.introduce',
    ),
  );

/** An IANA time zone name that this runtime knows. */
export const timeZoneSchema = z.string().check(z.refine(isTimeZone, 'must be an IANA time zone'));

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A birthday as "MM-DD" or "YYYY-MM-DD"; 02-29 is a valid birthday. */
export const birthdaySchema = z.string().check(
  z.regex(/^(\d{4}-)?\d{2}-\d{2}$/, 'must be MM-DD or YYYY-MM-DD'),
  z.refine((value) => {
    const [month, day] = value.slice(-5).split('-').map(Number);
    return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1];
  }, 'is not a calendar date'),
);

/** Where an issue is: its path, and for an unknown key the key itself. */
function issuePath(issue: z.core.$ZodIssue): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  return path.length ? path.join('.') : '(root)';
}

/** How an issue's path is shown: as it is, or renamed (a platform's name for the field Hearth validated). */
export type PathName = (path: string) => string;
const asIs: PathName = (path) => path;

/** A zod error as one line that names the path of each bad field. */
export function describeZodError(error: z.core.$ZodError, name: PathName = asIs): string {
  return error.issues.map((issue) => `${name(issuePath(issue))}: ${issue.message}`).join('; ');
}

/** The path of the first bad field, for machine-readable error bodies. */
export function firstZodPath(error: z.core.$ZodError, name: PathName = asIs): string {
  const issue = error.issues[0];
  return issue ? name(issuePath(issue)) : '(root)';
}
