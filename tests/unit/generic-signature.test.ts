import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adapter as genericAdapter,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  signGeneric,
} from '../../shared/platforms/generic/inbound';
import { hmacSha256Hex } from '../../shared/platforms/signature';
import type { AdapterContext, InboundRequest } from '../../shared/platforms/types';
import { literalSecrets } from '../../shared/runtime/secrets';
import { communityConfig, hearthError } from '../support/fixtures';

const SECRET = 'whsec_test_secret';
const NOW = new Date('2026-11-25T17:30:00.000Z');
const T = Math.floor(NOW.getTime() / 1000);

const community = communityConfig({ webhookSecret: SECRET });

const context = (now: Date = NOW, webhookSecret: string = SECRET): AdapterContext => ({
  community: { ...community, webhookSecret },
  secrets: literalSecrets,
  now,
});

const EVENT = {
  id: 'evt-1',
  type: 'message.posted',
  occurredAt: '2026-11-25T17:29:00Z',
  member: { id: 'u1' },
  channelId: 'general',
};
const BODY = JSON.stringify(EVENT);

const request = (rawBody: string, signature?: string): InboundRequest => ({
  method: 'POST',
  headers: signature === undefined ? {} : { [SIGNATURE_HEADER]: signature },
  query: {},
  rawBody,
});

const secondsBefore = (seconds: number, at: Date = NOW) => new Date(at.getTime() - seconds * 1000);

describe('Module: generic webhook', () => {
  describe('Function: signGeneric / parseSignatureHeader', () => {
    it('round-trips the timestamp and the signature', () => {
      // Prepare
      const header = signGeneric(SECRET, BODY, NOW);

      // Act
      const parsed = parseSignatureHeader(header);

      // Assess
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(parsed).toEqual({ t: T, v1: [hmacSha256Hex(SECRET, `${T}.${BODY}`)] });
    });

    it('keeps every v1 value and tolerates spaces and unknown parts', () => {
      // Prepare
      const header = ` t=${T} , v1=aaa, v0=zzz ,v1=bbb,junk`;

      // Act
      const parsed = parseSignatureHeader(header);

      // Assess
      expect(parsed).toEqual({ t: T, v1: ['aaa', 'bbb'] });
    });

    it.each([
      ['no timestamp', 'v1=abc'],
      ['no signature', `t=${T}`],
      ['an empty signature', `t=${T},v1=`],
      ['a non-numeric timestamp', 't=soon,v1=abc'],
      ['an empty header', ''],
    ])('refuses a header with %s', (_what, header) => {
      // Act
      const parsed = parseSignatureHeader(header);

      // Assess
      expect(parsed).toBeUndefined();
    });
  });

  describe('Function: genericAdapter.verify', () => {
    it('passes a request signed with the community secret', async () => {
      // Prepare
      const req = request(BODY, signGeneric(SECRET, BODY, NOW));

      // Act
      const verified = genericAdapter.verify(req, context());

      // Assess
      await expect(verified).resolves.toBeUndefined();
    });

    it('refuses a request signed with another secret', async () => {
      // Prepare
      const req = request(BODY, signGeneric('whsec_someone_else', BODY, NOW));

      // Act
      const error = await hearthError(() => genericAdapter.verify(req, context()));

      // Assess
      expect(error.code).toBe('unauthorized');
      expect(error.statusCode).toBe(401);
    });

    it('refuses a request without the header', async () => {
      // Act
      const error = await hearthError(() => genericAdapter.verify(request(BODY), context()));

      // Assess
      expect(error.code).toBe('unauthorized');
      expect(error.message).toMatch(/missing/);
    });

    it.each(['garbage', 'v1=abc', `t=${T}`, `t=abc,v1=${'0'.repeat(64)}`])(
      'refuses the malformed header %j',
      async (header) => {
        // Act
        const error = await hearthError(() => genericAdapter.verify(request(BODY, header), context()));

        // Assess
        expect(error.code).toBe('unauthorized');
      },
    );

    it('refuses a signature 301 s old', async () => {
      // Prepare
      const req = request(BODY, signGeneric(SECRET, BODY, secondsBefore(301)));

      // Act
      const error = await hearthError(() => genericAdapter.verify(req, context()));

      // Assess
      expect(error.code).toBe('unauthorized');
      expect(error.message).toMatch(/stale/);
    });

    it('refuses a signature 301 s in the future', async () => {
      // Prepare
      const req = request(BODY, signGeneric(SECRET, BODY, secondsBefore(-301)));

      // Act
      const error = await hearthError(() => genericAdapter.verify(req, context()));

      // Assess
      expect(error.code).toBe('unauthorized');
    });

    it.each([299, 300, -299])('passes a signature %i s old', async (age) => {
      // Prepare
      const req = request(BODY, signGeneric(SECRET, BODY, secondsBefore(age)));

      // Act
      const verified = genericAdapter.verify(req, context());

      // Assess
      await expect(verified).resolves.toBeUndefined();
    });

    it('refuses a tampered body', async () => {
      // Prepare
      const header = signGeneric(SECRET, BODY, NOW);
      const tampered = BODY.replace('"u1"', '"u2"');

      // Act
      const error = await hearthError(() => genericAdapter.verify(request(tampered, header), context()));

      // Assess
      expect(error.code).toBe('unauthorized');
    });

    it('refuses a valid signature moved to another timestamp', async () => {
      // Prepare
      const v1 = hmacSha256Hex(SECRET, `${T}.${BODY}`);
      const header = `t=${T - 1},v1=${v1}`;

      // Act
      const error = await hearthError(() => genericAdapter.verify(request(BODY, header), context()));

      // Assess
      expect(error.code).toBe('unauthorized');
    });

    it('passes when one of several v1 values matches (secret rotation)', async () => {
      // Prepare
      const oldSig = hmacSha256Hex('whsec_old_secret', `${T}.${BODY}`);
      const newSig = hmacSha256Hex(SECRET, `${T}.${BODY}`);
      const header = `t=${T},v1=${oldSig},v1=${newSig}`;

      // Act
      const verified = genericAdapter.verify(request(BODY, header), context());

      // Assess
      await expect(verified).resolves.toBeUndefined();
    });

    it('refuses when none of several v1 values matches', async () => {
      // Prepare
      const header = `t=${T},v1=${hmacSha256Hex('a-secret-1', `${T}.${BODY}`)},v1=${'f'.repeat(64)},v1=short`;

      // Act
      const error = await hearthError(() => genericAdapter.verify(request(BODY, header), context()));

      // Assess
      expect(error.code).toBe('unauthorized');
    });

    it('verifies any signed body and refuses any one-character change of it', async () => {
      // Prepare
      const arbitrary = fc.record({
        secret: fc.string({ minLength: 8, maxLength: 64 }),
        body: fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' }),
        at: fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        index: fc.nat(),
        replacement: fc.string({ minLength: 1, maxLength: 1 }),
      });

      // Act + Assess
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ secret, body, at, index, replacement }) => {
          const ctx = context(at, secret);
          const header = signGeneric(secret, body, at);
          await expect(genericAdapter.verify(request(body, header), ctx)).resolves.toBeUndefined();

          const chars = [...body];
          const i = index % chars.length;
          fc.pre(chars[i] !== replacement);
          chars[i] = replacement;
          const changed = chars.join('');
          const error = await hearthError(() => genericAdapter.verify(request(changed, header), ctx));
          expect(error.code).toBe('unauthorized');
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('Function: genericAdapter.parse', () => {
    it('parses a valid body into one canonical event', () => {
      // Act
      const parsed = genericAdapter.parse(request(BODY), context());

      // Assess
      expect(parsed.reply).toBeUndefined();
      expect(parsed.events).toEqual([EVENT]);
    });

    it('refuses a body that is not JSON with field (body)', async () => {
      // Act
      const error = await hearthError(() => genericAdapter.parse(request('{"id": '), context()));

      // Assess
      expect(error.code).toBe('bad_request');
      expect(error.statusCode).toBe(400);
      expect(error.field).toBe('(body)');
    });

    it('refuses a known field of the wrong shape, naming it', async () => {
      // Prepare
      const body = JSON.stringify({ ...EVENT, channelId: 42 });

      // Act
      const error = await hearthError(() => genericAdapter.parse(request(body), context()));

      // Assess
      expect(error.code).toBe('bad_request');
      expect(error.field).toBe('channelId');
    });

    it('refuses an event 6 minutes in the future with field occurredAt', async () => {
      // Prepare
      const body = JSON.stringify({ ...EVENT, occurredAt: new Date(NOW.getTime() + 6 * 60_000).toISOString() });

      // Act
      const error = await hearthError(() => genericAdapter.parse(request(body), context()));

      // Assess
      expect(error.code).toBe('bad_request');
      expect(error.field).toBe('occurredAt');
    });

    it('accepts an event 4 minutes in the future', () => {
      // Prepare
      const occurredAt = new Date(NOW.getTime() + 4 * 60_000).toISOString();
      const body = JSON.stringify({ ...EVENT, occurredAt });

      // Act
      const parsed = genericAdapter.parse(request(body), context());

      // Assess
      expect(parsed.events[0].occurredAt).toBe(occurredAt);
    });

    it('accepts an event years old, with an offset', () => {
      // Prepare
      const body = JSON.stringify({ ...EVENT, occurredAt: '2019-01-01T08:00:00+08:00' });

      // Act
      const parsed = genericAdapter.parse(request(body), context());

      // Assess
      expect(parsed.events).toHaveLength(1);
    });
  });
});
