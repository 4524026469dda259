import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../shared/events/domain-events';
import { EventBridgePublisher } from '../../shared/events/eventbridge';
import { literalSecrets, SsmSecrets } from '../../shared/runtime/secrets';

const event = (i: number): DomainEvent => ({
  type: 'member.joined',
  communityId: 'acme',
  memberId: `m${i}`,
  occurredAt: '2026-11-25T10:00:00.000Z',
  sourceEventId: `e${i}`,
});

describe('Class: EventBridgePublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  afterEach(() => eventBridge.reset());

  it('puts events on the bus in batches of 10 with source hearth and the type as detail-type', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const publisher = new EventBridgePublisher('hearth', new EventBridgeClient({ region: 'us-east-1' }));

    // Act
    await publisher.publish(Array.from({ length: 23 }, (_, i) => event(i)));

    // Assess
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    const first = calls[0].args[0].input.Entries?.[0];
    expect(first).toMatchObject({ EventBusName: 'hearth', Source: 'hearth', DetailType: 'member.joined' });
    expect(JSON.parse(first?.Detail as string)).toMatchObject({ memberId: 'm0', communityId: 'acme' });
  });

  it('throws when EventBridge refuses an entry, so the webhook is retried', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const publisher = new EventBridgePublisher('hearth', new EventBridgeClient({ region: 'us-east-1' }));

    // Act / Assess
    await expect(publisher.publish([event(1)])).rejects.toThrow('refused 1');
  });
});

describe('Class: SsmSecrets', () => {
  const ssm = mockClient(SSMClient);
  afterEach(() => ssm.reset());

  it('resolves ssm: references with decryption and caches them', async () => {
    // Prepare
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 's3cret' } });
    const secrets = new SsmSecrets('/hearth/', new SSMClient({ region: 'us-east-1' }));

    // Act
    const first = await secrets.resolve('ssm:/hearth/acme/webhook-secret');
    const second = await secrets.resolve('ssm:/hearth/acme/webhook-secret');

    // Assess
    expect([first, second]).toEqual(['s3cret', 's3cret']);
    const calls = ssm.commandCalls(GetParameterCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ Name: '/hearth/acme/webhook-secret', WithDecryption: true });
  });

  it('passes literals through and refuses parameters outside its prefix without calling SSM', async () => {
    // Prepare
    const secrets = new SsmSecrets('/hearth/', new SSMClient({ region: 'us-east-1' }));

    // Act / Assess
    expect(await secrets.resolve('whsec_literal')).toBe('whsec_literal');
    await expect(secrets.resolve('ssm:/other/app/key')).rejects.toThrow('must be under /hearth/');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  it('literalSecrets refuses references (they need AWS)', async () => {
    await expect(literalSecrets.resolve('ssm:/hearth/x')).rejects.toThrow('need AWS');
    expect(await literalSecrets.resolve('plain')).toBe('plain');
  });
});
