import { join } from 'node:path';
import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/runtime/env';
import { APP_METRICS, type MetricAlarm } from '../topology';
import type { AlarmTopic } from './alarm-topic';

/** Properties of a {@link HearthFunction}. */
export interface HearthFunctionProps {
  /** Entry file, absolute. */
  readonly entry: string;
  /** Repository root: package.json, tsconfig.json and package-lock.json live there. */
  readonly projectRoot: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Invoked asynchronously (bus, scheduler): two retries, then the dead-letter queue. */
  readonly async: boolean;
  /** Where the function's alarms notify. */
  readonly alarms: AlarmTopic;
  /** Reserved concurrency; unset, the account's shared pool. */
  readonly maxConcurrency?: number;
  /** X-Ray active tracing. */
  readonly tracing?: boolean;
  /**
   * Bundle the entry with esbuild (the default). False deploys a placeholder handler instead, so tests and an
   * offline synth do not depend on the entry files compiling.
   * @default true
   */
  readonly bundle?: boolean;
}

/** How much of the table a function may touch. */
export type TableAccess = 'read' | 'readWrite';

/** Stands in for the real bundle when bundling is off; CommonJS because an inline handler is `index.js`. */
const PLACEHOLDER_CODE = 'exports.handler = async () => ({});';

/** DynamoDB actions for reading: single items, batches of them, and index queries. */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
/** DynamoDB actions for writing: conditional puts and updates only. */
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

/**
 * A Hearth Lambda function: Node.js 22 on arm64, one ESM bundle with the AWS SDK inside, an explicit log group,
 * a role of its own that may write to that log group and nothing else (no AWS-managed policy), alarms on errors,
 * throttles and a run near its timeout, and for asynchronous functions a dead-letter queue with its own alarm.
 * It gets no other permission by default; the `bind*` methods set an environment variable and grant the
 * matching least-privilege access. An asynchronous function's queue is `deadLetterQueue`; the rules and
 * schedules that invoke it use it as their own.
 */
export class HearthFunction extends NodejsFunction {
  /** Where its alarms notify. */
  private readonly alarms: AlarmTopic;

  public constructor(scope: Construct, id: string, props: HearthFunctionProps) {
    // The log group and the queue have to exist before the function, so they are its siblings, not its children.
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const dlq = props.async
      ? new Queue(scope, `${id}DeadLetterQueue`, {
          retentionPeriod: Duration.days(14),
          encryption: QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
        })
      : undefined;
    const code = props.bundle === false ? { code: Code.fromInline(PLACEHOLDER_CODE), handler: 'index.handler' } : {};
    // Instead of the AWS-managed AWSLambdaBasicExecutionRole, which may write to every log group in the account.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Hearth ${id}: its log group, and what its bind* calls grant`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: props.entry,
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      handler: 'handler',
      ...code,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      logGroup,
      role,
      ...(props.maxConcurrency !== undefined ? { reservedConcurrentExecutions: props.maxConcurrency } : {}),
      ...(props.tracing ? { tracing: Tracing.ACTIVE } : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: APP_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: APP_METRICS.namespace,
      },
      ...(dlq ? { deadLetterQueue: dlq, retryAttempts: 2 } : {}),
      bundling: {
        minify: true,
        // Off until measured: a map roughly doubles the bundle and only helps with --enable-source-maps, which slows
        // every cold start.
        sourceMap: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        // Bundle the SDK so its version is the one we test with, not whatever the runtime ships.
        bundleAwsSDK: true,
        // Some dependencies still call `require`, which an ESM bundle does not have.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    });

    this.alarms = props.alarms;
    if (props.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments and xray:PutTelemetryRecords, which Lambda adds for active tracing, take no resource',
      });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the bundles target node22 and the code is tested on Node 20 and 22; it moves when the toolchain it is tested with does',
    });
    const fiveMinutes = { period: Duration.minutes(5) };
    props.alarms.alarm(this, 'ErrorsAlarm', {
      description: `${id}: the function failed`,
      metric: this.metricErrors({ ...fiveMinutes, statistic: 'Sum' }),
    });
    props.alarms.alarm(this, 'ThrottlesAlarm', {
      description: `${id}: invocations were throttled (its reserved concurrency, or the account's, was used up)`,
      metric: this.metricThrottles({ ...fiveMinutes, statistic: 'Sum' }),
    });
    // 80 % of the timeout: a sweep or a dispatcher run that long is one step from stopping half done.
    props.alarms.alarm(this, 'NearTimeoutAlarm', {
      description: `${id}: a run took 80 % or more of its ${props.timeout.toSeconds()} s timeout`,
      metric: this.metricDuration({ ...fiveMinutes, statistic: 'Maximum' }),
      threshold: props.timeout.toMilliseconds() * 0.8,
    });
    if (dlq) {
      props.alarms.alarm(this, 'DeadLetterAlarm', {
        description: `${id}: a failed invocation or delivery is waiting in the dead-letter queue`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({ ...fiveMinutes, statistic: 'Maximum' }),
      });
    }
  }

  /**
   * Sets `TABLE_NAME` and grants read, or read and write, access to the table and to each of `indexNames` by its
   * ARN (not `index/*`).
   */
  public bindTable(table: ITable, access: TableAccess, indexNames: readonly string[]): void {
    this.addEnvironment(ENV.table, table.tableName);
    // Exactly the calls the code makes: no Scan (sweeps query indexes), no deletes (TTL expires items). Queries
    // go to the indexes, reads and writes to the table; each index by its ARN, not `index/*`.
    this.addToRolePolicy(
      new PolicyStatement({
        actions: [...TABLE_READ_ACTIONS, ...(access === 'readWrite' ? TABLE_WRITE_ACTIONS : [])],
        resources: [table.tableArn, ...indexNames.map((name) => `${table.tableArn}/index/${name}`)],
      }),
    );
  }

  /** Sets `EVENT_BUS_NAME` and allows `events:PutEvents` on that bus only. */
  public bindBus(bus: IEventBus): void {
    this.addEnvironment(ENV.bus, bus.eventBusName);
    bus.grantPutEventsTo(this);
  }

  /**
   * Sets `SECRETS_PARAMETER_PREFIX` and allows reading the SSM parameters under it, decrypting SecureStrings
   * through SSM only (the AWS-managed `aws/ssm` key).
   * @param prefix a parameter path such as `/hearth/`
   */
  public bindSecrets(prefix: string): void {
    this.addEnvironment(ENV.secretsPrefix, prefix);
    const path = prefix.replace(/^\/+|\/+$/g, '');
    const role = this.role as Role;
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/${path}/*]`,
      reason:
        "An operator stores each community's secrets under the prefix after deploying (docs/contract.md); their names are not known at synth",
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]',
      reason:
        "kms:Decrypt only through SSM (kms:ViaService): the aws/ssm key's id differs per account and region and is not known at synth",
    });
    const parameterArn = (name: string) =>
      Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: name });
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
        // GetParametersByPath is authorized against the path itself, the others against each parameter.
        resources: [parameterArn(path), parameterArn(`${path}/*`)],
      }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [Stack.of(this).formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
        conditions: { StringEquals: { 'kms:ViaService': `ssm.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * Sets `MAIL_FROM` and allows sending through SES as that sender: its email identity, or its domain's
   * identity when the domain is what was verified.
   * @param from the verified sender address (may be a token, such as a CloudFormation parameter)
   */
  public bindMail(from: string): void {
    this.addEnvironment(ENV.mailFrom, from);
    const identityArn = (identity: string) =>
      Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [identityArn(from), identityArn(Fn.select(1, Fn.split('@', from)))],
      }),
    );
  }

  /** Sets `variable` to the queue's URL and allows `sqs:SendMessage` (and its batch form) on that queue only. */
  public bindQueue(queue: IQueue, variable: string): void {
    this.addEnvironment(variable, queue.queueUrl);
    queue.grantSendMessages(this);
  }

  /** An alarm on a metric this function emits itself (topology `METRIC_ALARMS`), at its threshold in five minutes. */
  public alarmOnMetric(alarm: MetricAlarm): void {
    this.alarms.alarm(this, `${alarm.name.replace(/(^|-)(\w)/g, (_, _dash, c: string) => c.toUpperCase())}Alarm`, {
      description: `${this.node.id}: ${alarm.description}`,
      metric: new Metric({
        namespace: APP_METRICS.namespace,
        metricName: alarm.metric,
        dimensionsMap: { ...alarm.dimensions },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: alarm.threshold,
    });
  }
}
