import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
  target: FunctionName;
  event: DomainEvent;
  publishedAt: string;
}

/** A temporary file older than this is a write whose process died before renaming it into place. */
const ABANDONED_WRITE_MS = 60_000;

/**
 * The in-process stand-in for the EventBridge bus: routes each event by the
 * same RULES as the CDK stack and invokes the targets asynchronously, as
 * EventBridge does. What keeps failing is written to `dead-letters.jsonl`.
 *
 * Like EventBridge, it keeps what it accepted: `publish` resolves only once
 * each delivery is on disk (`bus/pending/<time>-<random>.json`, one file a
 * delivery, written whole by a rename), and a delivery's file goes only when
 * its target has applied it or it is dead-lettered. A crash of the process in
 * between loses nothing: `replay` (at start) delivers again what is still
 * pending. Targets are idempotent (deterministic outbox ids), so a delivery
 * applied just before a crash and delivered again changes nothing.
 */
export class LocalBus implements EventPublisher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pendingDir: string;
  private readonly deadLetterFile: string;
  private kept = 0;

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
        if (rule.detailTypes.includes(event.type)) deliveries.push({ target: rule.target, event, publishedAt });
      }
    }
    // Accepted means on disk: only then may the webhook call the event done and answer 200.
    const kept = await Promise.all(deliveries.map((delivery) => this.keep(delivery)));
    for (const [i, delivery] of deliveries.entries()) this.start(delivery, kept[i]);
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
    const deliveries: Array<[Delivery, string]> = [];
    // File names start with the time of publishing: sorted, they are oldest first.
    for (const name of names.sort()) {
      const path = join(this.pendingDir, name);
      // Another process may settle or rename a file between the listing and the read: then it is not ours.
      const gone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!name.endsWith('.json')) {
        // A write that never finished: its publish never returned, so its sender was never told it was
        // accepted and sends it again. A recent one may be another process's, still writing.
        const mtimeMs = await stat(path).then(
          (info) => info.mtimeMs,
          (error) => (gone(error) ? undefined : Promise.reject(error)),
        );
        if (mtimeMs !== undefined && Date.now() - mtimeMs > ABANDONED_WRITE_MS) await rm(path, { force: true });
        continue;
      }
      const text = await readFile(path, 'utf8').catch((error) => (gone(error) ? undefined : Promise.reject(error)));
      if (text === undefined) continue;
      const delivery = this.readDelivery(text);
      if (delivery) {
        deliveries.push([delivery, path]);
      } else {
        // Files are renamed into place whole, so this is damage from outside: parked, not lost, not fatal.
        await appendFile(this.deadLetterFile, `${JSON.stringify({ pending: name, text, error: 'unreadable' })}\n`);
        await rm(path, { force: true });
      }
    }
    for (const [delivery, path] of deliveries) this.start(delivery, path);
    return deliveries.length;
  }

  /** Wait for every delivery under way (clean shutdown, tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** A pending file's delivery, or undefined when it is not one this bus can deliver. */
  private readDelivery(text: string): Delivery | undefined {
    let value: Partial<Delivery>;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    const known = typeof value?.target === 'string' && value.target in this.functions();
    const event = value?.event;
    return known && event && typeof event === 'object' && typeof event.type === 'string'
      ? (value as Delivery)
      : undefined;
  }

  /** Write a delivery whole under a name of its own; resolves with its path. */
  private async keep(delivery: Delivery): Promise<string> {
    await mkdir(this.pendingDir, { recursive: true });
    // Time, then this process's count (two in the same millisecond keep their order), then a random part.
    const name = `${delivery.publishedAt.replace(/[^0-9]/g, '')}-${String(++this.kept).padStart(9, '0')}-${randomUUID()}`;
    const path = join(this.pendingDir, `${name}.json`);
    const temporary = join(this.pendingDir, `${name}.tmp`);
    await writeFile(temporary, JSON.stringify(delivery));
    await rename(temporary, path);
    return path;
  }

  private start(delivery: Delivery, path: string): void {
    const run = this.deliver(delivery, path)
      .catch((error: unknown) =>
        logger.error('bus delivery not settled', { target: delivery.target, error: error as Error }),
      )
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private async deliver(delivery: Delivery, path: string): Promise<void> {
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
    await rm(path, { force: true });
  }
}
