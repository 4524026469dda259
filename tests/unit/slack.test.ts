import { describe, expect, it } from 'vitest';
import { signSlack, adapter as slackAdapter } from '../../shared/platforms/slack/inbound';
import type { AdapterContext, InboundRequest } from '../../shared/platforms/types';
import type { HearthError } from '../../shared/runtime/errors';
import { literalSecrets } from '../../shared/runtime/secrets';
import { communityConfig, hearthError } from '../support/fixtures';

const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = new Date('2026-11-25T10:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const workspace = communityConfig({
  id: 'makers',
  platform: { kind: 'slack', signingSecret: SIGNING_SECRET, botToken: 'xoxb-test' },
});
const inChannel = communityConfig({
  id: 'makers-general',
  platform: { kind: 'slack', signingSecret: SIGNING_SECRET, botToken: 'xoxb-test', channel: 'C0GENERAL' },
});
const context = (community = workspace, now = NOW): AdapterContext => ({ community, secrets: literalSecrets, now });

/** A request as Slack sends it, signed unless told otherwise. */
function slackRequest(body: unknown, options: { timestamp?: number; secret?: string; headers?: object } = {}) {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? T;
  return {
    method: 'POST',
    query: {},
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlack(options.secret ?? SIGNING_SECRET, timestamp, rawBody),
      ...options.headers,
    },
  } satisfies InboundRequest;
}

/** An event_callback envelope around `event`, as the Events API delivers it. */
const callback = (event: Record<string, unknown>, eventId = 'Ev0PV52K21') => ({
  token: 'legacy-verification-token',
  team_id: 'T0MAKERS',
  api_app_id: 'A0HEARTH',
  event,
  type: 'event_callback',
  event_id: eventId,
  event_time: T - 2,
  authed_users: ['U0HEARTH'],
});

const verifyError = (request: InboundRequest, ctx = context()) => hearthError(() => slackAdapter.verify(request, ctx));

describe('Object: slackAdapter', () => {
  describe('Function: verify', () => {
    it('accepts a request signed with the signing secret within 5 minutes', async () => {
      await expect(
        slackAdapter.verify(slackRequest(callback({ type: 'message' })), context()),
      ).resolves.toBeUndefined();
      await expect(
        slackAdapter.verify(slackRequest({ type: 'app_rate_limited' }, { timestamp: T - 299 }), context()),
      ).resolves.toBeUndefined();
    });

    it.each([
      ['a wrong secret', slackRequest(callback({ type: 'message' }), { secret: 'not-the-secret' }), 'does not match'],
      ['a stale timestamp', slackRequest(callback({ type: 'message' }), { timestamp: T - 301 }), 'stale'],
      ['a timestamp from the future', slackRequest(callback({ type: 'message' }), { timestamp: T + 301 }), 'stale'],
      [
        'a missing signature',
        slackRequest(callback({ type: 'message' }), { headers: { 'x-slack-signature': undefined } }),
        'missing',
      ],
      [
        'a tampered body',
        { ...slackRequest(callback({ type: 'message' })), rawBody: JSON.stringify(callback({ type: 'team_join' })) },
        'does not match',
      ],
    ])('refuses %s with 401', async (_what, request, message) => {
      // Act
      const error = await verifyError(request as InboundRequest);

      // Assess
      expect(error.statusCode).toBe(401);
      expect(error.message).toContain(message);
    });
  });

  describe('Function: parse', () => {
    it('answers url_verification with its challenge and no events', () => {
      // Act
      const parsed = slackAdapter.parse(
        slackRequest({
          token: 'x',
          challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
          type: 'url_verification',
        }),
        context(),
      );

      // Assess
      expect(parsed).toEqual({
        events: [],
        reply: {
          statusCode: 200,
          contentType: 'text/plain',
          body: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
        },
      });
    });

    it('turns team_join into member.joined with the profile, keyed by event_id at event_time', () => {
      // Act
      const { events } = slackAdapter.parse(
        slackRequest(
          callback({
            type: 'team_join',
            user: {
              id: 'U0ADA',
              name: 'ada',
              real_name: 'Ada Lovelace',
              tz: 'Europe/London',
              is_bot: false,
              profile: { display_name: 'Ada', real_name: 'Ada Lovelace' },
            },
          }),
        ),
        context(),
      );

      // Assess
      expect(events).toEqual([
        {
          id: 'Ev0PV52K21',
          type: 'member.joined',
          occurredAt: new Date((T - 2) * 1000).toISOString(),
          member: { id: 'U0ADA', name: 'Ada', timezone: 'Europe/London', isBot: false },
        },
      ]);
    });

    it('turns a message into message.posted and a thread reply into a reply to the parent author', () => {
      // Act
      const plain = slackAdapter.parse(
        slackRequest(callback({ type: 'message', user: 'U0ADA', text: 'hello', channel: 'C0GENERAL', ts: '1.1' })),
        context(),
      ).events;
      const reply = slackAdapter.parse(
        slackRequest(
          callback(
            {
              type: 'message',
              user: 'U0BO',
              text: 'agreed',
              channel: 'C0GENERAL',
              ts: '2.2',
              thread_ts: '1.1',
              parent_user_id: 'U0ADA',
            },
            'Ev0REPLY',
          ),
        ),
        context(),
      ).events;

      // Assess
      expect(plain).toEqual([
        expect.objectContaining({ type: 'message.posted', channelId: 'C0GENERAL', text: 'hello' }),
      ]);
      expect(plain[0]).not.toHaveProperty('replyTo');
      // The thread's parent named as a reaction on it is, and as Hearth's sender names its own posts.
      expect(reply).toEqual([
        expect.objectContaining({
          id: 'Ev0REPLY',
          member: { id: 'U0BO' },
          replyTo: 'U0ADA',
          replyToMessage: 'C0GENERAL:1.1',
        }),
      ]);
    });

    it('turns reaction_added into reaction.added to the author of the item', () => {
      // Act
      const { events } = slackAdapter.parse(
        slackRequest(
          callback({
            type: 'reaction_added',
            user: 'U0BO',
            reaction: 'tada',
            item_user: 'U0ADA',
            item: { type: 'message', channel: 'C0GENERAL', ts: '1.1' },
            event_ts: '3.3',
          }),
        ),
        context(),
      );

      // Assess
      expect(events).toEqual([
        expect.objectContaining({
          type: 'reaction.added',
          member: { id: 'U0BO' },
          toMemberId: 'U0ADA',
          // The message reacted to, so a second emoji on it credits its author nothing more.
          messageId: 'C0GENERAL:1.1',
        }),
      ]);
    });

    it('turns a deactivated user into member.left and a profile change into member.updated', () => {
      // Act
      const left = slackAdapter.parse(
        slackRequest(callback({ type: 'user_change', user: { id: 'U0ADA', deleted: true } })),
        context(),
      ).events;
      const updated = slackAdapter.parse(
        slackRequest(callback({ type: 'user_change', user: { id: 'U0ADA', tz: 'Asia/Tokyo', real_name: 'Ada L.' } })),
        context(),
      ).events;

      // Assess
      expect(left).toEqual([expect.objectContaining({ type: 'member.left', member: { id: 'U0ADA' } })]);
      expect(updated).toEqual([
        expect.objectContaining({
          type: 'member.updated',
          member: { id: 'U0ADA', name: 'Ada L.', timezone: 'Asia/Tokyo' },
        }),
      ]);
    });

    it('in a channel community, counts channel joins, leaves and messages of that channel only', () => {
      // Act
      const parse = (event: Record<string, unknown>) =>
        slackAdapter.parse(slackRequest(callback(event)), context(inChannel)).events;

      // Assess
      expect(parse({ type: 'member_joined_channel', user: 'U0ADA', channel: 'C0GENERAL' })).toEqual([
        expect.objectContaining({ type: 'member.joined', member: { id: 'U0ADA' } }),
      ]);
      expect(parse({ type: 'member_left_channel', user: 'U0ADA', channel: 'C0GENERAL' })).toEqual([
        expect.objectContaining({ type: 'member.left' }),
      ]);
      expect(parse({ type: 'member_joined_channel', user: 'U0ADA', channel: 'C0RANDOM' })).toEqual([]);
      // Slack names who added a member to the channel: a declared referral (none when they joined themselves).
      expect(parse({ type: 'member_joined_channel', user: 'U0ADA', inviter: 'U0BO', channel: 'C0GENERAL' })).toEqual([
        expect.objectContaining({ invitedBy: 'U0BO', referralConfidence: 'declared' }),
      ]);
      expect(
        parse({ type: 'member_joined_channel', user: 'U0ADA', inviter: 'U0ADA', channel: 'C0GENERAL' })[0],
      ).not.toHaveProperty('invitedBy');
      expect(parse({ type: 'message', user: 'U0ADA', text: 'hi', channel: 'C0RANDOM', ts: '1.1' })).toEqual([]);
      expect(parse({ type: 'team_join', user: { id: 'U0ADA' } })).toEqual([]);
    });

    it.each([
      ['an edit', { type: 'message', subtype: 'message_changed', channel: 'C0GENERAL', ts: '1.1' }],
      ['a bot post', { type: 'message', subtype: 'bot_message', bot_id: 'B1', channel: 'C0GENERAL', ts: '1.1' }],
      ['a channel-join notice', { type: 'message', subtype: 'channel_join', user: 'U0ADA', channel: 'C0GENERAL' }],
      ['an app mention Hearth does not use', { type: 'app_mention', user: 'U0ADA', text: '<@U0HEARTH>' }],
      ['a reaction to a file without an author', { type: 'reaction_added', user: 'U0ADA', item: { type: 'file' } }],
    ])('acknowledges %s without an event', (_what, event) => {
      expect(slackAdapter.parse(slackRequest(callback(event)), context()).events).toEqual([]);
    });

    it('drops a time zone this runtime does not know instead of refusing the join', () => {
      // Act
      const { events } = slackAdapter.parse(
        slackRequest(callback({ type: 'team_join', user: { id: 'U0ADA', name: 'ada', tz: 'Mars/Olympus_Mons' } })),
        context(),
      );

      // Assess
      expect(events).toEqual([expect.objectContaining({ member: { id: 'U0ADA', name: 'ada' } })]);
    });

    it('refuses a body that is not an Events API envelope with 400 naming the field', () => {
      // Act
      let error: HearthError | undefined;
      try {
        slackAdapter.parse(slackRequest({ type: 'event_callback', event: { type: 'message' } }), context());
      } catch (e) {
        error = e as HearthError;
      }

      // Assess
      expect(error?.statusCode).toBe(400);
      expect(error?.field).toBe('event_id');
    });

    describe('slash commands', () => {
      /** A slash command as Slack POSTs it: form-encoded, with the documented fields. */
      const slash = (command: string, text: string) =>
        new URLSearchParams({
          token: 'legacy-verification-token',
          team_id: 'T0MAKERS',
          team_domain: 'makers',
          channel_id: 'C0GENERAL',
          channel_name: 'general',
          user_id: 'U0ADA',
          user_name: 'ada',
          command,
          text,
          api_app_id: 'A0HEARTH',
          is_enterprise_install: 'false',
          response_url: 'https://hooks.slack.com/commands/T0MAKERS/1234/abcd',
          trigger_id: '13345224609.738474920.8088930838d88f008e0',
        }).toString();
      const formRequest = (rawBody: string) =>
        slackRequest(rawBody, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });

      it('turns /hearth birthday 03-14 into a command message keyed by trigger_id, acknowledged with an empty 200', async () => {
        // Prepare
        const request = formRequest(slash('/hearth', 'birthday 03-14'));
        await slackAdapter.verify(request, context());

        // Act
        const parsed = slackAdapter.parse(request, context());

        // Assess
        expect(parsed.reply).toEqual({ statusCode: 200, contentType: 'text/plain', body: '' });
        expect(parsed.answers).toEqual({
          'slack:command:13345224609.738474920.8088930838d88f008e0': { private: true },
        });
        expect(parsed.events).toEqual([
          {
            id: 'slack:command:13345224609.738474920.8088930838d88f008e0',
            type: 'message.posted',
            occurredAt: NOW.toISOString(),
            member: { id: 'U0ADA' },
            channelId: 'C0GENERAL',
            text: '/hearth birthday 03-14',
          },
        ]);
      });

      it('accepts a command registered under its own name, with no text', () => {
        // Act
        const parsed = slackAdapter.parse(formRequest(slash('/points', '')), context());

        // Assess
        expect(parsed.events[0]).toMatchObject({ type: 'message.posted', text: '/points' });
      });

      it('refuses a tampered form with 401', async () => {
        // Prepare
        const request = formRequest(slash('/hearth', 'optout'));
        const tampered = { ...request, rawBody: request.rawBody.replace('optout', 'optin') };

        // Act
        const error = await verifyError(tampered);

        // Assess
        expect(error.statusCode).toBe(401);
      });

      it('refuses a form without trigger_id with 400 naming it', () => {
        // Prepare
        const rawBody = slash('/hearth', 'help').replace(/&trigger_id=[^&]*/, '');

        // Act
        let error: HearthError | undefined;
        try {
          slackAdapter.parse(formRequest(rawBody), context());
        } catch (e) {
          error = e as HearthError;
        }

        // Assess
        expect(error?.statusCode).toBe(400);
        expect(error?.field).toBe('trigger_id');
      });
    });
  });
});
