import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnEventBus } from 'aws-cdk-lib/aws-events';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlarmTopic } from '../../infra/constructs/alarm-topic';
import { HearthFunction, TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS } from '../../infra/constructs/hearth-function';
import { CDK_CONTEXT } from '../../infra/context';
import { HearthStack } from '../../infra/stack';
import {
  type Access,
  FUNCTIONS,
  type FunctionName,
  METRIC_ALARMS,
  QUEUES,
  RULES,
  rulePattern,
  SCHEDULES,
  scheduleExpression,
  WEBHOOK_ROUTE,
} from '../../infra/topology';
import { ENV } from '../../shared/runtime/env';
import { keyAttributes, projectionOf, TABLE } from '../../shared/store/table';

/** A resource of the synthesized template; every resource Hearth asserts on has properties. */
type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const policyStatements = (policy: Resource) =>
  (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('Stack: HearthStack', () => {
  let stack: HearthStack;
  let template: Template;

  beforeAll(() => {
    // Placeholder code instead of esbuild: fast, and independent of whether the entry files compile.
    stack = new HearthStack(new App({ context: { ...CDK_CONTEXT } }), 'Hearth', { bundle: false });
    template = Template.fromStack(stack);
  });

  const logicalId = (name: FunctionName) => {
    const fn = stack.functions.get(name);
    if (!fn) throw new Error(`no function ${name}`);
    return stack.getLogicalId(fn.node.defaultChild as CfnFunction);
  };
  const fnArn = (name: FunctionName) => ({ 'Fn::GetAtt': [logicalId(name), 'Arn'] });
  const resource = (id: string) => template.toJSON().Resources[id] as Resource;
  const resourcesOfType = (type: string) =>
    Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);
  const envOf = (name: FunctionName) =>
    (resource(logicalId(name)).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const queueOf = (name: FunctionName) => {
    const config = resource(logicalId(name)).Properties.DeadLetterConfig as { TargetArn: { 'Fn::GetAtt': string[] } };
    return config.TargetArn['Fn::GetAtt'][0];
  };
  /** Every statement of every policy attached to the function's role. */
  const statementsOf = (name: FunctionName): Statement[] => {
    const role = (resource(logicalId(name)).Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    return resourcesOfType('AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap(([, policy]) => policyStatements(policy));
  };
  const actionsOf = (name: FunctionName) => statementsOf(name).flatMap((s) => asArray(s.Action));
  /** Where a function may send SQS messages, besides its own dead-letter queue (Lambda's asynchronous failures). */
  const queueSendsOf = (name: FunctionName) => {
    const ownDeadLetters = JSON.stringify(
      (resource(logicalId(name)).Properties.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn,
    );
    return statementsOf(name)
      .filter((s) => asArray(s.Action).includes('sqs:SendMessage'))
      .map((s) => s.Resource)
      .filter((arn) => JSON.stringify(arn) !== ownDeadLetters);
  };

  it('builds the table from TABLE: keys, every index, on-demand, PITR, TTL, retained', () => {
    // Prepare
    const key = (partitionKey: string, sortKey: string) => [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ];

    // Act
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');

    // Assess
    expect(Object.keys(tables)).toHaveLength(1);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: key(TABLE.partitionKey, TABLE.sortKey),
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
        GlobalSecondaryIndexes: TABLE.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: key(index.partitionKey, index.sortKey),
          Projection: projectionOf(index),
        })),
        AttributeDefinitions: keyAttributes(TABLE).map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      },
    });
  });

  it('creates one function per FUNCTIONS entry and nothing more', () => {
    // Act
    const functions = template.findResources('AWS::Lambda::Function');

    // Assess
    expect(Object.keys(functions).sort()).toEqual(FUNCTIONS.map((def) => logicalId(def.name)).sort());
  });

  it.each(FUNCTIONS)('runs $name on nodejs22.x arm64 with its own log group and settings', (def) => {
    // Prepare
    const props = resource(logicalId(def.name)).Properties;
    const logGroup = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    const env = envOf(def.name);

    // Assess
    expect(props).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: def.memoryMb,
      Timeout: def.timeoutSeconds,
      Description: def.description,
    });
    expect(resource(logGroup)).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Delete',
    });
    expect(env).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'hearth', POWERTOOLS_METRICS_NAMESPACE: 'Hearth' });
    expect(env).not.toHaveProperty('NODE_OPTIONS');
  });

  it.each(FUNCTIONS.filter((def) => def.async))('gives async $name a DLQ, two retries and a DLQ alarm', (def) => {
    // Prepare
    const queue = queueOf(def.name);

    // Assess
    expect(resource(queue)).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: { MessageRetentionPeriod: Duration.days(14).toSeconds(), SqsManagedSseEnabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(def.name) },
      MaximumRetryAttempts: 2,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
    });
  });

  it.each(FUNCTIONS.filter((def) => !def.async))('gives synchronous $name no DLQ', (def) => {
    // Assess
    expect(resource(logicalId(def.name)).Properties).not.toHaveProperty('DeadLetterConfig');
  });

  it.each(FUNCTIONS)('alarms on errors of $name within five minutes', (def) => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(def.name) } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
    });
  });

  it('alarms when a digest send is parked as failed, on the dispatcher SendsParked count for the kind', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Hearth',
      MetricName: 'SendsParked',
      Dimensions: Match.arrayEquals([
        { Name: 'kind', Value: 'digest' },
        { Name: 'service', Value: 'hearth' },
      ]),
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
    });
    const parked = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => alarm.Properties.MetricName === 'SendsParked',
    );
    // The digest's, and the one on every kind together (five in five minutes).
    expect(parked).toHaveLength(2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SendsParked',
      Dimensions: [{ Name: 'service', Value: 'hearth' }],
      Threshold: 5,
    });
    expect(
      template.findResources('AWS::Lambda::Function', {
        Properties: {
          Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'hearth', POWERTOOLS_METRICS_NAMESPACE: 'Hearth' } },
        },
      }),
    ).not.toEqual({});
  });

  it('is what the README says it creates: its functions, indexes and alarms, by number and by name', () => {
    // Prepare: the README's "What the stack creates".
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('What the stack creates:'), readme.indexOf('Parameters: `MailFrom`'));
    const WORDS = [
      'zero',
      'one',
      'two',
      'three',
      'four',
      'five',
      'six',
      'seven',
      'eight',
      'nine',
      'ten',
      'eleven',
      'twelve',
      'thirteen',
      'fourteen',
      'fifteen',
      'sixteen',
      'seventeen',
      'eighteen',
      'nineteen',
      'twenty',
    ];
    const said = (what: string) => {
      const match = new RegExp(`\\b(${WORDS.join('|')}) ${what}`).exec(section.replace(/\s+/g, ' '));
      return match ? WORDS.indexOf(match[1]) : undefined;
    };

    // Act
    const functions = resourcesOfType('AWS::Lambda::Function').filter(([id]) => !id.startsWith('LogRetention'));
    const [[, table]] = resourcesOfType('AWS::DynamoDB::GlobalTable');
    const indexes = (table.Properties.GlobalSecondaryIndexes as Array<{ IndexName: string }>).map((i) => i.IndexName);
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm');

    // Assess
    expect(said('functions')).toBe(functions.length);
    for (const def of FUNCTIONS) expect(section).toContain(`\`${def.name}\``);
    expect(said('GSIs')).toBe(indexes.length);
    for (const index of indexes) expect(section).toContain(`\`${index}\``);
    expect(said('CloudWatch alarms')).toBe(alarms.length);
    expect(readme).toContain(`the ${WORDS[alarms.length]} CloudWatch alarms`);
  });

  it('sends every alarm to the one alarm topic, and subscribes AlarmEmail only when set', () => {
    // Prepare
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));

    // Act
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm');

    // Assess
    expect(topics).toHaveLength(1);
    // Per function errors, throttles and near-timeout; per async function its queue; per queue its dead letters;
    // the API's 5xx; METRIC_ALARMS.
    expect(alarms).toHaveLength(
      3 * FUNCTIONS.length + FUNCTIONS.filter((def) => def.async).length + QUEUES.length + 1 + METRIC_ALARMS.length,
    );
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
    template.hasParameter('AlarmEmail', { Default: '' });
    template.hasResource('AWS::SNS::Subscription', {
      Condition: Match.anyValue(),
      Properties: { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } },
    });
  });

  it('routes the webhook methods to the webhook function and outputs the base URL', () => {
    // Prepare
    const integrations = resourcesOfType('AWS::ApiGatewayV2::Integration');

    // Act
    const routes = resourcesOfType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey);

    // Assess
    expect(routes.sort()).toEqual(WEBHOOK_ROUTE.methods.map((method) => `${method} ${WEBHOOK_ROUTE.path}`).sort());
    expect(routes).toContain('POST /webhooks/{platform}/{communityId}');
    expect(routes).toContain('GET /webhooks/{platform}/{communityId}');
    expect(integrations).toHaveLength(1);
    expect(integrations[0][1].Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: fnArn(WEBHOOK_ROUTE.target),
    });
    template.hasOutput('WebhookBaseUrl', { Value: Match.anyValue() });
  });

  it('creates the hearth bus and one rule per RULES entry with its pattern, target, retries and DLQ', () => {
    // Prepare
    const bus = Object.keys(template.findResources('AWS::Events::EventBus', { Properties: { Name: 'hearth' } }));

    // Act
    const rules = resourcesOfType('AWS::Events::Rule');

    // Assess
    expect(bus).toHaveLength(1);
    expect(rules).toHaveLength(RULES.length);
    for (const rule of RULES) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: bus[0] },
        EventPattern: rulePattern(rule),
        Targets: [
          Match.objectLike({
            Arn: fnArn(rule.target),
            RetryPolicy: { MaximumRetryAttempts: 2 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueOf(rule.target), 'Arn'] } },
          }),
        ],
      });
    }
  });

  it('creates one Scheduler schedule per SCHEDULES entry with its expression, target and { job } input', () => {
    // Act
    const schedules = resourcesOfType('AWS::Scheduler::Schedule');

    // Assess
    expect(schedules).toHaveLength(SCHEDULES.length);
    for (const schedule of SCHEDULES) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: scheduleExpression(schedule.cron),
        ScheduleExpressionTimezone: 'Etc/UTC',
        Target: Match.objectLike({
          Arn: fnArn(schedule.target),
          Input: JSON.stringify({ job: schedule.job }),
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueOf(schedule.target), 'Arn'] } },
        }),
      });
    }
  });

  it.each(FUNCTIONS)('grants $name exactly what its access list names', (def) => {
    // Prepare
    const has = (access: Access) => def.access.includes(access);

    // Act
    const actions = actionsOf(def.name);
    const env = envOf(def.name);

    // Assess
    expect(actions.includes('dynamodb:GetItem')).toBe(has('table:read') || has('table:write'));
    expect(actions.includes('dynamodb:PutItem')).toBe(has('table:write'));
    expect(actions.includes('events:PutEvents')).toBe(has('bus:put'));
    expect(actions.some((a) => a.startsWith('ssm:'))).toBe(has('secrets:read'));
    expect(actions.includes('kms:Decrypt')).toBe(has('secrets:read'));
    expect(actions.some((a) => a.startsWith('ses:'))).toBe(has('mail:send'));
    expect(ENV.table in env).toBe(has('table:read') || has('table:write'));
    expect(ENV.bus in env).toBe(has('bus:put'));
    expect(ENV.secretsPrefix in env).toBe(has('secrets:read'));
    expect(ENV.mailFrom in env).toBe(has('mail:send'));
    expect(queueSendsOf(def.name).length > 0).toBe(has('queue:send'));
    for (const queue of QUEUES) expect(queue.urlVariable in env).toBe(queue.producer === def.name);
  });

  it.each(QUEUES)('feeds queue $name to $consumer: its batches, concurrency, retries and dead letters', (def) => {
    // Prepare
    const consumer = FUNCTIONS.find((fn) => fn.name === def.consumer) as (typeof FUNCTIONS)[number];
    const [[queueId, queue]] = resourcesOfType('AWS::SQS::Queue').filter(([, q]) => q.Properties.RedrivePolicy);

    // Act
    const mappings = resourcesOfType('AWS::Lambda::EventSourceMapping');

    // Assess: the consumer reads it in batches, reports the failed items, and never runs more than its limit.
    expect(mappings).toHaveLength(1);
    expect(mappings[0][1].Properties).toMatchObject({
      FunctionName: { Ref: logicalId(def.consumer) },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: def.batchSize,
      ScalingConfig: { MaximumConcurrency: def.maxConcurrency },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // A running batch's messages stay hidden for six times the consumer's timeout; after the last try, dead letters.
    expect(queue.Properties).toMatchObject({
      VisibilityTimeout: consumer.timeoutSeconds * 6,
      RedrivePolicy: { maxReceiveCount: def.maxReceiveCount },
      SqsManagedSseEnabled: true,
    });
    // Only the producer may send, and only to this queue.
    expect(queueSendsOf(def.producer)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    for (const other of FUNCTIONS.filter((fn) => fn.name !== def.producer))
      expect(queueSendsOf(other.name)).toEqual([]);
  });

  it.each(FUNCTIONS)('lets $name make only the DynamoDB calls the code makes: never Scan or DeleteItem', (def) => {
    // Act
    const dynamo = actionsOf(def.name).filter((a) => a.startsWith('dynamodb:'));

    // Assess
    const allowed = [...TABLE_READ_ACTIONS, ...(def.access.includes('table:write') ? TABLE_WRITE_ACTIONS : [])];
    expect([...new Set(dynamo)].sort()).toEqual([...allowed].sort());
    expect(dynamo).not.toContain('dynamodb:Scan');
    expect(dynamo).not.toContain('dynamodb:DeleteItem');
  });

  it.each(['lifecycle', 'sweeps'] as const)('gives %s no events:PutEvents, no ssm and no ses', (name) => {
    // Act
    const actions = actionsOf(name);

    // Assess
    expect(actions).not.toContain('events:PutEvents');
    expect(actions.filter((a) => a.startsWith('ssm:') || a.startsWith('ses:'))).toEqual([]);
  });

  it('gives webhook events:PutEvents on the hearth bus only, and no ses', () => {
    // Prepare
    const bus = stack.getLogicalId(stack.node.findChild('Bus').node.defaultChild as CfnEventBus);

    // Act
    const statements = statementsOf('webhook');

    // Assess
    const putEvents = statements.filter((s) => asArray(s.Action).includes('events:PutEvents'));
    expect(putEvents).toHaveLength(1);
    expect(putEvents[0].Resource).toEqual({ 'Fn::GetAtt': [bus, 'Arn'] });
    expect(actionsOf('webhook').filter((a) => a.startsWith('ses:'))).toEqual([]);
  });

  it('gives dispatcher ses on the MailFrom identity, and no events:PutEvents', () => {
    // Act
    const statements = statementsOf('dispatcher');

    // Assess
    const ses = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    expect(asArray(ses[0].Action).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    for (const arn of asArray(ses[0].Resource)) expect(JSON.stringify(arn)).toContain('{"Ref":"MailFrom"}');
    expect(actionsOf('dispatcher')).not.toContain('events:PutEvents');
  });

  it('scopes secrets to /hearth/ parameters and decryption to SSM', () => {
    // Act
    const statements = statementsOf('dispatcher');

    // Assess
    const ssm = statements.find((s) => asArray(s.Action).includes('ssm:GetParametersByPath'));
    const kms = statements.find((s) => asArray(s.Action).includes('kms:Decrypt'));
    expect(JSON.stringify(ssm?.Resource)).toContain(':parameter/hearth/*');
    expect(kms?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['ssm.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    });
  });

  it('has no IAM statement allowing every action, or every dynamodb resource', () => {
    // Act
    const statements = resourcesOfType('AWS::IAM::Policy').flatMap(([, policy]) => policyStatements(policy));

    // Assess
    for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
      const actions = asArray(statement.Action);
      expect(actions).not.toContain('*');
      if (actions.some((a) => a.startsWith('dynamodb:'))) {
        expect(actions).not.toContain('dynamodb:*');
        expect(asArray(statement.Resource)).not.toContain('*');
      }
    }
  });

  it('throttles the webhook stage and access-logs it without bodies, headers or query strings', () => {
    // Act
    const [[, stage]] = resourcesOfType('AWS::ApiGatewayV2::Stage');
    const settings = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const format = JSON.parse(settings.Format) as Record<string, string>;

    // Assess
    expect(stage.Properties.StageName).toBe('$default');
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: WEBHOOK_ROUTE.throttle.rateLimit,
      ThrottlingBurstLimit: WEBHOOK_ROUTE.throttle.burstLimit,
    });
    expect(Object.values(format)).toContain('$context.status');
    for (const value of Object.values(format)) {
      expect(value).toMatch(/^\$context\.[A-Za-z.]+$/);
      expect(value).not.toMatch(/body|header|querystring|authorizer|error\.message/i);
    }
    const [logGroupId] = (settings.DestinationArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'];
    expect(resource(logGroupId).Type).toBe('AWS::Logs::LogGroup');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
      Threshold: 1,
    });
  });

  it.each(FUNCTIONS.map((def) => [def.name, def] as const))(
    "gives '%s' its concurrency, tracing, and alarms on throttles and on 80 %% of its timeout",
    (name, def) => {
      // Act
      const fn = resource(logicalId(name));
      const alarmsOf = (metric: string) =>
        resourcesOfType('AWS::CloudWatch::Alarm').filter(
          ([, a]) =>
            a.Properties.MetricName === metric &&
            JSON.stringify(a.Properties.Dimensions) ===
              JSON.stringify([{ Name: 'FunctionName', Value: { Ref: logicalId(name) } }]),
        );

      // Assess
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(def.maxConcurrency);
      expect(fn.Properties.TracingConfig).toEqual(def.tracing ? { Mode: 'Active' } : undefined);
      expect(alarmsOf('Throttles')).toHaveLength(1);
      const [[, nearTimeout]] = alarmsOf('Duration');
      expect(nearTimeout.Properties.Statistic).toBe('Maximum');
      expect(nearTimeout.Properties.Threshold).toBe(def.timeoutSeconds * 1000 * 0.8);
    },
  );

  it.each(FUNCTIONS.map((def) => [def.name] as const))(
    "gives '%s' a role of its own: no managed policy, logs only to its own log group, each index by name",
    (name) => {
      // Prepare
      const role = (resource(logicalId(name)).Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      const logGroup = (resource(logicalId(name)).Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup
        .Ref;

      // Act
      const statements = statementsOf(name);
      const logs = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('logs:')));
      const tableResources = statements
        .filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')))
        .flatMap((s) => asArray(s.Resource));

      // Assess
      expect(resource(role).Properties.ManagedPolicyArns).toBeUndefined();
      expect(logs).toHaveLength(1);
      expect(asArray(logs[0].Resource)).toEqual([{ 'Fn::GetAtt': [logGroup, 'Arn'] }]);
      expect(JSON.stringify(tableResources)).not.toContain('index/*');
      for (const index of TABLE.indexes) expect(JSON.stringify(tableResources)).toContain(`/index/${index.name}`);
    },
  );
});

describe('Construct: HearthFunction', () => {
  it('bundles the entry with esbuild into minified ESM with a require shim', () => {
    // Prepare
    // Under the repository (in its ignored .cache), since an entry must lie under the project root.
    mkdirSync(join(ROOT, '.cache'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, '.cache', 'infra-test-'));
    try {
      writeFileSync(join(dir, 'handler.ts'), "export const handler = async (): Promise<string> => 'ok';\n");
      const app = new App({ outdir: join(dir, 'cdk.out') });
      const stack = new Stack(app, 'Test');

      // Act
      new HearthFunction(stack, 'Fn', {
        entry: join(dir, 'handler.ts'),
        projectRoot: ROOT,
        description: 'test',
        memorySize: 128,
        timeout: Duration.seconds(3),
        async: false,
        alarms: new AlarmTopic(stack, 'Alarms'),
      });
      const assembly = app.synth();

      // Assess
      const asset = readdirSync(assembly.directory).find((name) => name.startsWith('asset.'));
      expect(asset).toBeDefined();
      const files = readdirSync(join(assembly.directory, asset as string));
      expect(files).toEqual(['index.mjs']);
      const code = readFileSync(join(assembly.directory, asset as string, 'index.mjs'), 'utf8');
      expect(code).toMatch(/createRequire\(import\.meta\.url\)/);
      expect(code).toMatch(/export\s*\{/);
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
