import { listCommunities } from '../../shared/store/communities';
import { countWaiting } from '../../shared/store/deliveries';
import { getOutboxItem, listOutbox, type OutboxItem, type OutboxStatus, reschedule } from '../../shared/store/outbox';
import { UsageError } from '../errors';
import { output, table } from '../output';
import type { Target } from '../target';

const STATUSES: OutboxStatus[] = ['pending', 'sent', 'failed', 'skipped'];

/** An outbox item as the CLI contract shows it (docs/contract.md). */
const view = (item: OutboxItem) => ({
  id: item.id,
  communityId: item.communityId,
  kind: item.kind,
  memberId: item.memberId,
  status: item.status,
  dueAt: item.dueAt,
  sentAt: item.sentAt ?? null,
  attempts: item.attempts,
  reason: item.reason ?? null,
});

/** `outbox [--community <id>] [--status <s>]`. */
export async function outboxList(
  target: Target,
  options: { community?: string; status?: string },
  json: boolean,
): Promise<void> {
  if (options.status && !STATUSES.includes(options.status as OutboxStatus)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  }
  const ids = options.community ? [options.community] : (await listCommunities(target.db)).map((c) => c.id);
  const items: OutboxItem[] = [];
  for (const id of ids) items.push(...(await listOutbox(target.db, id, options.status as OutboxStatus | undefined)));
  items.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  output(json, items.map(view), () =>
    items.length
      ? table([
          ['ID', 'STATUS', 'DUE', 'SENT', 'ATTEMPTS', 'REASON'],
          ...items.map((i) => [i.id, i.status, i.dueAt, i.sentAt ?? '-', String(i.attempts), i.reason ?? '']),
        ])
      : emptyMessage(options),
  );
}

/** What an empty listing says: what it was filtered to, so that "empty" is never mistaken for the whole outbox. */
function emptyMessage({ community, status }: { community?: string; status?: string }): string {
  const where = community ? ` in community ${community}` : '';
  return status ? `no ${status} items${where} (without --status: every item)` : `the outbox is empty${where}`;
}

/** `outbox retry <id>`: put a failed (or skipped) item back as due now. */
export async function outboxRetry(target: Target, id: string | undefined, json: boolean): Promise<void> {
  if (!id) throw new UsageError('outbox retry needs an id: hearth outbox retry <id>');
  // Ids are kind#community#member#period.
  const communityId = id.split('#')[1];
  const item = communityId ? await getOutboxItem(target.db, communityId, id) : undefined;
  if (!item) throw new UsageError(`no outbox item "${id}"`);
  if (item.status === 'sent') throw new UsageError(`outbox item "${id}" was already sent`);
  if (!(await reschedule(target.db, item, new Date(), 'unsent', 'retried by operator', 0))) {
    throw new UsageError(`outbox item "${id}" was sent meanwhile`);
  }
  // A failed item no longer waits for an operator (the digest's count).
  if (item.status === 'failed') await countWaiting(target.db, communityId, -1);
  output(json, { retried: id }, () => `${id} is pending again; the next dispatch sends it`);
}
