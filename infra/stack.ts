import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, CfnParameter, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { SECRETS_PARAMETER_PREFIX } from '../shared/runtime/secrets';
import { TABLE, type TableDefinition } from '../shared/store/table';
import { AlarmTopic } from './constructs/alarm-topic';
import { HearthFunction } from './constructs/hearth-function';
import {
  type Access,
  FUNCTIONS,
  type FunctionDefinition,
  type FunctionName,
  METRIC_ALARMS,
  QUEUES,
  type QueueDefinition,
  RULES,
  rulePattern,
  SCHEDULES,
  scheduleExpression,
  WEBHOOK_ROUTE,
} from './topology';

/** The repository root: entry paths in the topology are relative to it. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The custom event bus domain events go to. */
const BUS_NAME = 'hearth';

/** How often EventBridge and the Scheduler retry delivering to a function before the dead-letter queue. */
const DELIVERY_RETRY_ATTEMPTS = 2;

/** Properties of the {@link HearthStack}. */
export interface HearthStackProps extends StackProps {
  /**
   * Bundle the function entries with esbuild (the default). False deploys placeholder handlers, so tests and an
   * offline synth do not depend on the entry files.
   * @default true
   */
  readonly bundle?: boolean;
}

/**
 * Hearth on AWS: the table, the functions, the webhook API, the event bus with its rules and the schedules,
 * each built by iterating its one definition in `topology.ts` or `table.ts`.
 */
export class HearthStack extends Stack {
  /** Every function, by its name in the topology. */
  public readonly functions: ReadonlyMap<FunctionName, HearthFunction>;

  public constructor(scope: Construct, id: string, props: HearthStackProps = {}) {
    super(scope, id, props);

    const mailFrom = new CfnParameter(this, 'MailFrom', {
      type: 'String',
      description: 'The SES-verified sender of operator email',
      default: 'hearth@example.com',
    });
    const alarmEmail = new CfnParameter(this, 'AlarmEmail', {
      type: 'String',
      description: 'Who receives alarms by email (empty: no one)',
      default: '',
    });

    const alarms = new AlarmTopic(this, 'AlarmTopic', { email: alarmEmail.valueAsString });
    const table = this.table(TABLE);
    const bus = new EventBus(this, 'Bus', { eventBusName: BUS_NAME });

    const queues = new Map(QUEUES.map((def) => [def.name, this.queue(def, alarms)] as const));

    const functions = new Map<FunctionName, HearthFunction>();
    for (const def of FUNCTIONS) {
      const fn = new HearthFunction(this, pascalCase(def.name), {
        entry: join(ROOT, def.entry),
        projectRoot: ROOT,
        description: def.description,
        memorySize: def.memoryMb,
        timeout: Duration.seconds(def.timeoutSeconds),
        async: def.async,
        alarms,
        maxConcurrency: def.maxConcurrency,
        tracing: def.tracing,
        bundle: props.bundle,
      });
      grantAccess(fn, def, { table, bus, mailFrom: mailFrom.valueAsString, queues });
      functions.set(def.name, fn);
    }
    this.functions = functions;
    const target = (name: FunctionName, by: string) => {
      const fn = functions.get(name);
      if (!fn) throw new Error(`${by} targets ${name}, which is not in FUNCTIONS`);
      return fn;
    };
    const asyncTarget = (name: FunctionName, by: string) => {
      const fn = target(name, by);
      if (!fn.deadLetterQueue) throw new Error(`${by} invokes ${name} asynchronously, but ${name} is not async`);
      return { fn, deadLetterQueue: fn.deadLetterQueue };
    };

    for (const def of QUEUES) {
      const queue = queues.get(def.name) as Queue;
      target(def.consumer, `queue ${def.name}`).addEventSource(
        new SqsEventSource(queue, {
          batchSize: def.batchSize,
          maxConcurrency: def.maxConcurrency,
          // Only the messages a batch names as failed are delivered again (fanout.ts runQueued).
          reportBatchItemFailures: true,
        }),
      );
    }

    for (const alarm of METRIC_ALARMS) target(alarm.emittedBy, `alarm ${alarm.name}`).alarmOnMetric(alarm);

    const api = this.webhookApi(alarms);
    const routes = api.addRoutes({
      path: WEBHOOK_ROUTE.path,
      methods: WEBHOOK_ROUTE.methods.map((method) => HttpMethod[method]),
      integration: new HttpLambdaIntegration('WebhookIntegration', target(WEBHOOK_ROUTE.target, 'WEBHOOK_ROUTE')),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason:
          "Chat platforms cannot present IAM, JWT or Lambda-authorizer credentials: the webhook verifies each platform's own signature or token before it reads the body (SECURITY.md)",
      });
    }
    new CfnOutput(this, 'WebhookBaseUrl', {
      description: 'Append /webhooks/{platform}/{communityId}',
      value: api.apiEndpoint,
    });

    for (const rule of RULES) {
      const { fn, deadLetterQueue } = asyncTarget(rule.target, `rule ${rule.name}`);
      // CDK spells the pattern's `detail-type` in camelCase and renders it back.
      const { 'detail-type': detailType, ...pattern } = rulePattern(rule);
      new Rule(this, `${pascalCase(rule.name)}Rule`, {
        description: `Hearth ${rule.detailTypes.join(', ')} to ${rule.target}`,
        eventBus: bus,
        eventPattern: { ...pattern, detailType },
        targets: [new LambdaFunction(fn, { retryAttempts: DELIVERY_RETRY_ATTEMPTS, deadLetterQueue })],
      });
    }

    for (const schedule of SCHEDULES) {
      const { fn, deadLetterQueue } = asyncTarget(schedule.target, `schedule ${schedule.name}`);
      // LambdaInvoke makes one role per target function, allowed lambda:InvokeFunction on it and its versions.
      Validations.of(this).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
        reason:
          "The Scheduler's role for a target may invoke that one function and its versions (`:*`, CDK's LambdaInvoke grant); nothing else",
      });
      new Schedule(this, `${pascalCase(schedule.name)}Schedule`, {
        description: `Hearth job ${schedule.job}`,
        schedule: ScheduleExpression.expression(scheduleExpression(schedule.cron)),
        target: new LambdaInvoke(fn, {
          input: ScheduleTargetInput.fromObject({ job: schedule.job }),
          retryAttempts: DELIVERY_RETRY_ATTEMPTS,
          deadLetterQueue,
        }),
      });
    }
  }

  /**
   * The webhook API: one `$default` stage, throttled at WEBHOOK_ROUTE's limit, its access log in a log group of
   * its own (who, when, which route, status, latency: no body, no header, no query string, which is where WeCom and
   * DingTalk sign), and an alarm on 5xx answers.
   */
  private webhookApi(alarms: AlarmTopic): HttpApi {
    const api = new HttpApi(this, 'WebhookApi', {
      description: 'Hearth chat-platform webhooks',
      createDefaultStage: false,
    });
    const accessLog = new LogGroup(this, 'WebhookApiAccessLog', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new HttpStage(this, 'WebhookApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { ...WEBHOOK_ROUTE.throttle },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLog),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    alarms.alarm(this, 'WebhookApiServerErrorsAlarm', {
      description: 'WebhookApi: answered 5xx (the webhook failed or timed out before acknowledging)',
      metric: api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
    });
    return api;
  }

  /**
   * A queue of the topology, with its dead-letter queue and an alarm on it. Its messages stay invisible for six
   * times the consumer's timeout while a batch runs (AWS's advice for an event source), so a slow batch is not
   * delivered twice while it is still running.
   */
  private queue(def: QueueDefinition, alarms: AlarmTopic): Queue {
    const consumer = FUNCTIONS.find((fn) => fn.name === def.consumer);
    if (!consumer) throw new Error(`queue ${def.name}: its consumer ${def.consumer} is not in FUNCTIONS`);
    const id = pascalCase(def.name);
    const encrypted = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;
    const deadLetters = new Queue(this, `${id}QueueDeadLetters`, { retentionPeriod: Duration.days(14), ...encrypted });
    alarms.alarm(this, `${id}QueueDeadLetterAlarm`, {
      description: `${def.name} queue: a message failed ${def.maxReceiveCount} times and waits in its dead-letter queue`,
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
    });
    return new Queue(this, `${id}Queue`, {
      visibilityTimeout: Duration.seconds(consumer.timeoutSeconds * 6),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: def.maxReceiveCount },
      ...encrypted,
    });
  }

  /** The one table: on-demand, point-in-time recovery, kept when the stack goes. */
  private table(def: TableDefinition): TableV2 {
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    return new TableV2(this, 'Table', {
      partitionKey: key(def.partitionKey),
      sortKey: key(def.sortKey),
      globalSecondaryIndexes: def.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: ProjectionType[index.projection],
        ...(index.nonKeyAttributes ? { nonKeyAttributes: [...index.nonKeyAttributes] } : {}),
      })),
      timeToLiveAttribute: def.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

/**
 * The webhook API's access log line: HTTP API `$context` variables, none of which holds a body, a header or the
 * query string (WeCom's and DingTalk's signatures travel there).
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
} as const;

/** The table's indexes, each granted by name. */
const INDEX_NAMES = TABLE.indexes.map((index) => index.name);

/** What {@link grantAccess} binds a function to. */
interface Resources {
  readonly table: TableV2;
  readonly bus: EventBus;
  readonly mailFrom: string;
  readonly queues: ReadonlyMap<string, Queue>;
}

/** Turns a function's `access` list into environment variables and IAM grants; it gets nothing it does not list. */
function grantAccess(fn: HearthFunction, def: FunctionDefinition, { table, bus, mailFrom, queues }: Resources): void {
  // A Record, so a new kind of access fails to compile until it is granted here.
  const grants: Record<Access, () => void> = {
    // Write implies read; granting both would only repeat the read statement.
    'table:read': () => {
      if (!def.access.includes('table:write')) fn.bindTable(table, 'read', INDEX_NAMES);
    },
    'table:write': () => fn.bindTable(table, 'readWrite', INDEX_NAMES),
    'bus:put': () => fn.bindBus(bus),
    'secrets:read': () => fn.bindSecrets(SECRETS_PARAMETER_PREFIX),
    'mail:send': () => fn.bindMail(mailFrom),
    // The queues it produces to, each by its own variable.
    'queue:send': () => {
      for (const queue of QUEUES.filter((q) => q.producer === def.name)) {
        fn.bindQueue(queues.get(queue.name) as Queue, queue.urlVariable);
      }
    },
  };
  for (const access of new Set(def.access)) grants[access]();
}

/** `dispatch-every-minute` → `DispatchEveryMinute`, for construct ids. */
function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}
