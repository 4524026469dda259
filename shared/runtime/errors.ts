/**
 * One error family. Below 500 the message is safe to show the caller; the
 * error mapper in `handler.ts` hides everything else behind a generic reply.
 */

export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'not_found'
  | 'payload_too_large'
  | 'method_not_allowed'
  | 'conflict'
  | 'unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  internal: 500,
  unavailable: 503,
};

/** Base error: a typed code, its HTTP status, and the field at fault where there is one. */
export class HearthError extends Error {
  override name = 'HearthError';
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.statusCode = STATUS[code];
  }
}

/** 400: the request is malformed; `field` names what is wrong. */
export const badRequest = (message: string, field?: string) => new HearthError('bad_request', message, field);
/** 401: a signature or token is missing, wrong or stale; `field` names the header or field that carries it. */
export const unauthorized = (message: string, field: string) => new HearthError('unauthorized', message, field);
/** 503: the same delivery is being applied right now; the sender should retry shortly. */
export const inFlight = (message: string) => new HearthError('unavailable', message);
/** 404: no such community or platform (`field`: which of the path's parts). */
export const notFound = (message: string, field: string) => new HearthError('not_found', message, field);
