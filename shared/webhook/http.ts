import type { Context } from 'aws-lambda';
import { type HttpEvent, type HttpResult, httpHandler } from '../runtime/handler';
import { logger } from '../runtime/observability';
import { handleWebhook, type PipelineDeps } from './pipeline';

/**
 * The webhook as an API Gateway (HTTP API, payload v2) handler. The Lambda and
 * the local HTTP server both call this, with their own dependencies.
 */
export function createWebhookHandler(deps: PipelineDeps, clock: () => Date = () => new Date()) {
  return httpHandler(async (event: HttpEvent, _context: Context): Promise<HttpResult> => {
    const rawBody =
      event.body === undefined
        ? ''
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
    const request = {
      platform: event.pathParameters?.platform ?? '',
      communityId: event.pathParameters?.communityId ?? '',
      method: event.requestContext.http.method,
      // HTTP API v2 already lower-cases header names.
      headers: event.headers ?? {},
      query: event.queryStringParameters ?? {},
      rawBody,
    };
    const outcome = await handleWebhook(deps, request, clock());
    logger.info('webhook accepted', {
      platform: request.platform,
      communityId: request.communityId,
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
    });
    const { reply } = outcome;
    return {
      statusCode: reply.statusCode,
      headers: { 'content-type': reply.contentType ?? 'text/plain' },
      body: reply.body,
    };
  });
}
