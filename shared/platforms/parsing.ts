import { type InboundEvent, inboundEventSchema, MAX_FUTURE_SKEW_MS } from '../domain/events';
import { describeZodError, firstZodPath, type PathName } from '../domain/validation';
import * as z from '../domain/zod';
import { badRequest } from '../runtime/errors';

/**
 * The steps every platform's parser shares: read the body as JSON (bounded in
 * depth), hold it to the platform's schema (bounded in length and range), and
 * turn what it says into canonical events. Each fails with 400 naming the
 * field as the platform names it, never a 500: nothing a sender can put in a
 * body (a depth, a length, a number no Date can hold, a time in the future)
 * reaches code that would throw anything but `badRequest`.
 */

/** No platform nests its payloads this deep; a body that does is refused before any schema walks it. */
export const MAX_JSON_DEPTH = 32;

/** The raw body as JSON; 400 `(body)` when it is not, or nests deeper than `MAX_JSON_DEPTH`. */
export function jsonBody(rawBody: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(rawBody);
  } catch {
    throw badRequest('body is not valid JSON', '(body)');
  }
  if (deeperThan(value, MAX_JSON_DEPTH)) {
    throw badRequest(`body nests deeper than ${MAX_JSON_DEPTH} levels`, '(body)');
  }
  return value;
}

/** Whether a parsed JSON value nests deeper than `limit` (walked without recursion). */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

/** `value` held to `schema`; 400 naming the first bad field (under `prefix`, e.g. `event.`). */
export function expectShape<S extends z.ZodMiniType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const name: PathName = (path) => (path === '(root)' && prefix ? prefix.replace(/\.$/, '') : `${prefix}${path}`);
    throw badRequest(describeZodError(result.error, name), firstZodPath(result.error, name));
  }
  return result.data;
}

/** The latest instant a JavaScript Date can hold, in ms since the epoch (year 275760). */
const MAX_DATE_MS = 8_640_000_000_000_000;
const NOT_A_TIME = 'is not a time a date can hold';

/** Unix seconds as a platform sends them (Slack `event_time`, Telegram `date`): whole, and a time a Date holds. */
export const unixSeconds = z.number().check(z.int(), z.nonnegative(), z.maximum(MAX_DATE_MS / 1000, NOT_A_TIME));
/** Unix milliseconds (DingTalk `createAt`). */
export const unixMillis = z.number().check(z.int(), z.nonnegative(), z.maximum(MAX_DATE_MS, NOT_A_TIME));
/** Unix seconds written as digits (WeCom `CreateTime`). */
export const unixSecondsText = z.string().check(
  z.regex(/^\d{1,16}$/, 'must be Unix seconds'),
  z.refine((text) => Number(text) <= MAX_DATE_MS / 1000, NOT_A_TIME),
);
/** Unix milliseconds written as digits (Feishu `create_time`). */
export const unixMillisText = z.string().check(
  z.regex(/^\d{1,16}$/, 'must be Unix milliseconds'),
  z.refine((text) => Number(text) <= MAX_DATE_MS, NOT_A_TIME),
);

/** An instant from Unix seconds or milliseconds already held to the schemas above. */
export const secondsToIso = (seconds: number | string): string => new Date(Number(seconds) * 1000).toISOString();
export const millisToIso = (millis: number | string): string => new Date(Number(millis)).toISOString();

/**
 * Where the fields of a canonical event came from in the platform's body
 * (`{ id: 'event_id', 'member.id': 'event.user' }`), so that a value Hearth
 * refuses is named as the platform names it. A path not listed is named by
 * its longest listed prefix (`member.name` by `member`'s source), else as it is.
 */
export type FieldSources = Readonly<Record<string, string>>;

/** The platform's name for a canonical field. */
export function sourceOf(path: string, fields: FieldSources): string {
  for (let cut = path; cut; cut = cut.includes('.') ? cut.slice(0, cut.lastIndexOf('.')) : '') {
    const source = fields[cut];
    if (source !== undefined) return source;
  }
  return path;
}

/** What a platform said, before it is held to the canonical schema: the event, and where its fields came from. */
export interface RawEvent {
  event: Record<string, unknown>;
  fields: FieldSources;
}

/**
 * Canonical events from what a platform said, at `now` (the time of receipt):
 * 400 when one does not validate or happened more than 5 minutes in the future
 * (docs/contract.md, for every platform: a clock that is wrong must not move a
 * member's last active day into the future for good), naming the platform's field.
 */
export function canonicalEvents(raw: readonly RawEvent[], now: Date): InboundEvent[] {
  return raw.map(({ event, fields }) => {
    const name: PathName = (path) => sourceOf(path, fields);
    const result = inboundEventSchema.safeParse(event);
    if (!result.success) throw badRequest(describeZodError(result.error, name), firstZodPath(result.error, name));
    assertNotInFuture(result.data, now, name('occurredAt'));
    return result.data;
  });
}

/** 400 naming `field` when `event` happened more than `MAX_FUTURE_SKEW_MS` after `now`. */
export function assertNotInFuture(event: InboundEvent, now: Date, field = 'occurredAt'): void {
  if (Date.parse(event.occurredAt) - now.getTime() > MAX_FUTURE_SKEW_MS) {
    throw badRequest(`${field} is more than 5 minutes in the future`, field);
  }
}
