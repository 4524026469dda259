import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hearth } from '../support/local-stack';

/** A community in New York, where 8 March 2026 has no 02:30 (clocks go from 02:00 to 03:00). */
const COMMUNITY = {
  id: 'cal',
  name: 'Calendar',
  timezone: 'America/New_York',
  locale: 'en',
  webhookSecret: 'whsec_calendar_e2e',
  platform: { kind: 'generic' },
  templates: { en: { topic: 'Friday show-and-tell: what did you build this week?' } },
  calendar: [
    {
      id: 'show',
      template: 'topic',
      owner: 'Ana',
      rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0',
      start: '2026-03-01',
    },
  ],
};

describe('End to end: the calendar through the CLI', () => {
  let dataDir: string;
  const run = (...args: string[]) => hearth(dataDir, ...args);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hearth-e2e-calendar-'));
    await writeFile(join(dataDir, 'cal.json'), JSON.stringify(COMMUNITY));
    expect((await run('community', 'put', join(dataDir, 'cal.json'))).code).toBe(0);
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('adds a daily 02:30 post with a warning, previews it across the spring gap, and removes it', async () => {
    // Act
    const added = await run(
      'calendar',
      'add',
      'cal',
      '--id',
      'night',
      '--template',
      'topic',
      '--rrule',
      'FREQ=DAILY;BYHOUR=2;BYMINUTE=30',
      '--start',
      '2026-03-06',
      '--until',
      '2026-03-09',
    );
    const preview = await run('calendar', 'preview', 'cal', '--from', '2026-03-06T00:00:00Z', '--next', '5', '--json');

    // Assess: 8 March is skipped; the Friday post keeps 17:00 local.
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('warning: night posts between 01:00 and 03:00');
    expect(JSON.parse(preview.stdout)).toEqual([
      { entry: 'night', at: '2026-03-06T07:30:00.000Z', local: '2026-03-06T02:30' },
      { entry: 'show', at: '2026-03-06T22:00:00.000Z', local: '2026-03-06T17:00' },
      { entry: 'night', at: '2026-03-07T07:30:00.000Z', local: '2026-03-07T02:30' },
      { entry: 'night', at: '2026-03-09T06:30:00.000Z', local: '2026-03-09T02:30' },
      { entry: 'show', at: '2026-03-13T21:00:00.000Z', local: '2026-03-13T17:00' },
    ]);

    // Act: the job queues the first post; removing the entry cancels it.
    const job = await run('run', 'calendar', '--at', '2026-03-06T06:50:00Z', '--json');
    const removed = await run('calendar', 'remove', 'cal', 'night', '--json');
    const listed = await run('calendar', 'list', 'cal', '--json');

    // Assess
    expect(JSON.parse(job.stdout)).toMatchObject({ job: 'calendar', queued: 1 });
    expect(JSON.parse(removed.stdout)).toEqual({ removed: 'night', cancelled: 1 });
    expect(JSON.parse(listed.stdout).map((e: { id: string }) => e.id)).toEqual(['show']);
  });

  it('refuses a bad entry with exit 2, naming the field, and stores nothing', async () => {
    // Act
    const refusedByLibrary = await run(
      'calendar',
      'add',
      'cal',
      '--id',
      'x',
      '--template',
      'topic',
      '--rrule',
      'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0;BYHOUR=9',
      '--start',
      '2026-03-01',
      '--json',
    );
    const badDate = await run(
      'calendar',
      'add',
      'cal',
      '--id',
      'y',
      '--template',
      'topic',
      '--at',
      '2026-02-30T10:00',
      '--json',
    );
    const badFrom = await run('calendar', 'preview', 'cal', '--from', 'soon', '--json');
    const listed = await run('calendar', 'list', 'cal', '--json');

    // Assess
    expect(refusedByLibrary.code).toBe(2);
    expect(JSON.parse(refusedByLibrary.stdout)).toMatchObject({ error: 'usage', field: 'calendar.1.rrule' });
    expect(badDate.code).toBe(2);
    expect(JSON.parse(badDate.stdout)).toMatchObject({
      field: 'calendar.1.at',
      message: 'calendar.1.at: is not a date',
    });
    expect(badFrom.code).toBe(2);
    expect(JSON.parse(badFrom.stdout)).toMatchObject({ field: 'from' });
    expect(JSON.parse(listed.stdout).map((e: { id: string }) => e.id)).toEqual(['show']);
  });

  it('adds a check-in challenge, queues its prompt, shows it, refuses a bad one and removes it', async () => {
    // Act
    const added = await run(
      'calendar',
      'challenge',
      'add',
      'cal',
      '--id',
      'run-7',
      '--start',
      '2026-03-09',
      '--days',
      '7',
      '--hour',
      '8',
      '--keyword',
      'run',
      '--owner',
      'Ana',
      '--json',
    );
    const badDays = await run(
      'calendar',
      'challenge',
      'add',
      'cal',
      '--id',
      'x',
      '--start',
      '2026-03-09',
      '--days',
      '0',
      '--json',
    );
    const notNumber = await run(
      'calendar',
      'challenge',
      'add',
      'cal',
      '--id',
      'x',
      '--start',
      '2026-03-09',
      '--days',
      'week',
    );
    // 07:50 on Monday 9 March in New York (EDT since the 8th): the 08:00 prompt is queued.
    const job = await run('run', 'calendar', '--at', '2026-03-09T11:50:00Z', '--json');
    const listed = await run('calendar', 'list', 'cal');
    const shown = await run('calendar', 'challenge', 'show', 'cal', 'run-7', '--json');
    const removed = await run('calendar', 'challenge', 'remove', 'cal', 'run-7', '--json');

    // Assess
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toEqual({ stored: 'run-7', start: '2026-03-09', last: '2026-03-15', hour: 8 });
    expect(badDays.code).toBe(2);
    expect(JSON.parse(badDays.stdout)).toMatchObject({ error: 'usage', field: 'challenges.1.days' });
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain('--days must be a whole number, got "week"');
    expect(JSON.parse(job.stdout)).toMatchObject({ job: 'calendar', queued: 1 });
    expect(listed.stdout).toContain('run-7      2026-03-09 to 2026-03-15 (7)');
    expect(listed.stdout).toContain('/checkin, "run"');
    expect(JSON.parse(shown.stdout)).toEqual({
      id: 'run-7',
      owner: 'Ana',
      start: '2026-03-09',
      days: 7,
      participants: 0,
      completed: 0,
      longest: [],
    });
    expect(JSON.parse(removed.stdout)).toEqual({ removed: 'run-7', cancelled: 1 });
  });
});
