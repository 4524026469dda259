import { DateTime } from 'luxon';
import { Draw } from './random';

/**
 * A synthetic community, drawn from a seed: who its members are, and every
 * event its chat would send Hearth over some weeks, as generic webhook bodies
 * (docs/contract.md, "The generic webhook"). Pure: the same options give the
 * same community, event for event.
 *
 * - Members: three in five were there before Hearth (their joins arrive as history at
 *   the start, so some have anniversaries); the rest join over the weeks. Each
 *   has a time zone from around the world (and wakes and writes in it), a
 *   locale, usually a birthday (on the join's profile, or told later with
 *   `/birthday`), and an appetite for talk drawn from a heavy tail: most say
 *   little, a few say most.
 * - Activity: messages on the days a member is around, a share of them replies
 *   to someone's recent message, and reactions to others' messages.
 * - Life: some members go quiet for good, some go quiet and come back, a few
 *   opt out (and one in three back in), a few leave; three staff and a bot talk
 *   every day; a dozen referrers ask for their code (`/invite`) and bring
 *   friends, who join through the code or through a link that names them.
 * - The calendar: members reply to and react on each Friday post for a day after it, and in the last week
 *   about one member in eight takes the 7-day check-in challenge, most days (`/checkin`, or a message with
 *   its keyword), some every day.
 */

export interface DemoOptions {
  members: number;
  weeks: number;
  seed: number;
}

/** The community's own zone, and the Monday its last simulated week ends on: fixed, so runs repeat. */
export const DEMO_ZONE = 'Europe/London';
export const DEMO_END = DateTime.fromISO('2026-11-30T00:00', { zone: DEMO_ZONE });

/** A member as the generator imagines them (the ground truth the events tell Hearth). */
export interface DemoMember {
  id: string;
  name: string;
  timezone: string;
  locale: string;
  role: 'member' | 'staff' | 'bot';
  joinedAt: DateTime;
  /** Joined before the replay starts: the join is history. */
  existing: boolean;
  /** How much they talk (1 and up, heavy-tailed). */
  appetite: number;
}

/** One event to post: when it reaches Hearth, and its body. */
export interface DemoEvent {
  /** When it is posted (the simulated time of the webhook call). */
  at: number;
  body: GenericEvent;
  /**
   * A join through a referrer's code: the code is the one Hearth gave the referrer (its answer to their
   * `/invite`), so it is looked up when the join is posted and goes in `referralCode`.
   */
  codeOf?: string;
}

export type GenericEvent = Record<string, unknown> & { id: string; type: string; occurredAt: string };

export interface DemoCommunity {
  config: Record<string, unknown>;
  members: DemoMember[];
  /** Sorted by `at`, then by generation order. */
  events: DemoEvent[];
  start: DateTime;
  end: DateTime;
}

const ZONES: readonly (readonly [string, number])[] = [
  ['Europe/London', 14],
  ['Europe/Berlin', 12],
  ['Europe/Madrid', 5],
  ['America/New_York', 12],
  ['America/Chicago', 5],
  ['America/Los_Angeles', 8],
  ['America/Sao_Paulo', 6],
  ['Africa/Lagos', 4],
  ['Asia/Kolkata', 8],
  ['Asia/Shanghai', 9],
  ['Asia/Tokyo', 5],
  ['Australia/Sydney', 5],
  ['Pacific/Auckland', 2],
];

const FIRST = [
  'Ada',
  'Ben',
  'Chen',
  'Dara',
  'Eli',
  'Fatima',
  'Gus',
  'Hana',
  'Ivan',
  'Jo',
  'Kofi',
  'Lena',
  'Mei',
  'Nia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sami',
  'Tom',
  'Uma',
  'Vik',
  'Wen',
  'Xavi',
  'Yara',
  'Zoe',
];
const LAST = 'ABCDEFGHIJKLMNOPRSTUVWYZ'.split('');

/** The demo's 7-day check-in challenge: the last simulated week, Monday to Sunday. */
export const DEMO_CHALLENGE = {
  id: 'ship-week',
  start: DEMO_END.minus({ weeks: 1 }).toISODate() as string,
  days: 7,
  hour: 9,
  keyword: 'shipped',
  owner: 'ops@demo.example',
  points: 50,
} as const;

/** The calendar entry of the weekly post, and the member who stands for Hearth's own bot account. */
const SHOW_AND_TELL = 'show-and-tell';
const HEARTH_BOT = 'm0004';

/**
 * The demo community's config: generic platform, the bundled demo's secret, two holidays in the weeks shown,
 * a weekly post in its calendar (Friday show-and-tell, 17:00 local, in #showcase) and a 7-day challenge.
 */
export function demoConfig(): Record<string, unknown> {
  return {
    id: 'demo',
    name: 'Hearth Demo Makers',
    timezone: DEMO_ZONE,
    locale: 'en',
    operators: ['ops@demo.example'],
    webhookSecret: 'whsec_demo_local_only',
    platform: { kind: 'generic' },
    referrals: { linkTemplate: 'https://demo.example/join?code={code}' },
    holidays: [
      { date: '10-31', template: 'holiday.halloween', audience: 'channel', hour: 10 },
      { date: '2026-11-26', template: 'holiday.thanksgiving', audience: 'members', hour: 10 },
    ],
    calendar: [
      {
        id: SHOW_AND_TELL,
        template: 'showAndTell',
        owner: 'ops@demo.example',
        channel: 'showcase',
        rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0',
        start: '2026-01-01',
      },
    ],
    challenges: [DEMO_CHALLENGE],
    templates: {
      en: {
        showAndTell: 'Friday show-and-tell at {community}: what did you build this week? Share it in #showcase.',
        'holiday.halloween': 'Happy Halloween from everyone at {community}!',
        'holiday.thanksgiving': 'Happy Thanksgiving, {name}: thank you for being part of {community}.',
      },
    },
  };
}

const CHANNELS = ['general', 'showcase', 'help'];
const MINUTE = 60_000;

export function generateCommunity(options: DemoOptions): DemoCommunity {
  const draw = Draw.seeded(options.seed);
  const end = DEMO_END;
  const start = end.minus({ weeks: options.weeks });
  const days = Math.round(end.diff(start, 'days').days);
  const events: DemoEvent[] = [];
  let seq = 0;
  const nextId = (prefix: string) => `${prefix}-${options.seed}-${++seq}`;
  const emit = (at: number, body: Omit<GenericEvent, 'id'> & { id?: string }, codeOf?: string) => {
    events.push({ at, body: { id: body.id ?? nextId('e'), ...body } as GenericEvent, ...(codeOf ? { codeOf } : {}) });
  };

  const members = drawMembers(draw, options, start, days);
  /** When a member leaves (after it they neither talk nor react). */
  const leftAt = new Map<string, number>();
  const profile = (m: DemoMember, extra: Record<string, unknown> = {}) => ({
    id: m.id,
    name: m.name,
    ...(m.role === 'staff' ? { isStaff: true } : m.role === 'bot' ? { isBot: true } : {}),
    ...extra,
  });

  // Referrers: a dozen talkative members who ask for their code in their first days here.
  const regulars = members.filter((m) => m.role === 'member');
  const referrers = [...regulars].sort((a, b) => b.appetite - a.appetite).slice(0, Math.min(12, regulars.length));
  const askedAt = new Map<string, number>();
  for (const r of referrers) {
    const at = Math.max(r.joinedAt.toMillis(), start.toMillis()) + draw.int(60, 3 * 24 * 60) * MINUTE;
    askedAt.set(r.id, at);
    emit(at, message(r, at, { text: '/invite', channelId: 'general' }));
  }

  for (const m of members) {
    // The join: history for an existing member (posted at the start), live for a newcomer.
    const birthday = draw.chance(0.75) ? birthdayOf(draw) : undefined;
    const toldBirthdayLater = birthday !== undefined && m.role === 'member' && draw.chance(0.2);
    const joinProfile = profile(m, {
      timezone: m.timezone,
      locale: m.locale,
      ...(birthday && !toldBirthdayLater ? { birthday } : {}),
    });
    const postedAt = Math.max(m.joinedAt.toMillis(), start.toMillis());
    const join: Omit<GenericEvent, 'id'> = {
      type: 'member.joined',
      occurredAt: iso(m.joinedAt.toMillis()),
      member: joinProfile,
    };
    let codeOf: string | undefined;
    if (!m.existing && m.role === 'member' && referrers.length && draw.chance(0.18)) {
      const referrer = draw.pick(referrers);
      if ((askedAt.get(referrer.id) ?? Infinity) < postedAt && referrer.id !== m.id) {
        if (draw.chance(0.65)) codeOf = referrer.id;
        else Object.assign(join, { invitedBy: referrer.id, referralConfidence: 'probable' });
      }
    }
    emit(postedAt, join, codeOf);
    if (toldBirthdayLater) {
      const at = postedAt + draw.int(1, 10) * 24 * 60 * MINUTE + draw.int(0, 600) * MINUTE;
      emit(at, message(m, at, { text: `/birthday ${birthday}`, channelId: 'general' }));
    }
  }

  // Who is around when: each member's days, with quiet spells, opt-outs and leaves.
  const recent: { id: string; author: string; at: number }[] = [];
  const activity: { at: number; member: DemoMember }[] = [];
  for (const m of members) {
    const from = Math.max(m.joinedAt.toMillis(), start.toMillis());
    const firstDay = Math.floor((from - start.toMillis()) / 86_400_000);
    const lurker = m.role === 'member' && !m.existing && draw.chance(0.3);
    if (lurker) continue;
    // Going quiet: some for good, some for a spell long enough for a win-back, then back.
    const quietFrom = m.role === 'member' && draw.chance(0.25) ? draw.int(firstDay + 3, days + 20) : Infinity;
    const comesBack = draw.chance(0.45);
    const quietUntil = comesBack ? quietFrom + draw.int(16, 30) : Infinity;
    const leavesOn = m.role === 'member' && draw.chance(0.04) ? draw.int(firstDay + 2, days + 10) : Infinity;
    const p = m.role === 'member' ? Math.min(0.6, 0.018 * m.appetite) : 0.9;
    for (let day = firstDay; day < days && day < leavesOn; day++) {
      if (day >= quietFrom && day < quietUntil) continue;
      if (!draw.chance(p)) continue;
      const count = m.role === 'bot' ? 3 : 1 + Math.floor(draw.next() * Math.min(m.appetite, 12) * 0.4);
      for (let k = 0; k < count; k++) {
        const local = start
          .plus({ days: day })
          .setZone(m.timezone, { keepLocalTime: false })
          .set({ hour: draw.int(7, 23), minute: draw.int(0, 59), second: draw.int(0, 59) });
        const at = local.toMillis();
        if (at < from || at >= end.toMillis()) continue;
        activity.push({ at, member: m });
      }
    }
    if (leavesOn < days) {
      const at = start.plus({ days: leavesOn, hours: draw.int(8, 20) }).toMillis();
      if (at > from) {
        emit(at, { type: 'member.left', occurredAt: iso(at), member: profile(m) });
        leftAt.set(m.id, at);
      }
    }
    if (m.role === 'member' && draw.chance(0.04)) {
      const at = from + draw.int(2, 30) * 24 * 60 * MINUTE;
      if (at < end.toMillis()) {
        emit(at, message(m, at, { text: '/optout', channelId: 'general' }));
        if (draw.chance(0.33)) {
          const back = at + draw.int(3, 14) * 24 * 60 * MINUTE;
          if (back < end.toMillis()) emit(back, message(m, back, { text: '/optin', channelId: 'general' }));
        }
      }
    }
  }

  // Messages in time order, so a reply answers one said before it; reactions a little after, from members
  // who talk more, more often.
  const givers = members.filter((x) => x.role === 'member').map((x) => [x, x.appetite] as const);
  activity.sort((a, b) => a.at - b.at || (a.member.id < b.member.id ? -1 : 1));
  for (const { at, member } of activity) {
    const id = nextId('msg');
    const earlier = recent.filter((r) => r.author !== member.id && at - r.at < 2 * 86_400_000);
    const replyTo = member.role !== 'bot' && earlier.length && draw.chance(0.3) ? draw.pick(earlier) : undefined;
    emit(
      at,
      message(member, at, {
        id,
        channelId: member.role === 'bot' ? 'announcements' : draw.pick(CHANNELS),
        ...(replyTo ? { replyTo: replyTo.author, replyToMessage: replyTo.id } : {}),
      }),
    );
    recent.push({ id, author: member.id, at });
    if (recent.length > 60) recent.shift();
    const reactions = draw.poisson(member.role === 'bot' ? 0.25 : 0.3);
    for (let r = 0; r < reactions; r++) {
      const giver = draw.weighted(givers);
      const when = at + draw.int(1, 180) * MINUTE;
      const around = giver.joinedAt.toMillis() <= when && when < (leftAt.get(giver.id) ?? Infinity);
      if (giver.id === member.id || when >= end.toMillis() || !around) continue;
      emit(when, {
        type: 'reaction.added',
        occurredAt: iso(when),
        member: profile(giver),
        toMemberId: member.id,
        messageId: id,
      });
    }
  }

  // Responses to each Friday post (its id is its outbox id, the local chat line's): replies in #showcase and
  // reactions on it, from a few members who are around, over the day after it goes at 17:00 London.
  for (let friday = start.set({ weekday: 5, hour: 17 }); friday < end; friday = friday.plus({ weeks: 1 })) {
    if (friday < start) continue;
    const postId = `post#demo##community#${SHOW_AND_TELL}@${iso(friday.toMillis())}`;
    const around = (m: DemoMember, at: number) => m.joinedAt.toMillis() <= at && at < (leftAt.get(m.id) ?? Infinity);
    for (let r = draw.int(2, 8); r > 0; r--) {
      const at = friday.toMillis() + draw.int(5, 20 * 60) * MINUTE;
      const who = draw.weighted(givers);
      if (at >= end.toMillis() || !around(who, at)) continue;
      emit(at, message(who, at, { channelId: 'showcase', replyToMessage: postId }));
    }
    for (let r = draw.int(3, 12); r > 0; r--) {
      const at = friday.toMillis() + draw.int(2, 12 * 60) * MINUTE;
      const who = draw.weighted(givers);
      if (at >= end.toMillis() || !around(who, at)) continue;
      emit(at, {
        type: 'reaction.added',
        occurredAt: iso(at),
        member: profile(who),
        toMemberId: HEARTH_BOT,
        messageId: postId,
      });
    }
  }

  // The check-in challenge: about one member in eight who is around takes it, each checking in on most of
  // its days (London's days) at a London hour from 08:00 to 22:00, by `/checkin` or by its keyword.
  const challengeStart = DateTime.fromISO(DEMO_CHALLENGE.start, { zone: DEMO_ZONE });
  const takers = regulars.filter(
    (m) => m.joinedAt < challengeStart && (leftAt.get(m.id) ?? Infinity) > end.toMillis() && draw.chance(0.12),
  );
  for (const m of takers) {
    const keeps = 0.6 + draw.next() * 0.45;
    for (let d = 0; d < DEMO_CHALLENGE.days; d++) {
      if (!draw.chance(keeps)) continue;
      const at = challengeStart
        .plus({ days: d })
        .set({ hour: draw.int(8, 21), minute: draw.int(0, 59) })
        .toMillis();
      if (at >= end.toMillis()) continue;
      const text = draw.chance(0.5) ? '/checkin' : `Day ${d + 1}: shipped a small thing`;
      emit(at, message(m, at, { channelId: 'general', text }));
    }
  }

  // In time order (ties in the order drawn), and only what happens within the weeks.
  const order = new Map(events.map((e, i) => [e, i]));
  const within = events.filter((e) => e.at < end.toMillis());
  within.sort((a, b) => a.at - b.at || (order.get(a) as number) - (order.get(b) as number));
  return { config: demoConfig(), members, events: within, start, end };
}

function drawMembers(draw: Draw, options: DemoOptions, start: DateTime, days: number): DemoMember[] {
  const members: DemoMember[] = [];
  for (let i = 0; i < options.members; i++) {
    const role: DemoMember['role'] = i < 3 ? 'staff' : i === 3 ? 'bot' : 'member';
    const existing = role !== 'member' || draw.chance(0.6);
    const timezone = role === 'bot' ? 'Etc/UTC' : draw.weighted(ZONES);
    // Joins before the start over the past three years; newcomers over the weeks, a few more each week.
    const joinedAt = existing
      ? start.minus({ days: draw.int(20, 1100), minutes: draw.int(0, 1439) })
      : start.plus({ minutes: Math.floor(Math.sqrt(draw.next()) * days * 1440) });
    const name = role === 'bot' ? 'Hearth Demo Bot' : `${draw.pick(FIRST)} ${draw.pick(LAST)}.`;
    members.push({
      id: `m${String(i + 1).padStart(4, '0')}`,
      name,
      timezone,
      locale: timezone === 'Asia/Shanghai' && draw.chance(0.6) ? 'zh-CN' : 'en',
      role,
      joinedAt,
      existing,
      appetite: role === 'member' ? Math.min(60, draw.pareto(1.3)) : 20,
    });
  }
  return members;
}

function birthdayOf(draw: Draw): string {
  // A day of a leap year, so 02-29 can be drawn (a year without one greets it on 02-28).
  const day = DateTime.fromObject({ year: 2000, month: 1, day: 1 }).plus({ days: draw.int(0, 365) });
  const md = day.toFormat('MM-dd');
  // Some give the year too (never with 02-29: most years have none).
  return md !== '02-29' && draw.chance(0.4) ? `${draw.int(1960, 2006)}-${md}` : md;
}

function message(m: DemoMember, at: number, fields: Record<string, unknown>): Omit<GenericEvent, 'id'> {
  return {
    type: 'message.posted',
    occurredAt: iso(at),
    member: {
      id: m.id,
      name: m.name,
      ...(m.role === 'staff' ? { isStaff: true } : m.role === 'bot' ? { isBot: true } : {}),
    },
    ...fields,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
