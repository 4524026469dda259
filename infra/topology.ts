import { DOMAIN_EVENT_TYPES, type DomainEventType, EVENT_SOURCE } from '../shared/events/domain-events';
import { ENV } from '../shared/runtime/env';
import { type Cadence, JOB_DEFINITIONS, JOBS, type JobDefinition } from '../shared/workflows/jobs';
import { ALARMED_KINDS, REACTED_TO } from '../shared/workflows/registry';

/**
 * What runs, and what triggers it: the functions, the event routing rules and
 * the schedules. The CDK stack and the local runtime are both built from this
 * module, so the two runtimes cannot drift apart. It imports nothing from CDK.
 * The runtime contract it deploys (event types and source, job names and
 * cadences) lives in `shared/`; this adds the deployment: entry files,
 * memory, timeouts, access, and which function runs what.
 */

export { DOMAIN_EVENT_TYPES, type DomainEventType, EVENT_SOURCE, JOBS };

/** What a function may touch; the CDK stack turns these into IAM grants. */
export type Access = 'table:read' | 'table:write' | 'bus:put' | 'secrets:read' | 'mail:send' | 'queue:send';

/** One Lambda function. */
export interface FunctionDefinition {
  /** Construct id and local name. */
  readonly name: FunctionName;
  /** Entry file, relative to the repository root. */
  readonly entry: string;
  readonly description: string;
  readonly access: readonly Access[];
  /** Invoked asynchronously (bus, scheduler), so failures go to a dead-letter queue. */
  readonly async: boolean;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /**
   * Reserved concurrency: at most this many run at once, so that a flood (of webhooks, or of the events they
   * publish) cannot take every execution the account has. Unset: the account's shared pool.
   */
  readonly maxConcurrency?: number;
  /** X-Ray active tracing (Lambda's own segments: init, invocation, overhead). */
  readonly tracing?: boolean;
}

export type FunctionName = 'webhook' | 'lifecycle' | 'dispatcher' | 'sweeps';

/** The namespace and service of the functions' own metrics (Powertools' EMF), which alarms on them name. */
export const APP_METRICS = { namespace: 'Hearth', service: 'hearth' } as const;

/** An alarm on a metric a function emits itself. */
export interface MetricAlarm {
  readonly name: string;
  /** The function that emits it, whose alarms it joins. */
  readonly emittedBy: FunctionName;
  readonly metric: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly description: string;
  /** Alarm at this many or more in five minutes (1 by default). */
  readonly threshold?: number;
}

/**
 * The alarms on Hearth's own metrics: one per outbox kind whose parked failures must reach an operator (its
 * rules say `alarmWhenParked`: the digest), on the dispatcher's `SendsParked` count for that kind; one on
 * parked sends of every kind together; and one on the webhook's refusals of every reason.
 */
export const METRIC_ALARMS: readonly MetricAlarm[] = [
  ...ALARMED_KINDS.map((kind) => ({
    name: `parked-${kind}`,
    emittedBy: 'dispatcher' as const,
    metric: 'SendsParked',
    dimensions: { service: APP_METRICS.service, kind },
    description: `a ${kind} send failed and was parked: hearth outbox --status failed shows it and its reason`,
  })),
  {
    // Every parked send counts once here as well as under its kind. One is a member's platform refusing a message
    // (the digest shows it); five in five minutes is a platform, a token or SES failing for everyone.
    name: 'parked-sends',
    emittedBy: 'dispatcher',
    metric: 'SendsParked',
    dimensions: { service: APP_METRICS.service },
    threshold: 5,
    description:
      'five or more sends of any kind failed and were parked in five minutes: hearth outbox --status failed shows them and why',
  },
  {
    // Every rejection counts once here as well as under its reason (observability.ts). One is a scanner or a
    // platform's stray retry; ten in five minutes is a secret that no longer matches or a flood of forgeries.
    name: 'rejected-events',
    emittedBy: 'webhook',
    metric: 'EventsRejected',
    dimensions: { service: APP_METRICS.service },
    threshold: 10,
    description:
      'ten or more webhook requests were refused in five minutes (bad signature or body): the EventsRejected metric by reason says which',
  },
];

export const FUNCTIONS: readonly FunctionDefinition[] = [
  {
    name: 'webhook',
    entry: 'functions/webhook.ts',
    description: 'Chat-platform webhooks: verify, parse, dedupe, apply, publish',
    access: ['table:read', 'table:write', 'bus:put', 'secrets:read'],
    async: false,
    timeoutSeconds: 10,
    memoryMb: 512,
    // WEBHOOK_ROUTE's stage limit, 200 requests a second, at about 50 ms each needs about 10; the rest is headroom
    // for cold starts. Past it API Gateway answers 429 and the platforms retry.
    maxConcurrency: 50,
    // The acknowledgement window (1-3 s) is where a cold start shows; Lambda's segments show init apart.
    tracing: true,
  },
  {
    name: 'lifecycle',
    entry: 'functions/lifecycle.ts',
    description: "Member lifecycle events: each workflow's reactions, and a leave's cancellations",
    access: ['table:read', 'table:write'],
    async: true,
    timeoutSeconds: 30,
    memoryMb: 256,
    // Fed by the bus, one invocation per accepted event: throttled asynchronous invocations wait and are retried
    // by Lambda (up to six hours), so a flood queues here instead of taking the account.
    maxConcurrency: 20,
  },
  {
    name: 'sweeps',
    entry: 'functions/sweeps.ts',
    description: "Hourly sweeps: each workflow's scheduled jobs, fanned out one community per queued message",
    access: ['table:read', 'table:write', 'queue:send'],
    async: true,
    timeoutSeconds: 300,
    memoryMb: 256,
  },
  {
    name: 'dispatcher',
    entry: 'functions/dispatcher.ts',
    description: 'Outbox delivery: claim due items, send, record, retry',
    access: ['table:read', 'table:write', 'secrets:read', 'mail:send'],
    async: true,
    timeoutSeconds: 60,
    memoryMb: 256,
  },
];

/**
 * A queue between two functions: the producer sends messages (with `queue:send` access), the consumer gets
 * them in batches from an event source mapping, at most `maxConcurrency` batches at once, each message tried
 * `maxReceiveCount` times (the ones its batch names as failed) before its dead-letter queue, whose alarm an
 * operator sees.
 */
export interface QueueDefinition {
  readonly name: string;
  readonly producer: FunctionName;
  readonly consumer: FunctionName;
  readonly batchSize: number;
  readonly maxConcurrency: number;
  readonly maxReceiveCount: number;
  /** The producer's environment variable holding the queue's URL. */
  readonly urlVariable: string;
}

/**
 * The sweeps' fan-out: each hourly job's schedule starts one `sweeps` invocation that queues a message per
 * community, and `sweeps` runs them ten to a batch, ten batches at once. A community's run of a job is about
 * 4.4 DynamoDB calls, some 25 ms in AWS, so the ten run some 400 community-jobs a second: the README's *Many
 * communities* gives the arithmetic for 10,000 communities, and `npm run bench:fanout` measures it.
 */
export const QUEUES: readonly QueueDefinition[] = [
  {
    name: 'sweeps',
    producer: 'sweeps',
    consumer: 'sweeps',
    batchSize: 10,
    maxConcurrency: 10,
    maxReceiveCount: 3,
    urlVariable: ENV.sweepQueue,
  },
];

/** The definition of a queue by name. */
export function queueDefinition(name: string): QueueDefinition {
  const definition = QUEUES.find((q) => q.name === name);
  if (!definition) throw new Error(`no queue ${name} in the topology`);
  return definition;
}

/** The definition of a function by name. */
export function functionDefinition(name: FunctionName): FunctionDefinition {
  const definition = FUNCTIONS.find((f) => f.name === name);
  if (!definition) throw new Error(`no function ${name} in the topology`);
  return definition;
}

/** Where the webhook routes live; `{platform}` and `{communityId}` are path parameters. */
export const WEBHOOK_ROUTE = {
  path: '/webhooks/{platform}/{communityId}',
  methods: ['POST', 'GET'] as const,
  target: 'webhook' as FunctionName,
  /** The API stage's limit: requests a second, and the burst above it; past it API Gateway answers 429. */
  throttle: { rateLimit: 200, burstLimit: 400 },
};

/** An EventBridge rule: events of these detail-types from Hearth go to the target. */
export interface RuleDefinition {
  readonly name: string;
  readonly detailTypes: readonly DomainEventType[];
  readonly target: FunctionName;
}

/**
 * One rule: the lifecycle function gets every event type some workflow reacts to, and `member.left` (a leave
 * cancels what is pending for the member, whatever the workflows do).
 */
export const RULES: readonly RuleDefinition[] = [
  {
    name: 'lifecycle',
    detailTypes: DOMAIN_EVENT_TYPES.filter((type) => type === 'member.left' || REACTED_TO.includes(type)),
    target: 'lifecycle',
  },
];

/** The EventBridge pattern a rule stands for; the local bus matches the same pattern. */
export function rulePattern(rule: RuleDefinition) {
  return { source: [EVENT_SOURCE], 'detail-type': [...rule.detailTypes] };
}

/** Cron fields in UTC (a job's cadence). */
export type CronFields = Cadence;

/** Which function runs what a job runs. */
const JOB_TARGETS: Record<JobDefinition['runs'], FunctionName> = { dispatch: 'dispatcher', sweep: 'sweeps' };

/** A schedule: at these times, invoke the target with `{ job }`. */
export interface ScheduleDefinition {
  readonly name: string;
  readonly job: string;
  readonly cron: CronFields;
  readonly target: FunctionName;
}

/** One schedule per job with a cadence, named after how often it runs. */
export const SCHEDULES: readonly ScheduleDefinition[] = JOB_DEFINITIONS.flatMap((job) =>
  job.cadence
    ? [
        {
          name: `${job.name}-${job.cadence.minute === '*' ? 'every-minute' : 'hourly'}`,
          job: job.name,
          cron: job.cadence,
          target: JOB_TARGETS[job.runs],
        },
      ]
    : [],
);

/** EventBridge Scheduler expression for a schedule. */
export function scheduleExpression(cron: CronFields): string {
  return `cron(${cron.minute} ${cron.hour} * * ? *)`;
}

/** Whether a cron field matches a value; the local scheduler's only cron logic. */
export function cronFieldMatches(field: string, value: number): boolean {
  if (field === '*') return true;
  const step = /^\*\/(\d+)$/.exec(field);
  if (step) return value % Number(step[1]) === 0;
  return Number(field) === value;
}

/** Whether a schedule fires at the UTC minute that starts at `at`. */
export function scheduleFiresAt(cron: CronFields, at: Date): boolean {
  return cronFieldMatches(cron.minute, at.getUTCMinutes()) && cronFieldMatches(cron.hour, at.getUTCHours());
}
