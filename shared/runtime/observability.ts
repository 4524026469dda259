import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PipelineMetrics } from '../webhook/pipeline';

/**
 * One logger and one metrics buffer per process. Logs are structured JSON and
 * never carry secrets, signatures or message text: callers log ids and counts.
 * Metrics are CloudWatch EMF lines, flushed by the handler factory.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hearth' });

/**
 * Send this process's log lines to stderr, for a process whose stdout is its output (the CLI, which prints
 * one JSON value and nothing else with --json). Powertools writes INFO and DEBUG to stdout, as Lambda wants,
 * and has no option for another stream, so its console is replaced (with `trace` kept a plain line, as it has it).
 */
export function logToStderr(): void {
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr });
  toStderr.trace = (message?: unknown, ...rest: unknown[]) => toStderr.log(message, ...rest);
  Object.assign(logger as unknown as { console: Console }, { console: toStderr });
}

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Hearth',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hearth',
});

/**
 * The dispatcher's sends parked as failed in a run: one `SendsParked` count of them all, and one per kind
 * (dimension `kind`), each a metric of its own so that the dimension does not tag the run's other metrics.
 */
export function parkedMetrics(parked: Readonly<Record<string, number>>): void {
  // Once in all, for the alarm on a run of failures of any kind (infra/topology.ts METRIC_ALARMS).
  const total = Object.values(parked).reduce((sum, count) => sum + count, 0);
  if (total) metrics.addMetric('SendsParked', MetricUnit.Count, total);
  for (const [kind, count] of Object.entries(parked)) {
    if (!count) continue;
    const single = metrics.singleMetric();
    single.addDimension('kind', kind);
    single.addMetric('SendsParked', MetricUnit.Count, count);
  }
}

/** The webhook pipeline's counters as EMF metrics. */
export const pipelineMetrics: PipelineMetrics = {
  accepted(count) {
    if (count) metrics.addMetric('EventsAccepted', MetricUnit.Count, count);
  },
  duplicates(count) {
    if (count) metrics.addMetric('EventsDuplicate', MetricUnit.Count, count);
  },
  rejected(reason) {
    // Once without a reason, for the alarm on all of them (infra/topology.ts METRIC_ALARMS), and once in a metric
    // of its own, so that its `reason` dimension does not tag the others.
    metrics.addMetric('EventsRejected', MetricUnit.Count, 1);
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric('EventsRejected', MetricUnit.Count, 1);
  },
};
