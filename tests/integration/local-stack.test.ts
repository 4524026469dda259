import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { afterEach, describe, expect, it } from 'vitest';
import { banner } from '../../infra/local/banner';
import { ensureTable } from '../../infra/local/dynamo';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import { listCommunities, putCommunity } from '../../shared/store/communities';
import { createDb } from '../../shared/store/db';
import { communityConfig } from '../support/fixtures';

const DEMO_CONFIG = join(import.meta.dirname, '..', '..', 'examples', 'community.json');
const BUNDLED_SECRET = 'whsec_demo_local_only';

const folders: string[] = [];
const stacks: LocalStack[] = [];

/** A local stack in a data folder of its own, in this process, with no schedules. */
async function start(dataDir?: string): Promise<LocalStack> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'hearth-stack-')));
  if (!dataDir) folders.push(dir);
  const stack = await startLocalStack({ dataDir: dir, port: 0, schedules: false, demoConfigFile: DEMO_CONFIG });
  stacks.push(stack);
  return stack;
}

async function stop(stack: LocalStack): Promise<void> {
  stacks.splice(stacks.indexOf(stack), 1);
  await stack.stop();
}

afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.stop();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('Function: startLocalStack', () => {
  describe('its banner', () => {
    it('prints a curl sample signed with the bundled demo secret, which is public in examples/', async () => {
      // Act
      const stack = await start();

      // Assess
      expect(banner(stack, false)).toContain(`-hmac '${BUNDLED_SECRET}'`);
    });

    it('never prints a secret an operator stored, only the command that signs without showing it', async () => {
      // Prepare: an operator's own community, and later the demo id given another secret.
      const first = await start();
      const dir = first.dataDir;
      await putCommunity(
        first.db,
        communityConfig({ id: 'demo', webhookSecret: 'whsec_operator_private' }),
        new Date(),
      );
      await stop(first);

      // Act
      const again = await start(dir);
      const text = banner(again, false);

      // Assess
      expect(again.demo).toEqual({ id: 'demo', created: false });
      expect(text).toContain('npx hearth post demo');
      expect(text).not.toContain('whsec_operator_private');
      expect(text).not.toContain('openssl');
    });
  });

  describe('its HTTP server', () => {
    it.each([
      ['/webhooks/generic/%E0%A4%A', 'communityId'],
      ['/webhooks/%ZZ/demo', 'platform'],
    ])('answers malformed percent-encoding in %s with 400 naming %s', async (path, field) => {
      // Prepare
      const stack = await start();
      const url = stack.webhookBaseUrl.replace(/\/webhooks$/, '') + path;

      // Act
      const response = await fetch(url, { method: 'POST', body: '{}' });

      // Assess
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'bad_request', field });
    });

    it('reads a path that starts with // as a path, not as another host (404, where it was 500)', async () => {
      // Prepare: fetch would normalise the path, so the request line is written by hand.
      const stack = await start();
      const { port } = new URL(stack.webhookBaseUrl);

      // Act
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'GET', path: '//%F3%BD%AC%90/x' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });

      // Assess
      expect(status).toBe(404);
    });
  });
});

describe('Function: ensureTable', () => {
  it('returns only once the table is ACTIVE, so the first read after it never meets a CREATING table', async () => {
    // Arrange: an engine that keeps a new table CREATING for 300 ms (the stack's own turns it ACTIVE on its next tick).
    const server = dynalite({ createTableMs: 300 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // Act
      await ensureTable(endpoint, 'slow');
      const db = createDb({ table: 'slow', endpoint, region: 'us-east-1' });
      const found = await listCommunities(db);

      // Assess: before the wait, this Query was refused with ResourceNotFoundException.
      expect(found).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
