import type * as z from 'zod';
import { type InboundEvent, inboundEventSchema } from '../domain/events';
import { describeZodError, firstZodPath } from '../domain/validation';
import { badRequest } from '../runtime/errors';

/**
 * The steps every platform's parser shares: read the body as JSON, hold it to
 * the platform's schema, and turn what it says into canonical events. Each
 * fails with 400 naming the field.
 */

/** The raw body as JSON; 400 `(body)` when it is not. */
export function jsonBody(rawBody: string): unknown {
  try {
    return JSON.parse(rawBody);
  } catch {
    throw badRequest('body is not valid JSON', '(body)');
  }
}

/** `value` held to `schema`; 400 naming the first bad field (under `prefix`, e.g. `event.`). */
export function expectShape<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(describeZodError(result.error), `${prefix}${firstZodPath(result.error)}`);
  return result.data;
}

/** Canonical events from what a platform said; 400 when one does not validate. */
export const canonicalEvents = (raw: readonly unknown[], prefix = ''): InboundEvent[] =>
  raw.map((event) => expectShape(inboundEventSchema, event, prefix));
