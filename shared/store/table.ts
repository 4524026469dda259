/**
 * The one table's shape: keys, indexes and TTL attribute. The CDK stack and the
 * local runtime both build the table from this definition, so nothing about it
 * is described twice. Key *values* live in `keys.ts`.
 */

/** A global secondary index: its name and the attributes that key it. */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /**
   * KEYS_ONLY where the item changes often (a member's counters change with
   * every message; projecting them would add an index write per message) and
   * the sweep reads the few items it finds anyway; ALL where it does not.
   */
  readonly projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  /** For INCLUDE: the attributes copied into the index besides the keys. */
  readonly nonKeyAttributes?: readonly string[];
}

/** Everything needed to create the table in AWS or in the embedded engine. */
export interface TableDefinition {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly ttlAttribute: string;
  readonly indexes: readonly IndexDefinition[];
}

/**
 * The indexes by name: the only place an index's name and its key attributes are spelled. Store modules
 * query them through `queryIndex` (`db.ts`), so no index or key-attribute name is written anywhere else.
 */
export const INDEXES = {
  // Members by birthday month-day (sparse: only members with a birthday). The hourly sweep reads the
  // same month-days about 26 times a day and needs each member's time zone and standing to decide; those
  // change rarely, so carrying them here costs few index writes and spares a read of every member found.
  byBirthday: {
    name: 'byBirthday',
    partitionKey: 'bdayPk',
    sortKey: 'bdaySk',
    projection: 'INCLUDE',
    nonKeyAttributes: ['timezone', 'status', 'optedOut', 'isBot', 'isStaff'],
  },
  // Members by the month-day of their first join in the community's zone (sparse: only members who joined),
  // for anniversaries; like byBirthday it carries what the hourly sweep decides on, and the first join.
  byAnniversary: {
    name: 'byAnniversary',
    partitionKey: 'annivPk',
    sortKey: 'annivSk',
    projection: 'INCLUDE',
    nonKeyAttributes: ['timezone', 'status', 'optedOut', 'isBot', 'isStaff', 'firstJoinedAt'],
  },
  // A community's members by presence: `C#<c>#PRESENT` while a member, `C#<c>#GONE` once left, keyed by the
  // member's id; a greeting to every member (a holiday) reads the present partition and nothing else.
  byPresence: {
    name: 'byPresence',
    partitionKey: 'presentPk',
    sortKey: 'id',
    projection: 'INCLUDE',
    nonKeyAttributes: ['timezone', 'status', 'optedOut', 'isBot', 'isStaff'],
  },
  // Members by community and last-active day (sparse: only members who were active).
  byLastActive: { name: 'byLastActive', partitionKey: 'idlePk', sortKey: 'idleSk', projection: 'KEYS_ONLY' },
  // Members by community and the day of their latest join (sparse: only members who joined).
  byJoinDay: { name: 'byJoinDay', partitionKey: 'joinPk', sortKey: 'joinSk', projection: 'KEYS_ONLY' },
  // A member's day rows by day (keys only, written once when a row is created).
  byMemberDay: { name: 'byMemberDay', partitionKey: 'memberDaysPk', sortKey: 'day', projection: 'KEYS_ONLY' },
  // A community's leaderboard: members by points (`<points, 12 digits>#<m>`; sparse: only members with points
  // who are neither staff nor bots and still there), carrying their tier; the top 20 is one short Query.
  byRank: {
    name: 'byRank',
    partitionKey: 'rankPk',
    sortKey: 'rankSk',
    projection: 'INCLUDE',
    nonKeyAttributes: ['tier', 'status', 'isStaff', 'isBot'],
  },
  // A community's members by tier (sparse: lurkers, staff, bots and those who left have none); the weekly
  // review reads the members who hold a tier to lose, and nobody else.
  byTier: { name: 'byTier', partitionKey: 'tierPk', sortKey: 'id', projection: 'KEYS_ONLY' },
  // Pending outbox items by due-time bucket (sparse: removed once an item is settled).
  byDueBucket: { name: 'byDueBucket', partitionKey: 'duePk', sortKey: 'dueSk', projection: 'ALL' },
} as const satisfies Record<string, IndexDefinition>;

export const TABLE: TableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: Object.values(INDEXES),
};

/** Every attribute that is a key of the table or of an index (all strings). */
export function keyAttributes(def: TableDefinition = TABLE): string[] {
  const names = [def.partitionKey, def.sortKey];
  for (const index of def.indexes) names.push(index.partitionKey, index.sortKey);
  return [...new Set(names)];
}

/** The CreateTable input for the embedded engine and for tests. */
export function createTableInput(tableName: string, def: TableDefinition = TABLE) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keyAttributes(def).map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: def.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: def.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: def.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: projectionOf(index),
    })),
  };
}

/** The CreateTable projection of an index. */
export function projectionOf(index: IndexDefinition) {
  return {
    ProjectionType: index.projection,
    ...(index.nonKeyAttributes ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
  };
}
