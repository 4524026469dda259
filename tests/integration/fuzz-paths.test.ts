import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFunctions } from '../../infra/local/functions';
import { startHttpServer } from '../../infra/local/http';
import { PLATFORMS } from '../../shared/platforms/registry';
import { putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { countWrites, freshTable } from '../support/dynamo';
import { communityConfig } from '../support/fixtures';
import { FUZZ_RUNS, FUZZ_SEED } from '../support/fuzz';

/**
 * Property-based fuzzing of what comes before any parser: the path (platform
 * and community segments, percent-encoding, lengths), the method and the
 * signature headers, sent over HTTP to the local runtime's server, the
 * stand-in for the HTTP API. Never a 5xx; a 4xx is a JSON error naming the
 * field (the path part, the header, the method); nothing is written.
 */

let db: Db;
let dir: string;
let server: Server;
let port: number;
let writes = 0;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const statuses: Record<number, number> = {};

beforeAll(async () => {
  db = await freshTable('paths');
  countWrites(db, () => {
    writes++;
  });
  await putCommunity(db, communityConfig({ id: 'acme' }), new Date());
  dir = await mkdtemp(join(tmpdir(), 'hearth-paths-'));
  const functions = localFunctions({ db, dataDir: dir, publisher: { publish: async () => undefined } });
  server = await startHttpServer(functions, 0);
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  agent.destroy();
  await new Promise<void>((done) => server.close(() => done()));
  await rm(dir, { recursive: true, force: true });
});

/** One raw request: the path is sent exactly as given. */
function send(method: string, path: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    // A length always: Node's client sends a DELETE's body without one, which no server can read.
    const sized = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = request({ host: '127.0.0.1', port, method, path, headers: sized, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Characters a path may carry on the wire (no space, `/`, `?`, `#`, controls), `%` among them. */
const wireChars = fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@%".split(''));
const segment = fc.oneof(
  fc.constantFrom(
    ...PLATFORMS,
    'acme',
    'generic',
    '',
    '.',
    '..',
    '%',
    '%E0%A4%A',
    '%ZZ',
    '%00',
    '%23',
    '%2F',
    '%C0%AF',
  ),
  fc.string({ unit: wireChars, maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent),
  // Long, but with the request line under Node's 16 KiB header limit (past it Node itself closes the connection).
  fc.integer({ min: 100, max: 3_000 }).map((n) => 'c'.repeat(n)),
  fc.integer({ min: 10, max: 1_000 }).map((n) => '%41'.repeat(n)),
);
const path = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...PLATFORMS).map((p) => `/webhooks/${p}/acme`) },
  { weight: 8, arbitrary: fc.tuple(segment, segment).map(([p, c]) => `/webhooks/${p}/${c}`) },
  { weight: 1, arbitrary: fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`) },
  { weight: 1, arbitrary: fc.tuple(segment, segment, segment).map(([a, b, c]) => `/webhooks/${a}/${b}/${c}`) },
);
const headerValue = fc.oneof(
  fc.constantFrom(
    't=1,v1=00',
    't=99999999999999999999,v1=x',
    'v1=',
    ',,,',
    `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
  ),
  fc.string({ unit: fc.constantFrom(...'abc019=,t v'.split('')), maxLength: 80 }),
);

describe('Fuzz: paths, methods and signature headers over HTTP', () => {
  it('never answers 5xx, answers every 4xx with a JSON error naming the field, and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE'),
        path,
        fc.option(headerValue, { nil: undefined }),
        async (method, target, signature) => {
          const before = writes;
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (signature !== undefined) headers['hearth-signature'] = signature;
          const answer = await send(method, target, headers, '{"id":"x","type":"member.joined"}');
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          expect(answer.status).toBeLessThan(500);
          // Nothing here is signed: only the health check answers 200.
          if (new URL(`http://h${target}`).pathname === '/health') return;
          expect(answer.status).toBeGreaterThanOrEqual(400);
          const json = JSON.parse(answer.body) as Record<string, unknown>;
          expect(json).toMatchObject({ error: expect.any(String), message: expect.any(String) });
          expect(json.field).toEqual(expect.stringMatching(/.+/));
          expect(writes - before).toBe(0);
        },
      ),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );

    // Assess: the paths reached every kind of refusal, the parsers' 400s among them.
    expect(Object.keys(statuses).map(Number).sort()).toEqual(expect.arrayContaining([400, 401, 404, 405]));
  }, 120_000);
});
