import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventBridgeEvent } from 'aws-lambda';
import type { DomainEvent, EventPublisher } from '../../shared/events/domain-events';
import { logger } from '../../shared/runtime/observability';
import { EVENT_SOURCE, type FunctionName, RULES } from '../topology';
import type { LocalFunctions } from './functions';

/** EventBridge's default is 185 retries over 24 h; locally two retries tell the same story. */
const RETRIES = 2;

/** One event on its way to one rule's target, as it is kept on disk until the target has applied it. */
interface Delivery {
  id: string;
  target: FunctionName;
  event: DomainEvent;
  publishedAt: string;
}

/**
 * The in-process stand-in for the EventBridge bus: routes each event by the
 * same RULES as the CDK stack and invokes the targets asynchronously, as
 * EventBridge does. What keeps failing is written to `dead-letters.jsonl`.
 *
 * Like EventBridge, it keeps what it accepted: `publish` resolves only once
 * each delivery is on disk (`bus/pending/<id>.json`, written whole by a
 * rename), and a delivery leaves the disk only when its target has applied
 * it or it is dead-lettered. A crash of the process in between loses
 * nothing: `replay` (at start) delivers again what is still pending. Targets
 * are idempotent (deterministic outbox ids), so a delivery applied just
 * before a crash and replayed after it changes nothing.
 */
export class LocalBus implements EventPublisher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pendingDir: string;
  private readonly deadLetterFile: string;
  private written = 0;

  constructor(
    private readonly functions: () => LocalFunctions,
    dataDir: string,
  ) {
    this.pendingDir = join(dataDir, 'bus', 'pending');
    this.deadLetterFile = join(dataDir, 'dead-letters.jsonl');
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    const deliveries: Delivery[] = [];
    const publishedAt = new Date().toISOString();
    for (const event of events) {
      for (const rule of RULES) {
        if (rule.detailTypes.includes(event.type)) {
          deliveries.push({ id: deliveryId(rule.target, event), target: rule.target, event, publishedAt });
        }
      }
    }
    // Accepted means on disk: only then may the webhook call the event done and answer 200.
    await Promise.all(deliveries.map((delivery) => this.keep(delivery)));
    for (const delivery of deliveries) this.start(delivery);
  }

  /**
   * Deliver again what a previous process accepted and did not finish (it stopped or crashed), oldest first.
   * Resolves with how many; the deliveries run in the background (`drain` waits for them).
   */
  async replay(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.pendingDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const deliveries: Delivery[] = [];
    for (const name of names) {
      const path = join(this.pendingDir, name);
      // A temporary file is a write that never finished: its publish never returned, so its sender was
      // never told it was accepted and will send it again.
      if (!name.endsWith('.json')) {
        await rm(path, { force: true });
        continue;
      }
      const text = await readFile(path, 'utf8');
      try {
        deliveries.push(JSON.parse(text) as Delivery);
      } catch {
        // Files are renamed into place whole, so this is damage from outside: parked, not lost, not fatal.
        await appendFile(this.deadLetterFile, `${JSON.stringify({ pending: name, text, error: 'unreadable' })}\n`);
        await rm(path, { force: true });
      }
    }
    deliveries.sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
    for (const delivery of deliveries) this.start(delivery);
    return deliveries.length;
  }

  /** Wait for every delivery under way (clean shutdown, tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async keep(delivery: Delivery): Promise<void> {
    await mkdir(this.pendingDir, { recursive: true });
    const path = this.pathOf(delivery.id);
    const temporary = `${path}.${process.pid}.${++this.written}.tmp`;
    await writeFile(temporary, JSON.stringify(delivery));
    await rename(temporary, path);
  }

  private start(delivery: Delivery): void {
    const run = this.deliver(delivery).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { target, event: detail } = delivery;
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
        break;
      } catch (error) {
        if (attempt >= RETRIES) {
          logger.error('bus delivery failed; dead-lettered', { target, type: detail.type, error: error as Error });
          await appendFile(this.deadLetterFile, `${JSON.stringify({ target, event, error: String(error) })}\n`);
          break;
        }
      }
    }
    // Applied (or parked where an operator sees it): no longer pending.
    await rm(this.pathOf(delivery.id), { force: true });
  }

  private pathOf(id: string): string {
    return join(this.pendingDir, `${id}.json`);
  }
}

/** The same event for the same target is the same delivery: publishing it again keeps one file. */
function deliveryId(target: FunctionName, event: DomainEvent): string {
  return createHash('sha256')
    .update(`${target}\n${JSON.stringify(event)}`)
    .digest('hex')
    .slice(0, 32);
}
