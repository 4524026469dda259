import { beforeAll, describe, expect, it } from 'vitest';
import type { CommunityConfig } from '../../shared/domain/config';
import { CommunityCache, putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { listOutbox } from '../../shared/store/outbox';
import { getSweepMark } from '../../shared/store/sweeps';
import { calendarSweep, cancelEntryPosts } from '../../shared/workflows/calendar/decisions';
import { postId } from '../../shared/workflows/calendar/ids';
import { dispatch } from '../../shared/workflows/dispatch';
import { freshTable } from '../support/dynamo';
import { communityConfig } from '../support/fixtures';
import { RecordingSender } from '../support/senders';

const at = (iso: string) => new Date(iso);

describe('Calendar: scheduled posts through the outbox', () => {
  let db: Db;
  const sender = new RecordingSender();
  // New York: EST (UTC-5) after 1 November 2026. Friday 6 November, 17:00 local is 22:00 UTC.
  const community: CommunityConfig = communityConfig({
    id: 'cal',
    timezone: 'America/New_York',
    locale: 'en',
    onboarding: { enabled: false },
    templates: {
      en: { topic: 'Friday show-and-tell: what did you build this week?', launch: 'We launch today at noon!' },
    },
    calendar: [
      {
        id: 'show',
        template: 'topic',
        owner: 'Ana',
        rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0',
        start: '2026-10-01',
        skip: ['2026-11-13'],
      },
      { id: 'launch', template: 'launch', at: '2026-11-06T12:00', channel: 'news' },
    ],
  });
  const dispatchAt = (when: string) =>
    dispatch({ db, communities: new CommunityCache(db, 0), senderFor: () => sender }, at(when), {});

  beforeAll(async () => {
    db = await freshTable('calendar');
    await putCommunity(db, community, at('2026-10-01T00:00:00Z'));
  });

  it('queues each post before its hour, due at its minute, once however often the job runs', async () => {
    // Act: 10:50 local: the launch at noon is in the window (until 12:00 local), the 17:00 post is not.
    const morning = await calendarSweep(db, [community], at('2026-11-06T15:50:00Z'), {});
    const again = await calendarSweep(db, [community], at('2026-11-06T15:50:00Z'), {});

    // Assess
    expect(morning).toEqual({ communities: 1, found: 1, queued: 1, refused: 0 });
    expect(again.queued).toBe(0);
    const launch = postId('cal', { entry: 'launch', at: at('2026-11-06T17:00:00Z') });
    expect((await listOutbox(db, 'cal')).map((i) => [i.id, i.kind, i.dueAt, i.channel])).toEqual([
      [launch, 'post', '2026-11-06T17:00:00.000Z', 'news'],
    ]);
    expect(await getSweepMark(db, 'calendar', 'cal')).toBe('2026-11-06T17:00:00.000Z');

    // Act: 15:50 local, two sweeps at once (a retried schedule beside the first).
    const [a, b] = await Promise.all([
      calendarSweep(db, [community], at('2026-11-06T20:50:00Z'), {}),
      calendarSweep(db, [community], at('2026-11-06T20:50:00Z'), {}),
    ]);

    // Assess: the 17:00 post queued once between them.
    expect(a.queued + b.queued).toBe(1);
    expect((await listOutbox(db, 'cal')).map((i) => i.dueAt).sort()).toEqual([
      '2026-11-06T17:00:00.000Z',
      '2026-11-06T22:00:00.000Z',
    ]);
  });

  it('posts each at its minute, to its channel, once, even with two dispatchers at once', async () => {
    // Act: a minute early, then at noon local with two dispatchers, then at 17:00 local.
    await dispatchAt('2026-11-06T16:59:00Z');
    const early = sender.sent.length;
    await Promise.all([dispatchAt('2026-11-06T17:00:00Z'), dispatchAt('2026-11-06T17:00:00Z')]);
    await dispatchAt('2026-11-06T22:00:00Z');

    // Assess
    expect(early).toBe(0);
    expect(sender.sent.map((m) => [m.kind, m.delivery, m.channel, m.text])).toEqual([
      ['post', 'channel', 'news', 'We launch today at noon!'],
      ['post', 'channel', null, 'Friday show-and-tell: what did you build this week?'],
    ]);
    expect((await listOutbox(db, 'cal')).map((i) => i.status)).toEqual(['sent', 'sent']);
  });

  it('posts nothing on a skip day, and the next Friday as usual', async () => {
    // Act: the job through the skipped Friday (13 November) and the next one (20 November), hour by hour.
    for (let t = Date.parse('2026-11-13T21:50:00Z'); t <= Date.parse('2026-11-20T21:50:00Z'); t += 3_600_000) {
      await calendarSweep(db, [community], new Date(t), {});
    }

    // Assess
    expect((await listOutbox(db, 'cal')).map((i) => i.dueAt).sort()).toEqual([
      '2026-11-06T17:00:00.000Z',
      '2026-11-06T22:00:00.000Z',
      '2026-11-20T22:00:00.000Z',
    ]);
  });

  it('catches up a post whose minute passed while the job was down; an as-of run moves no mark', async () => {
    // Prepare: the job stopped after 20 November; 27 November's 17:00 post was never queued.
    const mark = await getSweepMark(db, 'calendar', 'cal');

    // Act: an as-of run forty minutes after the post.
    const asOf = await calendarSweep(db, [community], at('2026-11-27T22:40:00Z'), { asOf: true });

    // Assess: the as-of run looks an hour back and queues it due now; the mark stays.
    expect(asOf.queued).toBe(1);
    expect(await getSweepMark(db, 'calendar', 'cal')).toBe(mark);
    const late = (await listOutbox(db, 'cal')).find((i) => i.id.includes('2026-11-27'));
    expect(late).toMatchObject({ dueAt: '2026-11-27T22:40:00.000Z', notAfter: '2026-11-28T05:00:00.000Z' });
  });

  it("posts a campaign's reminders once each, and calling it off between them cancels what has not gone", async () => {
    // Prepare: an event at noon on 10 December (EST), reminded a day and an hour before.
    const campaign: CommunityConfig = communityConfig({
      ...community,
      templates: {
        en: { ...community.templates.en, meetup: 'Meetup at noon today!', soon: 'The meetup is coming up.' },
      },
      calendar: [
        {
          id: 'meetup',
          template: 'meetup',
          reminderTemplate: 'soon',
          at: '2026-12-10T12:00',
          reminders: ['-P1D', '-PT1H'],
        },
      ],
    });
    await putCommunity(db, campaign, at('2026-12-01T00:00:00Z'));
    sender.sent.length = 0;

    // Act: the job the day before, the reminder sent at noon; then, the morning of, the job queues the rest.
    await calendarSweep(db, [campaign], at('2026-12-09T15:50:00Z'), { asOf: true });
    await calendarSweep(db, [campaign], at('2026-12-09T15:50:00Z'), { asOf: true });
    await dispatchAt('2026-12-09T17:00:00Z');
    const morning = await calendarSweep(db, [campaign], at('2026-12-10T15:50:00Z'), { asOf: true });
    const cancelled = await cancelEntryPosts(db, 'cal', 'meetup', at('2026-12-10T15:55:00Z'));
    await dispatchAt('2026-12-10T16:00:00Z');
    await dispatchAt('2026-12-10T17:00:00Z');

    // Assess: one reminder went, with its own text; the hour-before reminder and the event were cancelled.
    expect(morning.queued).toBe(2);
    expect(cancelled).toBe(2);
    expect(sender.sent.map((m) => m.text)).toEqual(['The meetup is coming up.']);
    const items = (await listOutbox(db, 'cal')).filter((i) => i.id.includes('meetup'));
    expect(items.map((i) => [i.dueAt, i.status]).sort()).toEqual([
      ['2026-12-09T17:00:00.000Z', 'sent'],
      ['2026-12-10T16:00:00.000Z', 'skipped'],
      ['2026-12-10T17:00:00.000Z', 'skipped'],
    ]);
  });

  it('finds an entry added after a run had looked past its time: the next run looks an hour back', async () => {
    // Prepare: a run at 10:50 local on 15 December has swept to 12:00; then a post for 11:30 is added.
    const before: CommunityConfig = communityConfig({ ...community, calendar: [] });
    const added: CommunityConfig = communityConfig({
      ...community,
      calendar: [{ id: 'notice', template: 'topic', at: '2026-12-15T11:30' }],
    });
    await calendarSweep(db, [{ ...before, calendar: community.calendar }], at('2026-12-15T15:50:00Z'), {});

    // Act: the next run, at 11:50 local.
    const next = await calendarSweep(db, [added], at('2026-12-15T16:50:00Z'), {});

    // Assess: queued, due at once (20 minutes late), not lost behind the mark.
    expect(next.queued).toBe(1);
    const notice = (await listOutbox(db, 'cal')).find((i) => i.id.includes('notice'));
    expect(notice?.dueAt).toBe('2026-12-15T16:50:00.000Z');
  });
});
