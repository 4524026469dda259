import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateCommunity } from '../../demo/community';
import type { CommunityConfig } from '../../shared/domain/config';
import { parseCommunityConfig } from '../../shared/domain/config';
import { type ActivityDelta, activityDelta, inboundEventSchema } from '../../shared/domain/events';
import { SesMailer } from '../../shared/mail/ses';
import { SIGNATURE_HEADER, signGeneric } from '../../shared/platforms/generic/inbound';
import { SlackSender } from '../../shared/platforms/slack/outbound';
import { HearthError } from '../../shared/runtime/errors';
import { literalSecrets } from '../../shared/runtime/secrets';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import { createDb, type Db } from '../../shared/store/db';
import { deliveriesBetween } from '../../shared/store/deliveries';
import { ingestEvent } from '../../shared/store/ingest';
import { getMemberWithTotals } from '../../shared/store/members';
import { getOutboxItem, listOutbox } from '../../shared/store/outbox';
import { handleWebhook, type PipelineDeps, type WebhookRequest } from '../../shared/webhook/pipeline';
import { digestSweep } from '../../shared/workflows/digest/decisions';
import { dispatch } from '../../shared/workflows/dispatch';
import { reactTo } from '../../shared/workflows/react';
import { freshTable } from '../support/dynamo';
import {
  type FakePlatformApi,
  type FakeReply,
  type RecordedRequest,
  serverError,
  slackReplies,
  startSlackApi,
} from '../support/fake-platform-apis';
import { communityConfig } from '../support/fixtures';

/**
 * Faults at every edge at once, for a community of 60 newcomers whose welcomes go out through the real Slack
 * sender to a local Slack API: that API answers 429 with Retry-After, 500, late past the request's timeout and
 * with a dropped connection (each before it posts anything, as a real failure does), and always 502 for five
 * members; DynamoDB throttles and fails a share of every call through the client's own middleware stack, so
 * the SDK's retries meet them as they meet the real thing. The dispatcher runs each simulated minute until
 * nothing is pending; a run that fails outright is a Lambda failure, and the next minute's run goes on.
 */

const NOW = new Date('2026-11-25T10:00:00.000Z');
const BOT_TOKEN = 'xoxb-faults';
const MEMBERS = Array.from({ length: 60 }, (_, i) => `U0M${String(i).padStart(3, '0')}`);
/** Every request for these members' welcomes is a 502: retried, then parked. */
const ALWAYS_FAILING = new Set(MEMBERS.slice(0, 5));

/** A small seeded generator (mulberry32), so a failure here replays the same faults. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The member a welcome's post is for: the sender mentions them (`<@U…>`). */
const mentioned = (request: RecordedRequest): string | undefined =>
  /<@(U0M\d{3})>/.exec(String(request.body?.text ?? ''))?.[1];

describe('Faults at the platform and at DynamoDB during dispatch', () => {
  let db: Db;
  let api: FakePlatformApi;
  let community: CommunityConfig;
  const faulted = new Set<RecordedRequest>();
  const injected = { throttles: 0, serverErrors: 0 };
  const platformFaults = { rateLimited: 0, serverError: 0, slow: 0, reset: 0 };
  let runs = 0;

  beforeAll(async () => {
    api = await startSlackApi({ botToken: BOT_TOKEN, channels: ['C0GENERAL'] });
    const draw = random(14);
    api.faults = (request) => {
      if (request.path !== '/api/chat.postMessage') return undefined;
      const member = mentioned(request);
      const roll = draw();
      let fault: FakeReply | undefined;
      let kind: keyof typeof platformFaults | undefined;
      if (member && ALWAYS_FAILING.has(member)) fault = serverError(502);
      else if (roll < 0.2) [kind, fault] = ['rateLimited', slackReplies.rateLimited(1)];
      else if (roll < 0.3) [kind, fault] = ['serverError', serverError(500)];
      // Past the sender's 150 ms request timeout.
      else if (roll < 0.35) [kind, fault] = ['slow', { delayMs: 400, body: { ok: true } }];
      else if (roll < 0.4) [kind, fault] = ['reset', { reset: true }];
      if (kind) platformFaults[kind]++;
      if (fault) faulted.add(request);
      return fault;
    };

    db = await freshTable('faults');
    community = communityConfig({
      id: 'faulty',
      timezone: 'UTC',
      platform: {
        kind: 'slack',
        signingSecret: 'signing',
        botToken: BOT_TOKEN,
        channel: 'C0GENERAL',
        apiBaseUrl: api.baseUrl,
      },
      onboarding: { channel: 'C0GENERAL' },
      caps: { perDay: 10, perWeek: 20 },
    });
    await putCommunity(db, community, NOW);
    for (const [i, member] of MEMBERS.entries()) {
      const event = inboundEventSchema.parse({
        id: `join-${member}`,
        type: 'member.joined',
        occurredAt: new Date(NOW.getTime() - 60_000 + i).toISOString(),
        member: { id: member, name: `Member ${i}` },
      });
      for (const domainEvent of (await ingestEvent(db, community, event)).events)
        await reactTo(db, community, domainEvent, NOW);
    }

    // From here on, DynamoDB fails 3 % of calls before they reach the engine: 2 % throttled, 1 % a 500.
    const dynamo = random(15);
    db.doc.middlewareStack.add(
      (next) => async (args) => {
        const roll = dynamo();
        if (roll < 0.02) {
          injected.throttles++;
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ProvisionedThroughputExceededException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
        if (roll < 0.03) {
          injected.serverErrors++;
          throw Object.assign(new Error('Internal server error'), {
            name: 'InternalServerError',
            $fault: 'server',
            $metadata: { httpStatusCode: 500 },
          });
        }
        return next(args);
      },
      // Below the retry middleware (finalizeRequest), so every attempt of a call rolls again.
      { step: 'deserialize', name: 'injectDynamoFaults', priority: 'low' },
    );

    let clock = NOW.getTime() + 60_000;
    const sender = new SlackSender(community.platform as never, literalSecrets, {
      timeoutMs: 150,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const deps = { db, communities: new CommunityCache(db), senderFor: () => sender };
    for (let minute = 0; minute < 120; minute++) {
      runs++;
      const at = new Date(clock);
      try {
        await dispatch(deps, at);
      } catch {
        // A run that fails outright is a failed invocation: the next minute's goes on.
      }
      clock = Math.max(clock, at.getTime() + 60_000);
      const pending = (await listOutbox(db, community.id)).filter((item) => item.status === 'pending');
      if (pending.length === 0) break;
    }
  }, 240_000);

  afterAll(async () => {
    await api.close();
  });

  it('met every kind of fault it injected', () => {
    expect(platformFaults.rateLimited).toBeGreaterThan(5);
    expect(platformFaults.serverError).toBeGreaterThan(3);
    expect(platformFaults.slow).toBeGreaterThan(0);
    expect(platformFaults.reset).toBeGreaterThan(0);
    expect(injected.throttles).toBeGreaterThan(5);
    expect(injected.serverErrors).toBeGreaterThan(0);
    // And it was done well before its last minute.
    expect(runs).toBeLessThan(60);
  });

  it('ends every welcome sent exactly once or parked as failed with its reason: none pending, none lost', async () => {
    // Arrange
    const items = (await listOutbox(db, community.id)).filter((item) => item.kind === 'welcome');
    const accepted = new Map<string, number>();
    for (const request of api.to('chat.postMessage')) {
      const member = mentioned(request);
      if (member && !faulted.has(request)) accepted.set(member, (accepted.get(member) ?? 0) + 1);
    }

    // Assess
    expect(items.map((item) => item.memberId).sort()).toEqual([...MEMBERS].sort());
    for (const item of items) {
      if (ALWAYS_FAILING.has(item.memberId)) {
        expect(item).toMatchObject({ status: 'failed', reason: expect.stringMatching(/502/) });
        expect(accepted.get(item.memberId)).toBeUndefined();
      } else {
        expect(item.status).toBe('sent');
        expect(accepted.get(item.memberId)).toBe(1);
      }
    }
  });

  it('counts the parked sends where the digest reads them', async () => {
    const deliveries = await deliveriesBetween(db, community.id, '2026-11-25', '2026-11-26');
    expect(deliveries.failed).toBe(ALWAYS_FAILING.size);
    expect(deliveries.sent.welcome).toBe(MEMBERS.length - ALWAYS_FAILING.size);
  });
});

describe('Faults at SES while mailing the digest', () => {
  const ses = mockClient(SESv2Client);
  let db: Db;
  const throttled = communityConfig({
    id: 'throttled',
    timezone: 'Asia/Shanghai',
    operators: ['ops@throttled.example'],
  });
  const rejected = communityConfig({
    id: 'rejected',
    timezone: 'Asia/Shanghai',
    operators: ['nobody@rejected.example'],
  });
  const throttle = () =>
    Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException', $fault: 'client' });

  beforeAll(async () => {
    db = await freshTable('faults-ses');
    for (const c of [throttled, rejected]) await putCommunity(db, c, new Date('2026-01-01T00:00:00Z'));
    ses
      .on(SendEmailCommand, { Destination: { ToAddresses: ['ops@throttled.example'] } })
      .rejectsOnce(throttle())
      .rejectsOnce(throttle())
      .resolves({ MessageId: 'sent-1' });
    ses
      .on(SendEmailCommand, { Destination: { ToAddresses: ['nobody@rejected.example'] } })
      .rejects(
        Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected', $fault: 'client' }),
      );
    await digestSweep(db, [throttled, rejected], new Date('2027-01-04T01:00:00Z'));
  });
  afterAll(() => ses.restore());

  it('sends a throttled digest once when SES takes it, and parks a rejected one at once with the reason', async () => {
    // Act: the dispatcher each time the item is due again.
    const deps = {
      db,
      communities: new CommunityCache(db, 0),
      senderFor: () => ({
        async send(): Promise<undefined> {
          throw new Error('a digest is not a chat message');
        },
      }),
      mail: { mailer: new SesMailer(new SESv2Client({ region: 'us-east-1' })), from: 'Hearth <hearth@example.com>' },
    };
    const reports = [];
    for (let when = Date.parse('2027-01-04T01:00:30Z'), i = 0; i < 6; i++, when += 10 * 60_000) {
      reports.push(await dispatch(deps, new Date(when), { asOf: true }));
    }

    // Assess
    expect(await getOutboxItem(db, throttled.id, 'digest#throttled#2026-W53')).toMatchObject({
      status: 'sent',
      attempts: 3,
    });
    const refused = await getOutboxItem(db, rejected.id, 'digest#rejected#2026-W53');
    expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
    expect(refused?.reason).toMatch(/MessageRejected/);
    const calls = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses?.[0]);
    expect(calls.filter((to) => to === 'ops@throttled.example')).toHaveLength(3);
    expect(calls.filter((to) => to === 'nobody@rejected.example')).toHaveLength(1);
    // The failure is counted for the digest, and the run that parked it reports it for the SendsParked alarm.
    expect((await deliveriesBetween(db, rejected.id, '2027-01-04', '2027-01-04')).failed).toBe(1);
    expect(reports.filter((r) => r.parked.digest === 1)).toHaveLength(1);
  });
});

describe('Faults at DynamoDB while the webhook ingests two weeks of a community', () => {
  /** Calls failed, each kind: before the engine saw them, and after it applied them (the answer lost). */
  const failed = { before: 0, after: 0 };
  let db: Db;
  let faulty: Db;
  const expected = new Map<string, ActivityDelta>();
  const answers = { ok: 0, failures: 0, duplicatesSeen: 0 };

  beforeAll(async () => {
    db = await freshTable('faults-ingest');
    const community = generateCommunity({ members: 40, weeks: 2, seed: 12 });
    const config = parseCommunityConfig(community.config);
    await putCommunity(db, config, new Date(community.events[0].at));
    // The same table through a client of its own whose calls fail above the SDK's retries, as a call does when
    // its retries are spent: 6 % before reaching the engine, 3 % after it applied the call.
    faulty = createDb({ table: db.table, endpoint: inject('dynamoEndpoint'), region: 'us-east-1' });
    const roll = random(16);
    faulty.doc.middlewareStack.add(
      (next) => async (args) => {
        const r = roll();
        if (r < 0.06) {
          failed.before++;
          throw Object.assign(new Error('Throughput exceeds the current capacity of your table.'), {
            name: 'ThrottlingException',
          });
        }
        const result = await next(args);
        if (r < 0.09) {
          failed.after++;
          throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $fault: 'server' });
        }
        return result;
      },
      { step: 'initialize', name: 'failAboveRetries', priority: 'high' },
    );
    const deps: PipelineDeps = {
      db: faulty,
      communities: new CommunityCache(faulty),
      secrets: literalSecrets,
      publisher: { publish: async () => undefined },
      metrics: { accepted: () => undefined, duplicates: () => undefined, rejected: () => undefined },
    };
    for (const { at, body } of community.events) {
      const raw = JSON.stringify(body);
      const event = inboundEventSchema.parse(body);
      const delta = activityDelta(event);
      const sum = expected.get(event.member.id) ?? { messages: 0, replies: 0, reactions: 0, joins: 0, leaves: 0 };
      for (const key of Object.keys(delta) as Array<keyof ActivityDelta>) sum[key] += delta[key];
      expected.set(event.member.id, sum);
      const request = (signedAt: Date): WebhookRequest => ({
        platform: 'generic',
        communityId: config.id,
        method: 'POST',
        headers: { [SIGNATURE_HEADER]: signGeneric(config.webhookSecret, raw, signedAt) },
        query: {},
        rawBody: raw,
      });
      // The platform's part: a 5xx is sent again, signed anew, a minute later each time, until it is answered 200.
      for (let attempt = 1; ; attempt++) {
        const now = new Date(at + (attempt - 1) * 60_000);
        try {
          const outcome = await handleWebhook(deps, request(now), now);
          answers.ok++;
          answers.duplicatesSeen += outcome.duplicates;
          break;
        } catch (error) {
          if (error instanceof HearthError && error.statusCode < 500) throw error;
          answers.failures++;
          if (attempt === 30) throw new Error(`event ${event.id} was never acknowledged: ${(error as Error).message}`);
        }
      }
    }
  }, 240_000);

  it('failed calls on both sides of the engine, and the platform sent events again', () => {
    expect(failed.before).toBeGreaterThan(20);
    expect(failed.after).toBeGreaterThan(10);
    expect(answers.failures).toBeGreaterThan(30);
    expect(answers.ok).toBe(generateCommunity({ members: 40, weeks: 2, seed: 12 }).events.length);
  });

  it("stores every member's counts exactly as the events say: none lost, none counted twice", async () => {
    const wrong: string[] = [];
    for (const [memberId, delta] of expected) {
      const stored = (await getMemberWithTotals(db, 'demo', memberId)) as unknown as Record<string, number>;
      for (const key of Object.keys(delta) as Array<keyof ActivityDelta>) {
        if ((stored?.[key] ?? 0) !== delta[key])
          wrong.push(`${memberId} ${key}: ${stored?.[key] ?? 0} for ${delta[key]}`);
      }
    }
    expect(expected.size).toBeGreaterThan(30);
    expect(wrong).toEqual([]);
  });
});
