import {
  type ChatMessage,
  type ChatSender,
  RetryLaterError,
  sendTimeLeft,
  UndeliverableError,
  withSendDeadline,
} from '../chat/sender';
import type { CommunityConfig } from '../domain/config';
import { quietUntil } from '../domain/guardrails';
import { render, templateText, templateVariables } from '../domain/templates';
import { dayIn } from '../domain/time';
import type { Mailer } from '../mail/mailer';
import { logger } from '../runtime/observability';
import { releaseCapSlot, reserveCapSlot } from '../store/caps';
import type { CommunityCache } from '../store/communities';
import type { Db } from '../store/db';
import { countDelivery, type Delivery } from '../store/deliveries';
import { getMember, type Member } from '../store/members';
import { bucketOf, claim, dueInBucket, type OutboxGuard, type OutboxItem, reschedule, settle } from '../store/outbox';
import { lastKnownSweepMark, setSweepMark } from '../store/sweeps';
import { watchSent } from '../store/watches';
import { type KindRules, type SendContext, toCommunity } from './contract';
import { deliveryOf } from './kind-deliveries';
import { kindLabel, kindRules, VARIABLE_SOURCES } from './registry';

/**
 * The dispatcher: the only part that talks to the outside world. It walks the
 * due buckets from its watermark to now, claims each due item with a lease,
 * checks the member can still be written to, renders and sends, and records
 * the result. A failing send is retried with exponential backoff and parked as
 * `failed` after the last attempt, where `hearth outbox --status failed` shows it.
 */

export interface DispatchDeps {
  db: Db;
  communities: CommunityCache;
  /** The sender for a community's platform. */
  senderFor(community: CommunityConfig): ChatSender;
  /** Where email goes (the digest), and from whom; without it, an item that mails cannot be sent. */
  mail?: { mailer: Mailer; from: string };
  /** How long the run may still take (the Lambda's remaining time); unlimited when absent. */
  timeLeftMs?: () => number;
}

export const MAX_ATTEMPTS = 5;
export const LEASE_MS = 60_000;
/** No item is claimed with less time than this left in the run. */
export const SEND_BUDGET_MS = 25_000;
/**
 * Kept between a send's deadline and the end of its lease or of the run: time
 * to record the result. A send past it would be re-sent by the next run.
 */
export const SETTLE_MARGIN_MS = 5_000;
/** An email goes only with this much of its send's deadline left (SES answers within it). */
export const MIN_MAIL_MS = 5_000;
/** How far back a run looks when no watermark is recorded, and an as-of run always. */
export const FIRST_LOOKBACK_HOURS = 24;
/** Backoff before retry `attempt` (1-based): 1, 2, 4, 8 minutes. */
export const backoffMs = (attempt: number): number => 60_000 * 2 ** (attempt - 1);

/** What one run did. */
export interface DispatchReport {
  buckets: number;
  sent: number;
  skipped: number;
  retried: number;
  failed: number;
  /** The items parked as failed in this run, by kind. */
  parked: Record<string, number>;
  /** Held back by quiet hours or the frequency cap, and due again when they allow. */
  deferred: number;
  /** The run stopped claiming for lack of time with items still due: they stay pending for the next run. */
  outOfTime: boolean;
}

/**
 * One dispatcher run at `now`. The scheduled run walks from the watermark and
 * moves it; an as-of run (`hearth run dispatch --at`, time travel in tests)
 * walks the day before `now` and leaves the watermark alone, so a run in the
 * future cannot make the scheduled one skip what is due today.
 */
export async function dispatch(
  deps: DispatchDeps,
  now: Date,
  options: { asOf?: boolean } = {},
): Promise<DispatchReport> {
  const report: DispatchReport = {
    buckets: 0,
    sent: 0,
    skipped: 0,
    retried: 0,
    failed: 0,
    parked: {},
    deferred: 0,
    outOfTime: false,
  };
  const current = bucketOf(now);
  const lookback = bucketOf(new Date(now.getTime() - FIRST_LOOKBACK_HOURS * 3_600_000));
  // The watermark this process moved last minute, without reading it again: one behind the stored one (another
  // instance ran since) only makes this run walk a few more buckets.
  const first = options.asOf ? lookback : ((await lastKnownSweepMark(deps.db, 'dispatch')) ?? lookback);
  let oldestUnsettled: string | undefined;
  // `now` is when the run started; a lease taken later in the run runs from that much later.
  const started = performance.now();
  const leaseFrom = () => new Date(now.getTime() + (performance.now() - started));
  walk: for (let hour = bucketStart(first); bucketOf(hour) <= current; hour = new Date(hour.getTime() + 3_600_000)) {
    const bucket = bucketOf(hour);
    report.buckets++;
    for (const item of await dueInBucket(deps.db, bucket, now)) {
      if (deps.timeLeftMs && deps.timeLeftMs() < SEND_BUDGET_MS) {
        // Out of time: what is left stays pending for the next run, and the watermark stays before it.
        oldestUnsettled ??= bucket;
        report.outOfTime = true;
        break walk;
      }
      const settled = await deliver(deps, item, now, report, leaseFrom());
      if (!settled && oldestUnsettled === undefined) oldestUnsettled = bucket;
    }
  }
  // Never past the previous hour: an item decided at the end of an hour, or one the index shows a moment
  // late (it is eventually consistent), may land in a bucket just after this run has read it.
  const previous = bucketOf(new Date(now.getTime() - 3_600_000));
  const mark = oldestUnsettled !== undefined && oldestUnsettled < previous ? oldestUnsettled : previous;
  if (!options.asOf) await setSweepMark(deps.db, 'dispatch', mark);
  return report;
}

const bucketStart = (bucket: string): Date => new Date(`${bucket.slice(4)}:00:00.000Z`);

/**
 * The message text, rendered at send time in the member's locale from the
 * community's templates, else Hearth's (their name may have changed since the
 * decision). Each variable the text uses comes from the workflow that
 * supplies it, or from the kind's own rules (points counted now, not when
 * `/points` was asked; an invite link made only for a text that offers one).
 */
async function renderItem(context: SendContext, rules: KindRules): Promise<string> {
  const { item, community, member } = context;
  const body = context.text(item.template ?? item.kind);
  const used = new Set(templateVariables(body));
  const vars: Record<string, string> = { name: member?.name ?? item.memberId, community: community.name };
  for (const variable of used) {
    const value = await VARIABLE_SOURCES[variable]?.value(context);
    if (value !== undefined) vars[variable] = value;
  }
  Object.assign(vars, await rules.vars?.(context, used));
  try {
    return render(body, { ...vars, ...item.vars });
  } catch (error) {
    // A text that cannot be rendered will not render on a retry either.
    throw new UndeliverableError((error as Error).message);
  }
}

/** What the kind's rules and the text need, for one item as it goes. */
function sendContext(
  deps: DispatchDeps,
  item: OutboxItem,
  community: CommunityConfig,
  member: Member | undefined,
  now: Date,
) {
  const locale = member?.locale ?? community.locale;
  const text = (template: string) => templateText(template, locale, community.templates, community.locale);
  const inviteLink = async (code: string) => deps.senderFor(community).inviteLink?.(code);
  const mail = async (message: { to: string[]; subject: string; text: string; html: string }) => {
    if (!deps.mail) throw new UndeliverableError('no mailer: this dispatcher cannot send email');
    // Preparing it (a digest's numbers) may have used up the lease, which another run may hold by now: a mail
    // sent then could go twice. Nothing is sent; the try counts, so an email that never fits is parked.
    if (sendTimeLeft() < MIN_MAIL_MS) {
      throw new Error('out of time before mailing (preparing it took most of the lease); nothing was sent');
    }
    await deps.mail.mailer.send({ id: item.id, from: deps.mail.from, date: now, ...message });
  };
  const label = (kind: string) => kindLabel(kind, locale);
  return { db: deps.db, item, community, member, now, text, inviteLink, mail, kindLabel: label } satisfies SendContext;
}

/**
 * Why an item must not go to its member, if it must not. A reply answers the
 * member who asked: it goes to staff, and to a member who just opted out (it
 * confirms that, and tells them how to undo it).
 */
function refusalFor(item: OutboxItem, rules: KindRules, member: Member | undefined, now: Date): string | undefined {
  if (item.notAfter && now.toISOString() >= item.notAfter) return 'too late: its day has passed';
  if (toCommunity(item)) return undefined;
  const answer = rules.answer === true;
  if (!member) return 'member unknown';
  if (member.status === 'left') return 'member left';
  if (member.optedOut && !answer) return 'member opted out';
  if (member.isBot) return 'member is a bot';
  if (member.isStaff && !answer) return 'member is staff';
  if (item.quietSince && member.lastActiveDay && member.lastActiveDay > item.quietSince) return 'member active again';
  return undefined;
}

/**
 * When the item may go, if not now: after the quiet hours of its member
 * (their time zone, else the community's) or, for a post to the community, of
 * the community; and, for a member, once the frequency cap has room. A slot
 * under the cap is reserved here; `reserved` says so, for giving it back if
 * the send does not happen. A responsive kind goes at once.
 */
async function waitFor(
  db: Db,
  { item, rules }: Claimed,
  { community, member }: Recipient,
  now: Date,
): Promise<{ until: Date; reason: string } | { reserved: boolean }> {
  if (rules.responsive) return { reserved: false };
  const quiet = quietUntil(now, member?.timezone ?? community.timezone, community.quietHours);
  if (quiet) return { until: quiet, reason: 'quiet hours' };
  if (!member) return { reserved: false };
  const capKey = item.capKey ?? item.id;
  const slot = await reserveCapSlot(db, item.communityId, item.memberId, capKey, community.caps, now, member);
  if (slot instanceof Date) return { until: slot, reason: 'frequency cap' };
  return { reserved: slot === 'reserved' };
}

/** One claimed item as this run holds it. */
interface Claimed {
  item: OutboxItem;
  /** Its kind's delivery rules (from the workflow that registers the kind). */
  rules: KindRules;
  /** Every change this run makes to the item holds only while its lease is still the one stored. */
  fence: OutboxGuard;
  /** When the claim was made (performance clock), for the send's deadline within the lease. */
  claimedAt: number;
  /** The wall-clock time now, for what this run stamps after its start (cap slots). */
  current: () => Date;
}

/** Who the item goes to, once it may go to them: a member, or the community itself (a channel post). */
interface Recipient {
  community: CommunityConfig;
  member?: Member;
}

/**
 * Deliver one item, in four steps: claim it, check it may go to its member,
 * hold it back while a guardrail says wait, then send it and record what
 * happened. False when it is left for another run (leased elsewhere).
 */
async function deliver(
  deps: DispatchDeps,
  due: OutboxItem,
  now: Date,
  report: DispatchReport,
  leaseFrom: Date,
): Promise<boolean> {
  const item = await claim(deps.db, due, leaseFrom, LEASE_MS);
  if (!item?.leaseUntil) return false;
  const rules = kindRules(item.kind);
  const fence: OutboxGuard = { lease: item.leaseUntil };
  // A kind no workflow registers has no text and no rules: nothing could send it, now or later.
  if (!rules) {
    const reason = `no template for outbox kind ${item.kind}`;
    if (await settle(deps.db, item, 'failed', now, fence, reason)) countParked(report, item);
    return true;
  }
  const claimedAt = performance.now();
  const claimed: Claimed = {
    item,
    rules,
    fence,
    claimedAt,
    current: () => new Date(leaseFrom.getTime() + (performance.now() - claimedAt)),
  };
  const recipient = await checkRecipient(deps, claimed, now, report);
  if (!recipient) return true;
  const slot = await holdBack(deps.db, claimed, recipient, now, report);
  if (slot === 'held') return true;
  await sendAndRecord(deps, claimed, recipient, slot, now, report);
  return true;
}

/** Step 2: the community and member the item is for, or undefined once it is settled as not to be sent. */
async function checkRecipient(
  deps: DispatchDeps,
  { item, rules, fence }: Claimed,
  now: Date,
  report: DispatchReport,
): Promise<Recipient | undefined> {
  const community = await deps.communities.get(item.communityId, now);
  if (!community) {
    if (await settle(deps.db, item, 'skipped', now, fence, 'community no longer exists')) report.skipped++;
    return undefined;
  }
  // Strongly consistent: an opt-out or a leave written a moment ago must stop this send.
  const member = toCommunity(item)
    ? undefined
    : await getMember(deps.db, item.communityId, item.memberId, { consistent: true });
  const refusal = refusalFor(item, rules, member, now);
  if (refusal) {
    if (await settle(deps.db, item, 'skipped', now, fence, refusal)) {
      report.skipped++;
      await tally(deps.db, community, now, { held: refusal });
    }
    return undefined;
  }
  return { community, member };
}

/**
 * Step 3: the guardrails. `held` when the item waits (quiet hours, the cap) or is recorded without a send
 * (a dry run, or too late by the time it could go); otherwise whether a cap slot was reserved for it.
 */
async function holdBack(
  db: Db,
  claimed: Claimed,
  recipient: Recipient,
  now: Date,
  report: DispatchReport,
): Promise<'held' | { reserved: boolean }> {
  const { item, fence, current } = claimed;
  const wait = await waitFor(db, claimed, recipient, current());
  if ('until' in wait) {
    // Nothing was attempted: the item keeps its attempt, unless by then it would be too late.
    const tooLate = item.notAfter && wait.until.toISOString() >= item.notAfter;
    const done = tooLate
      ? await settle(db, item, 'skipped', now, fence, `${wait.reason} until its day had passed`)
      : await reschedule(db, item, wait.until, fence, wait.reason, item.attempts - 1);
    if (done) {
      report[tooLate ? 'skipped' : 'deferred']++;
      // Held back by the guardrail once, however long it waits: a reschedule of an item already waiting is not.
      if (tooLate || item.reason !== wait.reason) await tally(db, recipient.community, now, { held: wait.reason });
    }
    return 'held';
  }
  // A dry run goes through every guardrail (and counts against the cap) so that it records what would be sent.
  if (recipient.community.dryRun) {
    if (await settle(db, item, 'skipped', now, fence, 'dry run')) {
      report.skipped++;
      await tally(db, recipient.community, now, { held: 'dry run' });
    }
    return 'held';
  }
  return wait;
}

/**
 * Step 4: render, send within the lease and the run, and record it sent; a failure is retried or parked.
 * The kind's own steps run just before the send and after the record.
 */
async function sendAndRecord(
  deps: DispatchDeps,
  { item, rules, fence, claimedAt, current }: Claimed,
  { community, member }: Recipient,
  slot: { reserved: boolean },
  now: Date,
  report: DispatchReport,
): Promise<void> {
  try {
    const context = sendContext(deps, item, community, member, now);
    // A kind with its own delivery (an email) has no chat text to render.
    const deliver = rules.delivered ? deliveryOf(item.kind) : undefined;
    const text = deliver ? '' : await renderItem(context, rules);
    await rules.beforeSend?.(sendContext(deps, item, community, member, current()));
    // The send (pacing waits and the platform's retries included) ends within what is left of the lease
    // since the claim, and within the run.
    const leaseLeft = LEASE_MS - (performance.now() - claimedAt);
    const deadline = Math.min(leaseLeft, deps.timeLeftMs?.() ?? LEASE_MS) - SETTLE_MARGIN_MS;
    const sender = deps.senderFor(community);
    const result = await withSendDeadline(deadline, () =>
      deliver ? deliver(context).then(() => undefined) : sender.send(chatMessage(item, community, member, text), now),
    );
    if (await settle(deps.db, item, 'sent', now, fence, result?.fallback)) {
      report.sent++;
      await tally(deps.db, community, now, { sent: item.kind });
      // A post whose responses are counted: the platform's id of it, for the webhook to match replies to.
      if (rules.watched?.(community)) {
        const posted = result?.posted;
        const channel = posted?.channel ?? item.channel ?? undefined;
        await watchSent(deps.db, community.id, {
          itemId: item.id,
          kind: item.kind,
          ...posted,
          channel,
          sentAt: now,
        }).catch((error: Error) => logger.warn('a sent post was not watched', { id: item.id, error: error.name }));
      }
      // It went: what the kind records after (a tally) can fail without undoing the send or its cap slot.
      await rules
        .afterSend?.(sendContext(deps, item, community, member, now))
        .catch((error: Error) =>
          logger.warn('a step after a send failed', { id: item.id, kind: item.kind, error: error.name }),
        );
    }
  } catch (error) {
    if (slot.reserved) {
      await releaseCapSlot(deps.db, item.communityId, item.memberId, item.capKey ?? item.id).catch(() => undefined);
    }
    if (await recordFailure(deps.db, item, fence, error, now, report)) {
      await tally(deps.db, community, now, { failed: true });
    }
  }
}

/** Count an outcome for the digest, on the community's local day; a failure to count never fails the send. */
async function tally(db: Db, community: CommunityConfig, now: Date, outcome: Delivery): Promise<void> {
  await countDelivery(db, community.id, dayIn(now, community.timezone), outcome).catch((error: Error) =>
    logger.warn('could not count a delivery for the digest', { communityId: community.id, error }),
  );
}

/** The message a sender gets for an item. */
function chatMessage(
  item: OutboxItem,
  community: CommunityConfig,
  member: Member | undefined,
  text: string,
): ChatMessage {
  return {
    id: item.id,
    communityId: item.communityId,
    platform: community.platform.kind,
    kind: item.kind,
    memberId: item.memberId,
    delivery: item.delivery,
    channel: item.channel ?? null,
    text,
    memberName: member?.name,
    mention: item.delivery === 'channel',
    // An answer asked for in private never goes to a channel.
    dmFallback: community.dmFallbackToChannel && !item.private,
    ...(item.replyToken ? { interactionToken: item.replyToken } : {}),
  };
}

/**
 * A send that failed: held back by Hearth's own pacing (nothing went; the attempt is kept), retried with
 * backoff (no sooner than a platform's Retry-After), or parked as failed when retrying cannot help or the
 * attempts are spent.
 */
async function recordFailure(
  db: Db,
  item: OutboxItem,
  fence: OutboxGuard,
  error: unknown,
  now: Date,
  report: DispatchReport,
): Promise<boolean> {
  const reason = error instanceof Error ? error.message : String(error);
  const retryable = !(error instanceof Error && (error as { retryable?: boolean }).retryable === false);
  if (error instanceof RetryLaterError && !error.attempted && error.retryAt) {
    if (await reschedule(db, item, error.retryAt, fence, reason, item.attempts - 1)) report.retried++;
  } else if (retryable && item.attempts < MAX_ATTEMPTS) {
    const backoff = new Date(now.getTime() + backoffMs(item.attempts));
    const retryAt =
      error instanceof RetryLaterError && error.retryAt && error.retryAt > backoff ? error.retryAt : backoff;
    if (await reschedule(db, item, retryAt, fence, reason)) report.retried++;
  } else if (await settle(db, item, 'failed', now, fence, reason)) {
    countParked(report, item);
    return true;
  }
  return false;
}

/** An item parked as failed: counted, and by its kind (the handler's `SendsParked` metric). */
function countParked(report: DispatchReport, item: OutboxItem): void {
  report.failed++;
  report.parked[item.kind] = (report.parked[item.kind] ?? 0) + 1;
}
