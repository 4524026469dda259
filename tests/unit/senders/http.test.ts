import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, PlatformError, retryAfterBodyMs, retryAfterHeaderMs } from '../../../shared/chat/http';
import { RetryLaterError, UndeliverableError, withSendDeadline } from '../../../shared/chat/sender';
import { FakePlatformApi, type FakeReply, fakeTime, serverError } from '../../support/fake-platform-apis';

const TOKEN = '123456:AAF-secret-token-xyz';

let api: FakePlatformApi;
beforeAll(async () => {
  api = await FakePlatformApi.start(() => ({ status: 200, body: { ok: true, echo: 'fine' } }));
});
afterAll(() => api.close());
beforeEach(() => api.reset());

function client(time = fakeTime(), options: { maxWaitMs?: number; attempts?: number; timeoutMs?: number } = {}) {
  return new HttpClient('acme', { now: time.now, sleep: time.sleep, ...options });
}

/** A request whose URL carries the token in the path and the query, as Telegram and WeCom do. */
const post = (body: unknown = { text: 'hello Ada' }) => ({
  method: 'POST' as const,
  url: `${api.baseUrl}/bot${TOKEN}/send?key=${TOKEN}`,
  headers: { authorization: `Bearer ${TOKEN}` },
  body,
  what: 'send',
  secrets: [TOKEN],
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('Module: shared/chat/http', () => {
  describe('Class: HttpClient', () => {
    it('starts no try with less than a second left before the send’s deadline', async () => {
      // Act
      const error = await failure(withSendDeadline(500, () => client().request(post())));

      // Assess
      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.message).toBe('acme: send not tried, out of time for this run');
      expect((error as RetryLaterError).attempted).toBe(false);
      expect(api.requests).toHaveLength(0);
    });

    it('gives up a 5xx at once when the backoff would run past the send’s deadline', async () => {
      // Prepare
      api.script(serverError(503));
      const time = fakeTime();

      // Act: 1.2 s left, so the 0.5 s backoff would leave less than a second for the next try.
      const error = await failure(withSendDeadline(1_200, () => client(time).request(post())));

      // Assess
      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.message).toBe('acme: send failed (HTTP 503) after 1 tries');
      expect((error as RetryLaterError).attempted).toBe(true);
      expect(api.requests).toHaveLength(1);
      expect(time.sleeps).toEqual([]);
    });

    it('posts JSON with the given headers and returns the parsed answer', async () => {
      // Act
      const response = await client().request(post({ text: 'hello Ada', n: 1 }));

      // Assess
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ok: true, echo: 'fine' });
      expect(api.requests).toHaveLength(1);
      const [request] = api.requests;
      expect(request.method).toBe('POST');
      expect(request.path).toBe(`/bot${TOKEN}/send`);
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(request.body).toEqual({ text: 'hello Ada', n: 1 });
    });

    it.each<[string, FakeReply, number]>([
      ['a Retry-After header (seconds)', { status: 429, headers: { 'retry-after': '2' }, body: {} }, 2_000],
      [
        'a body retry_after in float seconds (Discord)',
        { status: 429, body: { retry_after: 1.25, global: false } },
        1_250,
      ],
      [
        'parameters.retry_after (Telegram)',
        { status: 429, body: { ok: false, parameters: { retry_after: 3 } } },
        3_000,
      ],
    ])('waits as long as a 429 with %s asks, then sends again', async (_name, reply, waitMs) => {
      // Prepare
      const time = fakeTime();
      api.script(reply);

      // Act
      const response = await client(time).request(post());

      // Assess
      expect(response.status).toBe(200);
      expect(api.requests).toHaveLength(2);
      expect(time.sleeps).toEqual([waitMs]);
    });

    it('throws RetryLaterError with retryAt at once when a 429 asks for longer than the in-process maximum', async () => {
      // Prepare
      const time = fakeTime();
      api.script({ status: 429, headers: { 'retry-after': '60' }, body: { description: 'slow down' } });

      // Act
      const error = await failure(client(time).request(post()));

      // Assess
      expect(error).toBeInstanceOf(RetryLaterError);
      expect((error as RetryLaterError).retryAt?.getTime()).toBe(time.now() + 60_000);
      expect(api.requests).toHaveLength(1);
      expect(time.sleeps).toEqual([]);
    });

    it('retries a 5xx with exponential backoff and succeeds when the platform recovers', async () => {
      // Prepare
      const time = fakeTime();
      api.script([serverError(502), serverError(503)]);

      // Act
      const response = await client(time).request(post());

      // Assess
      expect(response.status).toBe(200);
      expect(api.requests).toHaveLength(3);
      expect(time.sleeps).toEqual([500, 1_000]);
    });

    it('gives up on a persistent 5xx with a RetryLaterError for the dispatcher to reschedule', async () => {
      // Prepare
      const time = fakeTime();
      api.script([serverError(500), serverError(500), serverError(500)]);

      // Act
      const error = await failure(client(time).request(post()));

      // Assess
      expect(error).toBeInstanceOf(RetryLaterError);
      expect((error as RetryLaterError).retryAt).toBeUndefined();
      expect(error.message).toBe('acme: send failed (HTTP 500) after 3 tries');
      expect(api.requests).toHaveLength(3);
    });

    it('does not retry a 4xx: one request, an UndeliverableError with the status, code and description', async () => {
      // Prepare
      api.script({ status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was kicked' } });

      // Act
      const error = await failure(client().request(post()));

      // Assess
      expect(error).toBeInstanceOf(PlatformError);
      expect(error).toBeInstanceOf(UndeliverableError);
      expect((error as PlatformError).retryable).toBe(false);
      expect((error as PlatformError).status).toBe(403);
      expect((error as PlatformError).code).toBe(403);
      expect(error.message).toBe('acme: send refused (HTTP 403, code 403: Forbidden: bot was kicked)');
      expect(api.requests).toHaveLength(1);
    });

    it('never puts the token, the URL or the message text in an error, even when the platform echoes them', async () => {
      // Prepare
      api.script({
        status: 400,
        body: { error_code: 400, description: `bad token ${TOKEN} at ${api.baseUrl}/bot${TOKEN}/send?key=${TOKEN}` },
      });

      // Act
      const error = await failure(client().request(post({ text: 'a private greeting for Ada' })));

      // Assess
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).not.toContain(api.baseUrl);
      expect(error.message).not.toContain('private greeting');
      expect(error.message).toContain('bad token ***');
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      expect((error as PlatformError).description).not.toContain(TOKEN);
    });

    it('treats a timeout as transient and reports it without the URL', async () => {
      // Prepare
      const time = fakeTime();
      api.script([{ hang: true }, { hang: true }]);

      // Act
      const error = await failure(client(time, { timeoutMs: 50, attempts: 2 }).request(post()));

      // Assess
      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.message).toBe('acme: send failed (timeout) after 2 tries');
      expect(api.requests).toHaveLength(2);
    });

    it('treats a refused connection as transient', async () => {
      // Prepare
      const closed = await FakePlatformApi.start(() => ({ status: 200 }));
      await closed.close();

      // Act
      const error = await failure(
        client(fakeTime(), { attempts: 2 }).request({ ...post(), url: `${closed.baseUrl}/bot${TOKEN}/send` }),
      );

      // Assess
      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.message).toMatch(/^acme: send failed \(network error/);
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).not.toContain('127.0.0.1');
    });
  });

  describe('Function: retryAfterHeaderMs', () => {
    it('reads delta-seconds and HTTP dates', () => {
      // Prepare
      const now = Date.parse('2026-11-25T10:00:00Z');

      // Act / Assess
      expect(retryAfterHeaderMs(new Headers({ 'retry-after': '7' }), now)).toBe(7_000);
      expect(retryAfterHeaderMs(new Headers({ 'retry-after': 'Wed, 25 Nov 2026 10:00:30 GMT' }), now)).toBe(30_000);
      expect(retryAfterHeaderMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
      expect(retryAfterHeaderMs(new Headers(), now)).toBeUndefined();
    });
  });

  describe('Function: retryAfterBodyMs', () => {
    it('reads Discord and Telegram retry fields and ignores anything else', () => {
      // Act / Assess
      expect(retryAfterBodyMs({ retry_after: 0.5 })).toBe(500);
      expect(retryAfterBodyMs({ parameters: { retry_after: 4 } })).toBe(4_000);
      expect(retryAfterBodyMs({ retry_after: 'x' })).toBeUndefined();
      expect(retryAfterBodyMs(undefined)).toBeUndefined();
    });
  });
});
