import type { DateTime } from 'luxon';
import { startLocalStack } from '../infra/local/stack';
import { SCHEDULES } from '../infra/topology';
import { parseCommunityConfig } from '../shared/domain/config';
import { genericWebhookUrl, SIGNATURE_HEADER, signGeneric } from '../shared/platforms/generic/inbound';
import { putCommunity } from '../shared/store/communities';
import type { Db } from '../shared/store/db';
import { inviteCodeFor } from '../shared/workflows/referrals/store';
import type { DemoCommunity, DemoEvent } from './community';

/**
 * Replay a synthetic community through the real local stack, on a simulated
 * clock: every event is signed and POSTed to the generic webhook over HTTP on
 * loopback at its time, each hourly schedule invokes its function at the
 * minutes its cron names, and the dispatcher runs at each minute at which an
 * outbox item is due (the store tells the stack's `Db.onDue` of every item
 * that becomes pending), delivering to the local sinks (chat.jsonl, .eml files).
 * Minutes in which nothing happens are skipped: at those the deployed
 * schedules would find nothing to do (the dispatcher's every-minute run finds
 * nothing due), so skipping them changes no outcome, only the wall time.
 * Everything runs one step at a time, the bus drained after each, so a seed
 * gives the same outcome at every run.
 */

export interface ReplayProgress {
  /** Simulated time reached. */
  at: Date;
  /** Of the whole simulated span, 0 to 1. */
  fraction: number;
  posted: number;
  dispatches: number;
}

export interface ReplayResult {
  posted: number;
  sweeps: number;
  dispatches: number;
  /** When the replay stopped, in simulated time. */
  until: Date;
  /** Wall time spent posting events (and the reactions they trigger), in sweeps, and in dispatcher runs. */
  spentMs: { posting: number; sweeps: number; dispatching: number };
}

const MINUTE = 60_000;

/** `n` calls of `start`, started at once. */
const times = <T>(n: number, start: () => T): T[] => Array.from({ length: n }, start);
const HOUR = 3_600_000;

/** The minutes past each hour at which some hourly schedule fires, and which schedules. */
const HOURLY = SCHEDULES.filter((s) => s.cron.hour === '*' && /^\d+$/.test(s.cron.minute));
const SWEEP_MINUTES = [...new Set(HOURLY.map((s) => Number(s.cron.minute)))].sort((a, b) => a - b);

export async function replay(
  community: DemoCommunity,
  options: {
    dataDir: string;
    /** Simulated time to run to, after the last event (so the last week's digest goes out). */
    until: DateTime;
    onProgress?: (progress: ReplayProgress) => void;
    /**
     * How many of each invocation to start at once: 2 runs two of every sweep and two dispatchers side by
     * side at each firing, as a retried or overlapping schedule would (the race test). Default 1.
     */
    copies?: number;
  },
): Promise<ReplayResult & { db: Db; stop: () => Promise<void> }> {
  const start = community.start.toMillis();
  const copies = options.copies ?? 1;
  let now = start;
  const stack = await startLocalStack({
    dataDir: options.dataDir,
    port: 0,
    schedules: false,
    clock: () => new Date(now),
    inMemoryUntilStop: true,
  });
  const config = parseCommunityConfig(community.config);
  await putCommunity(stack.db, config, new Date(now));
  const url = genericWebhookUrl(stack.webhookBaseUrl, config.id);

  const post = async (event: DemoEvent) => {
    const body = event.codeOf
      ? { ...event.body, referralCode: await inviteCodeFor(stack.db, config.id, event.codeOf, new Date(now)) }
      : event.body;
    const raw = JSON.stringify(body);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signGeneric(config.webhookSecret, raw, new Date(now)),
      },
      body: raw,
    });
    if (!response.ok)
      throw new Error(`the webhook answered ${response.status} to ${body.type}: ${await response.text()}`);
    await response.arrayBuffer();
  };

  const result: ReplayResult = {
    posted: 0,
    sweeps: 0,
    dispatches: 0,
    until: new Date(start),
    spentMs: { posting: 0, sweeps: 0, dispatching: 0 },
  };
  const timed = async <T>(part: keyof ReplayResult['spentMs'], work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      result.spentMs[part] += performance.now() - t;
    }
  };
  const until = options.until.toMillis();
  const events = community.events;
  let next = 0;
  // The due times of items pending, as the store reports them: the dispatcher runs at the first minute at or
  // after each. One that is gone by then (cancelled by a leave) costs one run that finds nothing.
  const due: number[] = [];
  stack.db.onDue = (at) => {
    due.push(at.getTime());
  };
  const firstDue = () => (due.length ? Math.min(...due) : undefined);
  const dispatched = (minute: number) => {
    for (let i = due.length - 1; i >= 0; i--) if (due[i] <= minute) due.splice(i, 1);
  };

  try {
    for (let hour = start - (start % HOUR); hour < until; hour += HOUR) {
      let minute = Math.max(hour, start - (start % MINUTE));
      while (minute < hour + HOUR && minute < until) {
        now = minute;
        // At the minute's start, as the schedules fire: the hourly sweeps whose cron names it (those firing at
        // the same minute at once, as the deployed schedules invoke them), then the dispatcher, when anything
        // is due by now.
        const past = (minute - hour) / MINUTE;
        await timed('sweeps', async () => {
          const firing = HOURLY.filter((s) => Number(s.cron.minute) === past);
          result.sweeps += firing.length;
          await Promise.all(firing.flatMap((s) => times(copies, () => stack.functions[s.target]({ job: s.job }))));
          // Each fan-out queued a run per community: they finish within the minute, as the queue's consumers do.
          await stack.sweepQueue.drain();
          await stack.bus.drain();
        });
        for (let dueAt = firstDue(); dueAt !== undefined && dueAt <= minute; dueAt = firstDue()) {
          const reports = (await timed('dispatching', () =>
            Promise.all(times(copies, () => stack.functions.dispatcher({ job: 'dispatch' }))),
          )) as Array<{ outOfTime?: boolean }>;
          result.dispatches++;
          // A run that ran out of time goes again now, as the next minute's would; one that finished leaves only
          // what is due later (a wait, a retry).
          if (!reports.some((report) => report.outOfTime)) dispatched(minute);
        }
        // Then the events of the minute, each at its own second, and what they set off.
        await timed('posting', async () => {
          while (next < events.length && events[next].at < minute + MINUTE) {
            now = Math.max(events[next].at, minute);
            await post(events[next++]);
            result.posted++;
          }
          await stack.bus.drain();
        });
        // The next minute at which anything happens.
        const nextEvent = next < events.length ? events[next].at - (events[next].at % MINUTE) : Infinity;
        const nextSweep = SWEEP_MINUTES.map((m) => hour + m * MINUTE).find((m) => m > minute) ?? Infinity;
        const dueAt = firstDue();
        const nextDue = dueAt === undefined ? Infinity : Math.max(minute + MINUTE, Math.ceil(dueAt / MINUTE) * MINUTE);
        minute = Math.min(nextEvent, nextSweep, nextDue, hour + HOUR);
      }
      result.until = new Date(Math.min(hour + HOUR, until));
      options.onProgress?.({
        at: result.until,
        fraction: (Math.min(hour + HOUR, until) - start) / (until - start),
        posted: result.posted,
        dispatches: result.dispatches,
      });
    }
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return { ...result, db: stack.db, stop: () => stack.stop() };
}
