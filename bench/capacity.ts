/**
 * `npm run bench:capacity`: the write capacity one inbound event costs, as
 * DynamoDB reports it (ReturnConsumedCapacity: INDEXES), per case:
 *   (i)   a member's first message of a day
 *   (ii)  the same member's second message that day
 *   (iii) a duplicate of (ii) (a relay retry)
 *   (iv)  a member.joined (a member never seen before)
 *   (v)   extra: the first message of a member never seen before
 *   (vi)  a message with a changed profile
 *   (vii) a reply to another member's message, (viii) a reaction to one
 *   (ix)  a member's 30th, 60th, 64th and 85th message of a day (the day row grows with its events)
 * Needs DYNAMODB_ENDPOINT (DynamoDB Local; `npm run test:ddb-local` starts one
 * and runs this). dynalite does not report consumed capacity, so there is no
 * embedded fallback. Each case counts every call the webhook pipeline makes for
 * the event (including the `complete()` write after publishing, where ingest
 * has one). Prints write units (table, each index) and read units per case;
 * writes bench/results/capacity.json.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../infra/local/dynamo';
import { parseCommunityConfig } from '../shared/domain/config';
import type { InboundEvent } from '../shared/domain/events';
import { putCommunity } from '../shared/store/communities';
import { createDb } from '../shared/store/db';
import { ingestEvent } from '../shared/store/ingest';
import { ProfileCache } from '../shared/store/profile-cache';
import { TABLE } from '../shared/store/table';
import { dynamoLocalEndpoint, host, meterCapacity, ROOT, round, sourceState, writeResults } from './lib';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const endpoint = dynamoLocalEndpoint(
  'bench:capacity',
  '`npm run test:ddb-local` starts DynamoDB Local and runs this benchmark against it.',
);

/** What one DynamoDB call consumed, as the engine reported it. */
interface CallCapacity {
  command: string;
  /** Write units on the table itself. */
  table: number;
  /** Write units per global secondary index. */
  indexes: Record<string, number>;
  /** Read units, when the call reported any. */
  read: number;
  /** A conditional write whose condition failed: the API reports no capacity for it. */
  conditionFailed?: true;
}

interface CapacityReport {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  Table?: { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<
    string,
    { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number }
  >;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'Put', 'Update', 'Delete']);
const units = (
  c: { CapacityUnits?: number; WriteCapacityUnits?: number; ReadCapacityUnits?: number } | undefined,
  write: boolean,
) => (write ? (c?.WriteCapacityUnits ?? c?.CapacityUnits) : (c?.ReadCapacityUnits ?? c?.CapacityUnits)) ?? 0;

function toCall(command: string, reported: CapacityReport | CapacityReport[] | undefined): CallCapacity {
  const write = WRITES.has(command);
  const call: CallCapacity = { command, table: 0, indexes: {}, read: 0 };
  for (const c of Array.isArray(reported) ? reported : reported ? [reported] : []) {
    // Table and index figures when the engine breaks them down; the total otherwise.
    const tableUnits = c.Table ? units(c.Table, write) : c.GlobalSecondaryIndexes ? 0 : units(c, write);
    if (write) call.table += tableUnits;
    else call.read += tableUnits;
    for (const [name, index] of Object.entries(c.GlobalSecondaryIndexes ?? {})) {
      if (write) call.indexes[name] = (call.indexes[name] ?? 0) + units(index, true);
      else call.read += units(index, false);
    }
  }
  return call;
}

const table = `capacity-${randomUUID().slice(0, 8)}`;
const db = createDb({ table, endpoint, region: 'local' });
const calls: CallCapacity[] = [];

interface CaseResult {
  case: string;
  duplicate: boolean;
  calls: CallCapacity[];
  writeUnits: { table: number; indexes: Record<string, number>; total: number };
  readUnits: number;
  failedConditionalWrites: number;
}

async function measure(label: string, event: InboundEvent): Promise<CaseResult> {
  calls.length = 0;
  const result = await ingestEvent(db, community, event, { profiles, now: RECEIVED });
  // What the webhook pipeline does after publishing, when ingest asks for it (a lifecycle event's last write).
  await (result as { complete?: () => Promise<void> }).complete?.();
  const mine = calls.splice(0);
  const indexes: Record<string, number> = {};
  let tableUnits = 0;
  for (const call of mine) {
    tableUnits += call.table;
    for (const [name, u] of Object.entries(call.indexes)) indexes[name] = round((indexes[name] ?? 0) + u, 2);
  }
  const total = round(tableUnits + Object.values(indexes).reduce((a, b) => a + b, 0), 2);
  return {
    case: label,
    duplicate: result.duplicate,
    calls: mine,
    writeUnits: { table: round(tableUnits, 2), indexes, total },
    readUnits: round(
      mine.reduce((a, c) => a + c.read, 0),
      2,
    ),
    failedConditionalWrites: mine.filter((c) => c.conditionFailed).length,
  };
}

// The webhook pipeline keeps one profile cache per process; so does this run, receiving
// the events within a few minutes of each other, as a live community's arrive.
const profiles = new ProfileCache();
const RECEIVED = new Date('2026-03-10T06:00:00Z');
const community = parseCommunityConfig(JSON.parse(await readFile(join(ROOT, 'examples', 'community.json'), 'utf8')));
const began = performance.now();
let exitCode = 0;
try {
  await ensureTable(endpoint, table);
  await putCommunity(db, community, new Date());
  meterCapacity(db, 'INDEXES', ({ command, output, conditionFailed }) =>
    calls.push(
      conditionFailed
        ? { ...toCall(command, undefined), conditionFailed }
        : toCall(command, output?.ConsumedCapacity as CapacityReport | undefined),
    ),
  );

  // A member with a profile as relays send it; the birthday puts the member in byBirthday.
  const ada = { id: 'ada', name: 'Ada Lovelace', birthday: '12-10', timezone: 'Europe/London' };
  const message = (id: string, at: string, member = ada): InboundEvent => ({
    id,
    type: 'message.posted',
    occurredAt: at,
    member,
    channelId: 'general',
  });
  const renamed = { ...ada, name: 'Ada King' };
  /** (ix) The nth message of Ada's day, for each n: the day row grows with the day's events. */
  const busyDay = async (nths: number[]) => {
    const results: CaseResult[] = [];
    let sent = 6;
    for (const nth of nths) {
      const at = (i: number) => new Date(Date.parse('2026-03-10T04:00:00Z') + i * 20_000).toISOString();
      for (; sent < nth - 1; sent++) {
        await ingestEvent(db, community, message(`busy-${sent}`, at(sent), renamed), { profiles, now: RECEIVED });
      }
      results.push(await measure(`(ix) message ${nth} of the day`, message(`busy-${sent}`, at(sent++), renamed)));
    }
    return results;
  };
  // Not measured: Ada joined and was active on earlier days, as most members who post are.
  const seedOptions = { profiles, now: RECEIVED };
  await ingestEvent(
    db,
    community,
    { id: 'seed-join', type: 'member.joined', occurredAt: '2026-03-01T02:00:00Z', member: ada },
    seedOptions,
  );
  await ingestEvent(db, community, message('seed-msg', '2026-03-05T02:00:00Z'), seedOptions);

  const cases = [
    await measure('(i) first message of the day', message('msg-1', '2026-03-10T02:00:00Z')),
    await measure('(ii) second message that day', message('msg-2', '2026-03-10T03:00:00Z')),
    await measure('(iii) duplicate of (ii)', message('msg-2', '2026-03-10T03:00:00Z')),
    await measure('(iv) member.joined (new member)', {
      id: 'join-bob',
      type: 'member.joined',
      occurredAt: '2026-03-10T04:00:00Z',
      member: { id: 'bob', name: 'Bob', birthday: '07-01' },
    }),
    await measure(
      '(v) first message of a never-seen member',
      message('msg-cy', '2026-03-10T05:00:00Z', { id: 'cy', name: 'Cy', birthday: '01-31', timezone: 'Asia/Shanghai' }),
    ),
    await measure('(vi) a message with a changed profile', message('msg-3', '2026-03-10T03:30:00Z', renamed)),
    // Points and tiers: a reply and a reaction to someone else's message credit its author, in the same write.
    await measure('(vii) a reply to another member', {
      ...message('msg-4', '2026-03-10T03:40:00Z', renamed),
      replyTo: 'bob',
      replyToMessage: 'bob-msg-1',
    } as InboundEvent),
    await measure('(viii) a reaction to another member', {
      id: 'react-1',
      type: 'reaction.added',
      occurredAt: '2026-03-10T03:41:00Z',
      member: renamed,
      toMemberId: 'bob',
      messageId: 'bob-msg-1',
    } as InboundEvent),
    ...(await busyDay([30, 60, 64, 85])),
  ];

  const indexNames = [...new Set(cases.flatMap((c) => Object.keys(c.writeUnits.indexes)))].sort();
  const report = {
    benchmark: 'capacity',
    at: new Date().toISOString(),
    host: host(),
    source: sourceState(),
    engine: {
      endpoint,
      note: 'DynamoDB Local reports consumed capacity as DynamoDB computes it (1 WCU per 1 KB written)',
    },
    community: community.id,
    indexes: TABLE.indexes.map((index) => ({ name: index.name, projection: index.projection })),
    cases,
    notes: [
      "Write units per index: an update of the member item writes an index when it changes the item's keys in that index (moves it, as the last-active day does) or, with a projection of ALL, any attribute at all (the counters change with every message).",
      'A conditional write whose condition fails (the duplicate) reports no ConsumedCapacity through the API; DynamoDB still bills it (at least 1 WCU).',
    ],
    durationSeconds: round((performance.now() - began) / 1000, 1),
  };

  const col = (s: string | number, w: number) => String(s).padStart(w);
  console.log(`Write capacity units per inbound event (DynamoDB Local at ${endpoint}, table ${table})`);
  console.log(
    `  ${'case'.padEnd(42)}${col('table', 7)}${indexNames.map((n) => col(n, 14)).join('')}${col('total', 8)}${col('reads', 7)}  calls`,
  );
  for (const c of cases) {
    const perIndex = indexNames.map((n) => col(c.writeUnits.indexes[n] ?? 0, 14)).join('');
    const what = c.calls.map(
      (call) => `${call.command}${call.conditionFailed ? ' (condition failed, not reported)' : ''}`,
    );
    console.log(
      `  ${c.case.padEnd(42)}${col(c.writeUnits.table, 7)}${perIndex}${col(c.writeUnits.total, 8)}${col(c.readUnits, 7)}  ${what.join(', ')}`,
    );
  }
  for (const note of report.notes) console.log(`  note: ${note}`);
  const file = await writeResults('capacity.json', report);
  console.log(`  written to ${file.slice(ROOT.length)}`);
} catch (error) {
  console.error('bench:capacity failed:', error);
  exitCode = 1;
} finally {
  db.doc.destroy();
  const admin = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await admin.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  admin.destroy();
}
process.exit(exitCode);
