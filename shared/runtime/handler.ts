import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { HearthError } from './errors';
import { logger, metrics } from './observability';

/**
 * The one way handlers are built: middy with the Powertools logger and metrics
 * middlewares and a single error mapper. HTTP handlers map errors to replies
 * (below 500 the message is exposed, above it the caller sees a generic error
 * and the log gets everything); other handlers rethrow, so Lambda's retries and
 * dead-letter queue see the failure.
 */

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** The JSON reply for an error; exported for the local server's own early rejections. */
export function errorReply(error: unknown): HttpResult {
  if (error instanceof HearthError && error.code === 'unavailable') {
    // Nothing secret in it, and the sender should come back: platforms retry a 503.
    const reply = json(503, { error: error.code, message: error.message });
    return { ...reply, headers: { ...reply.headers, 'retry-after': '5' } };
  }
  if (error instanceof HearthError && error.statusCode < 500) {
    return json(error.statusCode, {
      error: error.code,
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
    });
  }
  logger.error('request failed', { error: error as Error });
  return json(500, { error: 'internal', message: 'internal error' });
}

/** A JSON reply. */
export function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * Never the whole event in the log, whatever POWERTOOLS_LOGGER_LOG_EVENT says: a webhook's event carries its
 * signature headers and the members' message text, a job's nothing worth the risk.
 */
const CONTEXT_ONLY = { logEvent: false } as const;

/** Build an HTTP (API Gateway v2) handler. */
export function httpHandler(fn: (event: HttpEvent, context: Context) => Promise<HttpResult>) {
  return middy<HttpEvent, HttpResult>()
    .use(injectLambdaContext(logger, CONTEXT_ONLY))
    .use(logMetrics(metrics))
    .use({
      // One metric every invocation, so the buffer is never empty when it is flushed.
      before: async () => {
        metrics.addMetric('Requests', MetricUnit.Count, 1);
      },
      onError: async (request) => {
        request.response = errorReply(request.error);
      },
    })
    .handler(fn);
}

/** Build a handler for asynchronous invocations (bus rules, schedules). */
export function jobHandler<E, R>(fn: (event: E, context: Context) => Promise<R>) {
  return middy<E, R>()
    .use(injectLambdaContext(logger, CONTEXT_ONLY))
    .use(logMetrics(metrics))
    .use({
      before: async () => {
        metrics.addMetric('Runs', MetricUnit.Count, 1);
      },
    })
    .handler(fn);
}
