import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type CommunityConfig, parseCommunityConfig } from '../domain/config';
import { batchGet, type Db, queryAll } from './db';
import { COMMUNITY_DIRECTORY_PK, communityDirectoryKey, communityKey } from './keys';

/**
 * Store a validated community config (replacing any earlier one). Its directory entry goes first, so a
 * config is never stored without one (a crash between the two leaves an entry whose sweeps find no config,
 * and skip it); both writes are idempotent, so storing it again repairs either.
 */
export async function putCommunity(db: Db, config: CommunityConfig, now: Date): Promise<void> {
  await db.doc.send(new PutCommand({ TableName: db.table, Item: communityDirectoryKey(config.id) }));
  await db.doc.send(
    new PutCommand({
      TableName: db.table,
      Item: { ...communityKey(config.id), config, updatedAt: now.toISOString() },
    }),
  );
}

/** A community's config, or undefined when there is none. */
export async function getCommunity(db: Db, communityId: string): Promise<CommunityConfig | undefined> {
  const result = await db.doc.send(new GetCommand({ TableName: db.table, Key: communityKey(communityId) }));
  return result.Item ? parseStored(result.Item.config) : undefined;
}

/** Parsed configs by their stored JSON, newest last; a warm function parses a config it has seen once. */
const parsed = new Map<string, CommunityConfig>();
const PARSED_KEPT = 1_000;

/**
 * A stored config, validated again on read, so that one stored by an older version gains new defaults. A
 * parse costs about a millisecond (every section's checks, every template's variables) and the hourly sweeps
 * read every community at each run, so the result is kept by the stored text: a config stored anew, changed
 * in any way, is a new text and is parsed again. Configs are never mutated after parsing, so one object may
 * serve every caller.
 */
function parseStored(raw: unknown): CommunityConfig {
  const text = JSON.stringify(raw);
  const hit = parsed.get(text);
  if (hit) return hit;
  const config = parseCommunityConfig(raw);
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value as string);
  parsed.set(text, config);
  return config;
}

/** Every community, by id: the directory's ids, then their configs in batches of 100. */
export async function listCommunities(db: Db): Promise<CommunityConfig[]> {
  const items = await batchGet<{ pk: string; config: unknown }>(db, (await listCommunityIds(db)).map(communityKey));
  // BatchGet answers in no particular order; an entry whose config is not stored (yet) is no community.
  return items.sort((a, b) => (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0)).map((item) => parseStored(item.config));
}

/** Every community's id, from the directory (a Query of one partition of keys alone). */
export async function listCommunityIds(db: Db): Promise<string[]> {
  const items = await queryAll<{ sk: string }>(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': COMMUNITY_DIRECTORY_PK },
  });
  return items.map((item) => item.sk);
}

/**
 * Communities by id, cached for `ttlMs` so a webhook does not read its config
 * on every request. Misses are not cached: a new community works at once.
 */
export class CommunityCache {
  private readonly entries = new Map<string, { config: CommunityConfig; expires: number }>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 10_000,
  ) {}

  async get(communityId: string, now: Date): Promise<CommunityConfig | undefined> {
    const hit = this.entries.get(communityId);
    if (hit && hit.expires > now.getTime()) return hit.config;
    const config = await getCommunity(this.db, communityId);
    if (config) this.entries.set(communityId, { config, expires: now.getTime() + this.ttlMs });
    else this.entries.delete(communityId);
    return config;
  }
}

/**
 * Every community, kept for `ttlMs` (of the time the caller passes): the hourly sweeps run eight jobs an hour,
 * three of them at once, and each needs the list. A community stored or changed reaches the sweeps within
 * the TTL; a sweep catches up from its mark, so a new community loses nothing by waiting.
 */
export class CommunityListCache {
  private cached: { list: CommunityConfig[]; expires: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  async list(now: Date): Promise<CommunityConfig[]> {
    if (this.cached && this.cached.expires > now.getTime()) return this.cached.list;
    const list = await listCommunities(this.db);
    this.cached = { list, expires: now.getTime() + this.ttlMs };
    return list;
  }
}
