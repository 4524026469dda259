import { describe, expect, it } from 'vitest';
import {
  activityDelta,
  commandIn,
  INBOUND_EVENT_TYPES,
  type InboundEvent,
  inboundEventSchema,
  isActivity,
} from '../../shared/domain/events';
import { firstZodPath } from '../../shared/domain/validation';

const base = { id: 'evt-1', occurredAt: '2026-11-25T17:30:00Z', member: { id: 'u1' } };

/** One valid example of each inbound type. */
const EXAMPLES: Record<(typeof INBOUND_EVENT_TYPES)[number], Record<string, unknown>> = {
  'member.joined': { ...base, type: 'member.joined', referralCode: 'REF42' },
  'member.left': { ...base, type: 'member.left' },
  'message.posted': { ...base, type: 'message.posted', channelId: 'general', replyTo: 'u2', text: 'hi' },
  'reaction.added': { ...base, type: 'reaction.added', toMemberId: 'u2' },
  'member.updated': { ...base, type: 'member.updated', member: { id: 'u1', name: 'Ada' } },
};

const parse = (input: unknown): InboundEvent => inboundEventSchema.parse(input);

/** The path of the first issue for an input that must be rejected. */
function rejectionPath(input: unknown): string {
  const result = inboundEventSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.success ? '' : firstZodPath(result.error);
}

const message = (extra: Record<string, unknown> = {}): InboundEvent =>
  parse({ ...base, type: 'message.posted', channelId: 'general', ...extra });

describe('Module: events', () => {
  describe('Function: inboundEventSchema', () => {
    it.each(INBOUND_EVENT_TYPES)('accepts a %s event', (type) => {
      // Prepare
      const input = EXAMPLES[type];

      // Act
      const event = parse(input);

      // Assess
      expect(event.type).toBe(type);
      expect(event).toEqual(input);
    });

    it('drops unknown fields on the event and on the member', () => {
      // Prepare
      const input = {
        ...EXAMPLES['message.posted'],
        threadTs: '123.456',
        attachments: [{ url: 'x' }],
        member: { id: 'u1', avatarUrl: 'https://example.com/a.png' },
      };

      // Act
      const event = parse(input);

      // Assess
      expect(event).not.toHaveProperty('threadTs');
      expect(event).not.toHaveProperty('attachments');
      expect(event.member).toEqual({ id: 'u1' });
    });

    it.each([
      ['an unknown type', { ...base, type: 'member.exploded' }, 'type'],
      ['a numeric channelId', { ...EXAMPLES['message.posted'], channelId: 5 }, 'channelId'],
      ['a missing channelId', { ...base, type: 'message.posted' }, 'channelId'],
      ['a missing toMemberId', { ...base, type: 'reaction.added' }, 'toMemberId'],
      ['an occurredAt that is not ISO', { ...EXAMPLES['member.left'], occurredAt: 'yesterday' }, 'occurredAt'],
      ['a member without id', { ...EXAMPLES['member.left'], member: { name: 'Ada' } }, 'member.id'],
      ['a member id with "#"', { ...EXAMPLES['member.left'], member: { id: 'u#1' } }, 'member.id'],
      ['a string isBot', { ...EXAMPLES['member.left'], member: { id: 'u1', isBot: 'yes' } }, 'member.isBot'],
      [
        'a bad time zone',
        { ...EXAMPLES['member.left'], member: { id: 'u1', timezone: 'Nowhere/Land' } },
        'member.timezone',
      ],
      ['a numeric birthday', { ...EXAMPLES['member.left'], member: { id: 'u1', birthday: 314 } }, 'member.birthday'],
      ['an empty referralCode', { ...EXAMPLES['member.joined'], referralCode: '' }, 'referralCode'],
    ])('rejects %s naming the field', (_what, input, path) => {
      // Act
      const found = rejectionPath(input);

      // Assess
      expect(found).toBe(path);
    });

    it.each(['02-29', '1990-03-14', '12-31', '01-01'])('accepts the birthday %s', (birthday) => {
      // Act
      const event = parse({ ...EXAMPLES['member.updated'], member: { id: 'u1', birthday } });

      // Assess
      expect(event.member.birthday).toBe(birthday);
    });

    it.each(['02-30', '04-31', '13-01', '00-10', '03-00', '3-14', '1990-3-14', '03/14'])(
      'rejects the birthday %s',
      (birthday) => {
        // Act
        const path = rejectionPath({ ...EXAMPLES['member.updated'], member: { id: 'u1', birthday } });

        // Assess
        expect(path).toBe('member.birthday');
      },
    );
  });

  describe('Function: activityDelta', () => {
    it('counts a message as one message', () => {
      // Act
      const delta = activityDelta(message({ text: 'hello everyone' }));

      // Assess
      expect(delta).toEqual({ messages: 1, replies: 0, reactions: 0, joins: 0, leaves: 0 });
      expect(isActivity(delta)).toBe(true);
    });

    it('counts a reply as a message and a reply', () => {
      // Act
      const delta = activityDelta(message({ replyTo: 'u2' }));

      // Assess
      expect(delta).toEqual({ messages: 1, replies: 1, reactions: 0, joins: 0, leaves: 0 });
      expect(isActivity(delta)).toBe(true);
    });

    it('counts a reaction as a reaction', () => {
      // Act
      const delta = activityDelta(parse(EXAMPLES['reaction.added']));

      // Assess
      expect(delta).toEqual({ messages: 0, replies: 0, reactions: 1, joins: 0, leaves: 0 });
      expect(isActivity(delta)).toBe(true);
    });

    it('counts a join as a join, not as activity', () => {
      // Act
      const delta = activityDelta(parse(EXAMPLES['member.joined']));

      // Assess
      expect(delta).toEqual({ messages: 0, replies: 0, reactions: 0, joins: 1, leaves: 0 });
      expect(isActivity(delta)).toBe(false);
    });

    it('counts a leave as a leave, not as activity', () => {
      // Act
      const delta = activityDelta(parse(EXAMPLES['member.left']));

      // Assess
      expect(delta).toEqual({ messages: 0, replies: 0, reactions: 0, joins: 0, leaves: 1 });
      expect(isActivity(delta)).toBe(false);
    });

    it('counts nothing for a profile update', () => {
      // Act
      const delta = activityDelta(parse(EXAMPLES['member.updated']));

      // Assess
      expect(delta).toEqual({ messages: 0, replies: 0, reactions: 0, joins: 0, leaves: 0 });
      expect(isActivity(delta)).toBe(false);
    });

    it.each(['/optout', '/birthday 03-14', '/help@HearthBot', '  /OptOut  '])(
      'does not count the command %j as activity, even as a reply',
      (text) => {
        // Act
        const delta = activityDelta(message({ text, replyTo: 'u2' }));

        // Assess
        expect(delta).toEqual({ messages: 0, replies: 0, reactions: 0, joins: 0, leaves: 0 });
        expect(isActivity(delta)).toBe(false);
      },
    );

    it.each(['see /optout above', '/path/to/file is broken', 'https://example.com', ''])(
      'counts %j as an ordinary message',
      (text) => {
        // Act
        const delta = activityDelta(message({ text }));

        // Assess
        expect(delta.messages).toBe(1);
      },
    );
  });

  describe('Function: commandIn', () => {
    it.each([
      ['/optout', { name: 'optout', args: [] }],
      ['/birthday 03-14', { name: 'birthday', args: ['03-14'] }],
      ['/help@HearthBot', { name: 'help', args: [], addressee: 'HearthBot' }],
      ['/start@other_bot', { name: 'start', args: [], addressee: 'other_bot' }],
      ['/Birthday@HearthBot   1990-03-14  ', { name: 'birthday', args: ['1990-03-14'], addressee: 'HearthBot' }],
      ['@_user_1 /points', { name: 'points', args: [] }],
      ['<@U0HEARTH> /optout@HearthBot', { name: 'optout', args: [], addressee: 'HearthBot' }],
      ['  /set_tz Asia/Shanghai extra ', { name: 'set_tz', args: ['Asia/Shanghai', 'extra'] }],
      ['/note line one\nline two', { name: 'note', args: ['line', 'one', 'line', 'two'] }],
    ])('parses %j', (text, expected) => {
      // Act
      const command = commandIn(text);

      // Assess
      expect(command).toStrictEqual(expected);
    });

    it.each([undefined, '', '   ', '/', '/123', 'hello /optout', '/path/to/file', '//optout', 'optout'])(
      'finds no command in %j',
      (text) => {
        // Act
        const command = commandIn(text);

        // Assess
        expect(command).toBeUndefined();
      },
    );
  });
});
