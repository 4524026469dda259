/**
 * `npm run bench:dispatch`: how fast the dispatcher delivers, against a
 * local fake of the Telegram Bot API, beside the store's floor for the same
 * writes, in one run on the same engine.
 *
 * a. Dispatch: BENCH_DISPATCH_ITEMS (1000) welcome DMs, one to each member of
 *    a Telegram community, all due; dispatcher runs (as the schedule starts
 *    them, one after another) until every item is settled. Pacing is turned
 *    off: the sender's pacer keeps its rules but runs on a virtual clock whose
 *    waits cost no time, so the figure is the dispatcher and the store, not
 *    Telegram's 30 a second. Every call to the table is counted.
 * b. Floor: the writes an item cost in (a), per item, made directly as
 *    UpdateItems on keys of the same shape, one item's writes after another
 *    (as the dispatcher makes them), with no reads, no rendering, no HTTP.
 *
 * The engine is dynalite on disk in a worker thread, as the local stack runs
 * it. Writes bench/results/dispatch.json.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynalite } from '../infra/local/dynamo';
import { parseCommunityConfig } from '../shared/domain/config';
import { TelegramSender } from '../shared/platforms/telegram/outbound';
import { literalSecrets } from '../shared/runtime/secrets';
import { CommunityCache, putCommunity } from '../shared/store/communities';
import { createDb } from '../shared/store/db';
import { enqueue } from '../shared/store/outbox';
import { dispatch } from '../shared/workflows/dispatch';
import { startTelegramApi } from '../tests/support/fake-platform-apis';
import { envInt, host, READ_COMMANDS, ROOT, round, seed, sourceState, storedMember, writeResults } from './lib';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const ITEMS = envInt('BENCH_DISPATCH_ITEMS', 1000);
const NOW = new Date('2026-11-25T04:00:00.000Z'); // 12:00 in Shanghai: no quiet hours
const BOT_TOKEN = '123456:bench';

const began = performance.now();
const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-dispatch-'));
const dynamo = await startDynalite({ path: join(dir, 'db') });
const telegram = await startTelegramApi({ botToken: BOT_TOKEN });
try {
  await ensureTable(dynamo.endpoint, 'hearth');
  const db = createDb({ table: 'hearth', endpoint: dynamo.endpoint });
  const community = parseCommunityConfig({
    id: 'bench',
    name: 'Bench',
    timezone: 'Asia/Shanghai',
    webhookSecret: 'whsec_bench_only',
    platform: { kind: 'telegram', secretToken: 'tg-bench', botToken: BOT_TOKEN, apiBaseUrl: telegram.baseUrl },
  });
  await putCommunity(db, community, NOW);
  const ids = Array.from({ length: ITEMS }, (_, i) => String(1_000_000 + i));
  await seed(
    db,
    ids.map((id) => storedMember(community.id, id, '2026-11-25')),
  );
  for (const id of ids) {
    await enqueue(
      db,
      {
        id: `welcome#${community.id}#${id}#2026-11-25`,
        communityId: community.id,
        kind: 'welcome',
        memberId: id,
        delivery: 'dm',
        vars: { community: community.name },
        dueAt: NOW.toISOString(),
      },
      NOW,
    );
  }

  // Counted from here: every command the dispatcher sends.
  const calls = new Map<string, number>();
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName as string).replace(/Command$/, '');
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCount' },
  );
  // The pacer's clock and sleep, virtual: its waits advance the clock instead of the time.
  let virtual = NOW.getTime();
  const sender = new TelegramSender(community.platform as never, literalSecrets, {
    now: () => virtual,
    sleep: async (ms) => {
      virtual += ms;
    },
  });
  const deps = { db, communities: new CommunityCache(db), senderFor: () => sender };

  console.log(`bench:dispatch: ${ITEMS} welcome DMs to a fake Telegram API, pacing off (virtual clock) …`);
  const started = performance.now();
  let sent = 0;
  let runs = 0;
  for (let at = NOW.getTime(); sent < ITEMS && runs < 100; at += 60_000) {
    const report = await dispatch(deps, new Date(at));
    sent += report.sent;
    runs++;
    if (report.failed || report.skipped) throw new Error(`dispatch: ${JSON.stringify(report)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const total = (names: (n: string) => boolean) =>
    [...calls].filter(([n]) => names(n)).reduce((sum, [, count]) => sum + count, 0);
  const readsPerItem = total((n) => READ_COMMANDS.has(n)) / sent;
  const writesPerItem = total((n) => !READ_COMMANDS.has(n)) / sent;
  console.log(`   ${sent} sent in ${round(seconds, 2)} s over ${runs} runs: ${round(sent / seconds)} items/s`);

  // b. The same number of writes per item, straight to the store.
  const perItem = Math.round(writesPerItem);
  const floorStarted = performance.now();
  for (const id of ids) {
    for (let w = 0; w < perItem; w++) {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: { pk: `C#bench#FLOOR#${id}`, sk: `w${w}` },
          UpdateExpression: 'SET #s = :s, #t = :t',
          ExpressionAttributeNames: { '#s': 'status', '#t': 'at' },
          ExpressionAttributeValues: { ':s': 'sent', ':t': NOW.toISOString() },
        }),
      );
    }
  }
  const floorSeconds = (performance.now() - floorStarted) / 1000;
  const floorRate = ITEMS / floorSeconds;
  console.log(
    `   floor: ${perItem} UpdateItems per item, ${round(floorRate)} items/s (${round((ITEMS * perItem) / floorSeconds)} writes/s)`,
  );
  const report = {
    benchmark: 'dispatch',
    at: new Date().toISOString(),
    host: host(),
    source: sourceState(),
    method:
      'dispatcher runs one after another until every due item is sent, against a fake Telegram Bot API on loopback; the pacer on a virtual clock (its waits cost no time); engine dynalite on disk in a worker thread; floor = the same writes per item as plain UpdateItems, one after another',
    items: ITEMS,
    runs,
    seconds: round(seconds, 2),
    itemsPerSecond: round(sent / seconds),
    perItem: {
      writes: round(writesPerItem, 2),
      reads: round(readsPerItem, 2),
      calls: Object.fromEntries([...calls].map(([n, c]) => [n, round(c / sent, 2)])),
    },
    apiRequests: telegram.requests.length,
    floor: { writesPerItem: perItem, itemsPerSecond: round(floorRate), seconds: round(floorSeconds, 2) },
    ratio: round(sent / seconds / floorRate, 2),
    durationSeconds: round((performance.now() - began) / 1000, 1),
  };
  const file = await writeResults('dispatch.json', report);
  console.log(
    `   dispatch / floor ${report.ratio}; per item ${report.perItem.writes} writes, ${report.perItem.reads} reads; written to ${file.slice(ROOT.length)}`,
  );
  db.doc.destroy();
} finally {
  await telegram.close();
  await dynamo.close();
  await rm(dir, { recursive: true, force: true });
}
