import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { putCommunity } from '../../shared/store/communities';
import type { Db } from '../../shared/store/db';
import { getMember } from '../../shared/store/members';
import { freshTable } from '../support/dynamo';
import { communityConfig } from '../support/fixtures';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

let db: Db;
let dir: string;

beforeAll(async () => {
  db = await freshTable('cli-import');
  await putCommunity(db, communityConfig({ id: 'acme' }), new Date());
  dir = await mkdtemp(join(tmpdir(), 'hearth-import-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `hearth …` against this file's table, as against AWS (HEARTH_TABLE): no data folder to open. */
async function hearth(...args: string[]) {
  const env = { ...process.env, HEARTH_TABLE: db.table, DYNAMODB_ENDPOINT: inject('dynamoEndpoint') };
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin', 'hearth.js'), ...args], {
      cwd: ROOT,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('CLI: members import', () => {
  it('rejects a bad file naming its line and column, then imports a good one that member show sees', async () => {
    // Prepare
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'id,name,birthday\r\nu1,Ada,03-14\r\nu2,Bo,14/03\r\n');
    const good = join(dir, 'good.csv');
    await writeFile(good, '\uFEFFid,name,birthday,timezone,Email\r\nu1,"Lovelace, Ada",02-29,Europe/London,a@x\r\n');

    // Act
    const [rejected, unknown] = await Promise.all([
      hearth('members', 'import', 'acme', bad),
      hearth('members', 'import', 'nowhere', good, '--json'),
    ]);
    const imported = await hearth('members', 'import', 'acme', good, '--json');
    const shown = await hearth('member', 'show', 'acme', 'u1', '--json');

    // Assess
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain('line 3, birthday: must be MM-DD or YYYY-MM-DD');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('community: no community "nowhere"');
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({
      communityId: 'acme',
      rows: 1,
      created: 1,
      updated: 0,
      forgotten: 0,
      superseded: 0,
      ignoredColumns: ['Email'],
    });
    expect(JSON.parse(shown.stdout)).toMatchObject({
      id: 'u1',
      name: 'Lovelace, Ada',
      status: 'member',
      birthday: '02-29',
      timezone: 'Europe/London',
    });
    // The rejected file wrote nothing, not even its good first row's.
    expect(await getMember(db, 'acme', 'u2')).toBeUndefined();
  });
});
