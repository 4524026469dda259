import { appendFile } from 'node:fs/promises';
import type { EventBridgeEvent } from 'aws-lambda';
import type { DomainEvent, EventPublisher } from '../../shared/events/domain-events';
import { logger } from '../../shared/runtime/observability';
import { EVENT_SOURCE, type FunctionName, RULES } from '../topology';
import type { LocalFunctions } from './functions';

/** EventBridge's default is 185 retries over 24 h; locally two retries tell the same story. */
const RETRIES = 2;

/**
 * The in-process stand-in for the EventBridge bus: routes each event by the
 * same RULES as the CDK stack and invokes the targets asynchronously, as
 * EventBridge does. What keeps failing is written to `deadLetterFile`.
 */
export class LocalBus implements EventPublisher {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly functions: () => LocalFunctions,
    private readonly deadLetterFile: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) {
      for (const rule of RULES) {
        if (!rule.detailTypes.includes(event.type)) continue;
        const delivery = this.deliver(rule.target, event).finally(() => this.inFlight.delete(delivery));
        this.inFlight.add(delivery);
      }
    }
  }

  /** Wait for every delivery under way (clean shutdown, tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async deliver(target: FunctionName, detail: DomainEvent): Promise<void> {
    const event: EventBridgeEvent<typeof detail.type, DomainEvent> = {
      version: '0',
      id: crypto.randomUUID(),
      'detail-type': detail.type,
      source: EVENT_SOURCE,
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'local',
      resources: [],
      detail,
    };
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.functions()[target](event);
        return;
      } catch (error) {
        if (attempt >= RETRIES) {
          logger.error('bus delivery failed; dead-lettered', { target, type: detail.type, error: error as Error });
          await appendFile(this.deadLetterFile, `${JSON.stringify({ target, event, error: String(error) })}\n`);
          return;
        }
      }
    }
  }
}
