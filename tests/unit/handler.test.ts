import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { badRequest, HearthError, inFlight } from '../../shared/runtime/errors';
import { errorReply, type HttpEvent, httpHandler } from '../../shared/runtime/handler';
import { metrics, parkedMetrics, pipelineMetrics } from '../../shared/runtime/observability';

const context = { functionName: 'webhook', awsRequestId: 'r-1' } as Context;
const event = { requestContext: { http: { method: 'POST' } } } as unknown as HttpEvent;

/**
 * Run `act` with metrics on (they are off in tests) and stdout caught: Powertools prints each single metric as
 * one EMF line there. The lines, parsed.
 */
function emfLinesOf(act: () => void): Array<Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } }> {
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
    process.env.POWERTOOLS_METRICS_DISABLED = disabled;
  }
  return lines.map((line) => JSON.parse(line));
}

describe('Function: httpHandler (the one error mapper)', () => {
  it('exposes a 4xx error with its code, message and field', async () => {
    // Prepare
    const handler = httpHandler(async () => {
      throw badRequest('occurredAt is more than 5 minutes in the future', 'occurredAt');
    });

    // Act
    const reply = await handler(event, context);

    // Assess
    expect(reply.statusCode).toBe(400);
    expect(JSON.parse(reply.body as string)).toEqual({
      error: 'bad_request',
      message: 'occurredAt is more than 5 minutes in the future',
      field: 'occurredAt',
    });
  });

  it('hides everything about a 5xx behind a generic reply', async () => {
    // Prepare
    const handler = httpHandler(async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.7:8000 with token abc123');
    });

    // Act
    const reply = await handler(event, context);

    // Assess
    expect(reply.statusCode).toBe(500);
    expect(JSON.parse(reply.body as string)).toEqual({ error: 'internal', message: 'internal error' });
    expect(reply.body).not.toContain('abc123');
  });

  it('treats a HearthError of 500 as internal too', async () => {
    // Prepare
    const handler = httpHandler(async () => {
      throw new HearthError('internal', 'table hearth-prod is missing');
    });

    // Act
    const reply = await handler(event, context);

    // Assess
    expect(reply.statusCode).toBe(500);
    expect(reply.body).not.toContain('hearth-prod');
  });
});

describe('Function: errorReply', () => {
  it('tells the sender of a copy still in flight to come back, with Retry-After', () => {
    // Act
    const reply = errorReply(inFlight('this event is being applied by another delivery; retry shortly'));

    // Assess
    expect(reply.statusCode).toBe(503);
    expect(reply.headers).toMatchObject({ 'retry-after': '5' });
    expect(JSON.parse(reply.body as string)).toEqual({
      error: 'unavailable',
      message: 'this event is being applied by another delivery; retry shortly',
    });
  });
});

describe('Function: parkedMetrics', () => {
  it('writes one SendsParked count per kind, with its kind as a dimension, and nothing for none', () => {
    // Act
    const emf = emfLinesOf(() => {
      parkedMetrics({ digest: 1, welcome: 0 });
      parkedMetrics({});
    }).filter((line) => 'kind' in line);

    // Assess
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ SendsParked: 1, kind: 'digest', service: 'hearth' });
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Hearth',
      Dimensions: [expect.arrayContaining(['kind', 'service'])],
      Metrics: [{ Name: 'SendsParked', Unit: 'Count' }],
    });
  });

  it('adds every kind together in one SendsParked count without a kind, for the alarm on all of them', () => {
    // Act
    metrics.clearMetrics();
    parkedMetrics({ digest: 1, welcome: 2, birthday: 0 });
    const emf = metrics.serializeMetrics();
    metrics.clearMetrics();

    // Assess
    expect(emf).toMatchObject({ SendsParked: 3, service: 'hearth' });
    expect(emf).not.toHaveProperty('kind');
  });
});

describe('Object: pipelineMetrics', () => {
  it('records accepted and duplicate events as CloudWatch EMF counts in the Hearth namespace', () => {
    // Prepare
    metrics.clearMetrics();

    // Act
    pipelineMetrics.accepted(2);
    pipelineMetrics.duplicates(1);
    pipelineMetrics.accepted(0);
    const emf = metrics.serializeMetrics();
    metrics.clearMetrics();

    // Assess
    const directive = emf._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('Hearth');
    expect(directive.Metrics.map((m) => m.Name).sort()).toEqual(['EventsAccepted', 'EventsDuplicate']);
    expect(emf).toMatchObject({ EventsAccepted: 2, EventsDuplicate: 1 });
  });

  it('counts a rejection once by reason (its own EMF line) and once without, for the one alarm on all of them', () => {
    // Prepare
    metrics.clearMetrics();

    // Act
    const byReason = emfLinesOf(() => {
      pipelineMetrics.rejected('unauthorized');
      pipelineMetrics.rejected('bad_request');
    });
    const emf = metrics.serializeMetrics();
    metrics.clearMetrics();

    // Assess: the alarm's metric (infra/topology.ts METRIC_ALARMS) has the service as its only dimension.
    expect(emf).toMatchObject({ EventsRejected: [1, 1], service: 'hearth' });
    expect(emf._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
    expect(byReason.map((line) => [line.reason, line.EventsRejected])).toEqual([
      ['unauthorized', 1],
      ['bad_request', 1],
    ]);
  });
});
