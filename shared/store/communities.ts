import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type CommunityConfig, parseCommunityConfig } from '../domain/config';
import { type Db, queryAll } from './db';
import { COMMUNITY_PK, communityKey } from './keys';

/** Store a validated community config (replacing any earlier one). */
export async function putCommunity(db: Db, config: CommunityConfig, now: Date): Promise<void> {
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
  // Re-validate on read so a config stored by an older version gains new defaults.
  return result.Item ? parseCommunityConfig(result.Item.config) : undefined;
}

/** Every community, by id (a Query of one partition; communities are few). */
export async function listCommunities(db: Db): Promise<CommunityConfig[]> {
  const items = await queryAll<{ config: unknown }>(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': COMMUNITY_PK },
  });
  return items.map((item) => parseCommunityConfig(item.config));
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
