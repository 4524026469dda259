import type { CommunityConfig } from '../domain/config';
import type { InboundEvent } from '../domain/events';
import type { OperatorLocale } from '../domain/locale';
import type * as z from '../domain/zod';
import type { DomainEvent, DomainEventType } from '../events/domain-events';
import type { AnswerRoute } from '../platforms/types';
import type { Db } from '../store/db';
import type { Member } from '../store/members';
import type { OutboxItem } from '../store/outbox';
import type { Cadence } from './jobs';

/**
 * The contract every workflow folder fulfils (docs/architecture.md). A
 * workflow owns its config sections, its texts, its outbox kinds and their
 * delivery rules, its scheduled jobs, and what it does on domain events; the
 * machinery (the config schema, the template table, the dispatcher, the
 * lifecycle handler, the sweeps, the topology and `hearth run`) reads these
 * from the registry (`registry.ts`) and never names a workflow or a kind.
 */

/** One shipped text: the variables it may use, and its words in each shipped locale. */
export interface TemplateDefinition {
  readonly vars: readonly string[];
  /**
   * What a community's own text for it may use instead, when that differs: `exact` keeps exactly `vars`
   * (a fragment or a command's answer); a list names them; absent means `vars` plus the variables any
   * template may use (a configured link, see {@link VariableSource.anyTemplate}).
   */
  readonly communityVars?: 'exact' | readonly string[];
  readonly en: string;
  readonly 'zh-CN': string;
}

/** What the dispatcher knows while it renders and sends one item. */
export interface SendContext {
  readonly db: Db;
  readonly item: OutboxItem;
  readonly community: CommunityConfig;
  /** The member it goes to; absent for an item addressed to the community (a channel post). */
  readonly member?: Member;
  /** When the send happens. */
  readonly now: Date;
  /** Another template's text, in the item's locale (the community's own, else Hearth's). */
  text(template: string): string;
  /** A personal invite link for a referral code, where the community's platform makes them (see `ChatSender`). */
  inviteLink(code: string): Promise<string | undefined>;
  /** What operators' reports call an outbox kind's sends, in the item's locale. */
  kindLabel(kind: string): string;
  /** Send an email (the dispatcher's mailer: `.eml` files locally, SES in AWS), under the item's id. */
  mail(message: { to: string[]; subject: string; text: string; html: string }): Promise<void>;
}

/** The delivery rules of one outbox kind. */
export interface KindRules {
  /** What operators' reports (the digest's automation section) call this kind's sends, in each shipped locale. */
  readonly label: Readonly<Record<OperatorLocale, string>>;
  /**
   * Sent whatever the hour and whatever else the member received, because the member's own action asked
   * for it (they joined, they typed a command); every other kind waits out quiet hours and counts against
   * the frequency cap.
   */
  readonly responsive?: boolean;
  /** An answer to the member who asked: it goes to staff too, and to a member who has just opted out. */
  readonly answer?: boolean;
  /** Cancelled while still pending when its member leaves. */
  readonly cancelledOnLeave?: boolean;
  /**
   * A send of this kind parked as failed raises an alarm in AWS (the dispatcher's `SendsParked` metric for
   * the kind): an operator must learn that it did not go, not only find it in the outbox.
   */
  readonly alarmWhenParked?: boolean;
  /**
   * Delivered its own way, in place of a chat message from a template (the digest, an email to operators):
   * the body is a {@link KindDelivery} in the workflow's `delivery.ts`, listed in `kind-deliveries.ts`, which only the
   * dispatcher loads, so what it alone needs (an email's renderer) stays out of the other functions.
   */
  readonly delivered?: boolean;
  /**
   * The responses to each of its sends posted in a channel are counted, where this says so for the
   * community: replies and reactions to the post, and members' messages in its channel, for a day after
   * (`store/watches.ts`; the calendar's posts, for the digest). The workflow that queues them marks each due
   * (`watchDue`), so that the webhook's cache of open posts misses none of a post's first responses.
   */
  readonly watched?: (config: CommunityConfig) => boolean;
  /** Variables of this kind's texts known only at send time; `used` names those the text uses. */
  vars?(context: SendContext, used: ReadonlySet<string>): Promise<Record<string, string>>;
  /** Just before the send, once every guardrail has let it go. */
  beforeSend?(context: SendContext): Promise<void>;
  /** After the item is recorded as sent. */
  afterSend?(context: SendContext): Promise<void>;
}

/**
 * A kind's own delivery (see {@link KindRules.delivered}): it runs once every guardrail has let the item go,
 * and a throw is a failed send, retried and then parked.
 */
export type KindDelivery = (context: SendContext) => Promise<void>;

/** A workflow's own deliveries, by outbox kind. */
export type KindDeliveries = Readonly<Record<string, KindDelivery>>;

/**
 * The recipient of an item addressed to the community rather than to a member
 * (a post in its channel): no member to check or cap, and quiet hours are the
 * community's. It holds `#`, which no member id may, so it never names one.
 */
export const COMMUNITY_RECIPIENT = '#community';

/** Whether an item is addressed to the community (see {@link COMMUNITY_RECIPIENT}). */
export const toCommunity = (item: { memberId: string }): boolean => item.memberId === COMMUNITY_RECIPIENT;

/** A variable that templates beyond the workflow's own may use, supplied by the workflow that knows its value. */
export interface VariableSource {
  /** Any template may use it, not only those that list it (a configured link). */
  readonly anyTemplate?: boolean;
  /** Why a community's text cannot use it with this config, when it cannot (its link is not set). */
  missing?(config: CommunityConfig): string | undefined;
  /** Its value for one item; undefined when it has none (then a text that uses it cannot be sent). */
  value(context: SendContext): Promise<string | undefined> | string | undefined;
}

/**
 * A scheduled job of a workflow, as declared; `hearth run <name>` starts it too. Its body is a
 * {@link JobRun} in the workflow's `jobs.ts`, listed in `job-runs.ts`: only the sweeps function (and the
 * CLI) loads the bodies, so what a job alone needs (a recurrence library, a report) stays out of the others.
 */
export interface WorkflowJob {
  readonly name: string;
  /** When it runs (UTC); a job without one is not built yet. */
  readonly cadence?: Cadence;
  /** Why it runs then. */
  readonly why?: string;
}

/** One run of a job at `now`; `asOf` for a run as of a given time (`hearth run --at`): no mark moves. */
export type JobRun = (
  db: Db,
  communities: readonly CommunityConfig[],
  now: Date,
  options: { asOf?: boolean },
) => Promise<object>;

/** A workflow's job bodies, by job name (its `jobs.ts`). */
export type JobRuns = Readonly<Record<string, JobRun>>;

/** What a workflow does when a domain event about one of the community's members arrives; returns its outcome. */
export type Reaction = (db: Db, community: CommunityConfig, event: DomainEvent, now: Date) => Promise<string>;

/**
 * Member commands a workflow takes (`/birthday`, `/invite`, …), answered in the webhook before the event is
 * applied. Returns whether `event` was one of its commands (answered or not, as it decides); the first
 * workflow that takes it is the only one asked.
 */
export type CommandTaker = (
  db: Db,
  community: CommunityConfig,
  event: InboundEvent,
  /**
   * `route`: how the platform said the answer must go, when not back to the chat it was asked in;
   * `memberCommands`: the commands the workflows declare ({@link Workflow.memberCommands}), for `/help`.
   */
  options: { now: Date; route?: AnswerRoute; memberCommands?: readonly string[] },
) => Promise<boolean>;

/** Reports a config problem at a path. */
export type ConfigIssue = (path: readonly (string | number)[], message: string) => void;

/** One workflow. `S` is the config sections it owns (their schemas, defaults included). */
export interface Workflow<S extends Record<string, z.ZodMiniType> = Record<string, z.ZodMiniType>> {
  readonly name: string;
  readonly sections?: S;
  /** Checks across the config that the sections' schemas cannot make alone. */
  check?(config: CommunityConfig, issue: ConfigIssue, shipped: (template: string) => boolean): void;
  /** Its shipped texts by template name. */
  readonly templates?: Readonly<Record<string, TemplateDefinition>>;
  /** What a community's own templates (names Hearth does not ship, such as its drip steps) may use. */
  readonly customTemplateVars?: readonly string[];
  /** Variables it supplies to other workflows' texts. */
  readonly variables?: Readonly<Record<string, VariableSource>>;
  /** Its outbox kinds. */
  readonly kinds?: Readonly<Record<string, KindRules>>;
  readonly jobs?: readonly WorkflowJob[];
  /** Its reactions to domain events. */
  readonly on?: Readonly<Partial<Record<DomainEventType, Reaction>>>;
  /** The member commands it answers. */
  readonly commands?: CommandTaker;
  /**
   * Commands it takes beyond the `commands` workflow's own (`/checkin`), by name, with what a platform's
   * command menu says of each (Discord registers them): such a command, or `/hearth <name>`, is offered to
   * this workflow first.
   */
  readonly memberCommands?: Readonly<Record<string, string>>;
  /**
   * After how many days of silence a member's first activity is news to it: the webhook then publishes
   * `member.reactivated`. The smallest over the workflows applies.
   */
  quietSpellDays?(config: CommunityConfig): number | undefined;
  /**
   * `member forget`: erase the personal data it keeps of `member` (as read before anything was erased),
   * leaving counts. It says what it erased, one line per item (`invite code K7Q2…`); running it again
   * erases nothing more.
   */
  forget?(db: Db, community: CommunityConfig, member: Member, now: Date): Promise<readonly string[]>;
}
