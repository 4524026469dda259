import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PipelineMetrics } from '../webhook/pipeline';

/**
 * One logger and one metrics buffer per process. Logs are structured JSON and
 * never carry secrets, signatures or message text: callers log ids and counts.
 * Metrics are CloudWatch EMF lines, flushed by the handler factory.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hearth' });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Hearth',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hearth',
});

/** The webhook pipeline's counters as EMF metrics. */
export const pipelineMetrics: PipelineMetrics = {
  accepted(count) {
    if (count) metrics.addMetric('EventsAccepted', MetricUnit.Count, count);
  },
  duplicates(count) {
    if (count) metrics.addMetric('EventsDuplicate', MetricUnit.Count, count);
  },
  rejected(reason) {
    // A metric of its own so that its `reason` dimension does not tag the others.
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric('EventsRejected', MetricUnit.Count, 1);
  },
};
