import { createHash } from 'node:crypto';

/**
 * Every key shape in the table, in one place. Items are plain strings joined by
 * `#`; community and member ids are the platform's own and never contain `#`
 * (the config and event schemas refuse it), so keys cannot collide.
 *
 * | item            | pk                          | sk            | index keys                                         |
 * |-----------------|-----------------------------|---------------|----------------------------------------------------|
 * | community       | `C#<c>`                     | `CONFIG`      |                                                    |
 * | directory entry | `COMMUNITY#IDS`             | `<c>`         |                                                    |
 * | member          | `C#<c>`                     | `M#<m>`       | bdayPk `C#<c>#BDAY#<MM-DD>` / bdaySk `<m>`         |
 * |                 |                             |               | idlePk `C#<c>#LAST#<day>` / idleSk `<m>`           |
 * |                 |                             |               | joinPk `C#<c>#JOIN#<day>` / joinSk `<m>`           |
 * |                 |                             |               | annivPk `C#<c>#ANNIV#<MM-DD>` / annivSk `<m>`      |
 * |                 |                             |               | presentPk `C#<c>#PRESENT` or `…#GONE` / id `<m>`   |
 * |                 |                             |               | rankPk `C#<c>#RANK` / rankSk `<points>#<m>`        |
 * |                 |                             |               | tierPk `C#<c>#TIER#<tier>` / id `<m>`              |
 * | member-day      | `C#<c>#D#<YYYY-MM-DD>`      | `M#<m>`       | memberDaysPk `C#<c>#M#<m>` / day `<YYYY-MM-DD>`    |
 * | outbox item     | `C#<c>#OUTBOX`              | `<outbox id>` | duePk `DUE#<YYYY-MM-DDTHH>#<0-3>` / dueSk `<dueAt>#<id>` |
 * | invite code     | `C#<c>#REF`                 | `<code>`      |                                                    |
 * | sweep mark      | `SWEEP` or `C#<c>#SWEEP`    | `<job>`       |                                                    |
 * | seen request    | `C#<c>#SEEN`                | `<key>`       | (expiresAt: the platform's replay window)          |
 * | watched post    | `C#<c>#WATCH`               | `<sentAt>#<outbox id>` | (expiresAt: 120 days; see `watches.ts`)   |
 *
 * A workflow's own items (its tallies) are keyed in its folder's `store.ts`, under `C#<c>#<NAME>`.
 *
 * Access patterns and what serves each:
 * - community by id: GetItem `C#<c>`/`CONFIG`; every community's id (a sweep's fan-out): Query pk
 *   `COMMUNITY#IDS`; every community (the CLI, an as-of run): that Query, then BatchGet of their configs.
 * - member by id: GetItem `C#<c>`/`M#<m>`; a community's members (CLI only): Query pk `C#<c>`, sk begins_with `M#`.
 * - a day's activity (DAU, day totals, digest): Query pk `C#<c>#D#<day>`, one row per member
 *   active (or joining/leaving) that day. The row's `ids` set is also the dedupe record
 *   for every event of that member on that day (see `ingest.ts`).
 * - a member's activity totals (CLI `member show`): Query index byMemberDay, pk `C#<c>#M#<m>`,
 *   then BatchGet those rows; a member's counts live only in their day rows.
 * - a community's birthdays on a month-day (sweep): Query index byBirthday, pk `C#<c>#BDAY#<MM-DD>`.
 * - members last active on a day (win-back sweep): Query index byLastActive, pk `C#<c>#LAST#<day>`.
 * - a community's first joins on a month-day (anniversary sweep): Query index byAnniversary, pk
 *   `C#<c>#ANNIV#<MM-DD>`.
 * - a community's present members (a holiday greeting to every member): Query index byPresence, pk `C#<c>#PRESENT`.
 * - a community's leaderboard (CLI, `/points` rank): Query index byRank, pk `C#<c>#RANK`, newest-highest first.
 * - members holding a tier (weekly review): Query index byTier, pk `C#<c>#TIER#<tier>`.
 * - members whose latest join fell on a day (drip and win-back sweeps): Query index byJoinDay, pk `C#<c>#JOIN#<day>`.
 * - where a scheduled run got to: GetItem `SWEEP`/`<job>` (the dispatcher's due bucket) or
 *   `C#<c>#SWEEP`/`<job>` (a community's sweep: a greeting sweep's instant, a daily sweep's day).
 * - outbox items due by an hour (dispatcher): Query index byDueBucket, pk `DUE#<hour>#<shard>` for each of the
 *   4 shards, sk <= `<now>`.
 * - a community's outbox (CLI): Query pk `C#<c>#OUTBOX`.
 * - the member behind an invite code (referral attribution): GetItem `C#<c>#REF`/`<code>`.
 * - a community's posts of the last day (the webhook, counting responses) or of a period (the digest): Query
 *   pk `C#<c>#WATCH`, sk between two instants.
 */

/**
 * A short, fixed-size stand-in for any id: 8 bytes of its SHA-256 in
 * base64url (11 characters), for ids kept in sets and maps (event ids in a
 * day row's dedupe set, cap keys in a member's ledger) whatever they look like.
 */
export const shortKey = (id: string): string =>
  createHash('sha256').update(id).digest().subarray(0, 8).toString('base64url');

/** A table key. */
export interface Key {
  pk: string;
  sk: string;
}

/**
 * The community config item, in the community's own partition (beside its members, whose sort keys start
 * `M#`): each community's sweeps read their config apart from every other community's, so no one partition
 * is read by the sweeps of all of them.
 */
export const communityKey = (communityId: string): Key => ({ pk: `C#${communityId}`, sk: 'CONFIG' });

/**
 * A community's entry in the directory: its id and nothing else, so that a sweep's fan-out lists every
 * community in a Query of a few bytes each rather than of every config.
 */
export const COMMUNITY_DIRECTORY_PK = 'COMMUNITY#IDS';
export const communityDirectoryKey = (communityId: string): Key => ({ pk: COMMUNITY_DIRECTORY_PK, sk: communityId });

/** The partition holding a community's members. */
export const membersPk = (communityId: string): string => `C#${communityId}`;
export const MEMBER_SK_PREFIX = 'M#';

/** A member item. */
export const memberKey = (communityId: string, memberId: string): Key => ({
  pk: membersPk(communityId),
  sk: `${MEMBER_SK_PREFIX}${memberId}`,
});

/** The partition with one row per member for a community's day. */
export const dayPk = (communityId: string, day: string): string => `C#${communityId}#D#${day}`;

/** A member's row for one day: that day's counts and the ids of the events applied. */
export const memberDayKey = (communityId: string, day: string, memberId: string): Key => ({
  pk: dayPk(communityId, day),
  sk: `${MEMBER_SK_PREFIX}${memberId}`,
});

/** byMemberDay partition: one member's day rows. */
export const memberDaysPk = (communityId: string, memberId: string): string => `C#${communityId}#M#${memberId}`;

/**
 * byBirthday index keys for a member with a birthday: a partition per community and month-day, so that each
 * community's hourly sweep reads its own birthdays and no partition is shared by every community's sweeps.
 */
export const birthdayIndexKeys = (communityId: string, memberId: string, monthDay: string) => ({
  bdayPk: birthdayPk(communityId, monthDay),
  bdaySk: memberId,
});

export const birthdayPk = (communityId: string, monthDay: string): string => `C#${communityId}#BDAY#${monthDay}`;

/** byLastActive index keys for a member last active on `day`. */
export const lastActiveIndexKeys = (communityId: string, memberId: string, day: string) => ({
  idlePk: lastActivePk(communityId, day),
  idleSk: memberId,
});
export const lastActivePk = (communityId: string, day: string): string => `C#${communityId}#LAST#${day}`;

/** byAnniversary index keys for a member whose first join fell on `monthDay` (community zone), per community. */
export const anniversaryIndexKeys = (communityId: string, memberId: string, monthDay: string) => ({
  annivPk: anniversaryPk(communityId, monthDay),
  annivSk: memberId,
});
export const anniversaryPk = (communityId: string, monthDay: string): string => `C#${communityId}#ANNIV#${monthDay}`;

/** byPresence partition of a community's members who are there, or who have left. */
export const presencePk = (communityId: string, status: 'member' | 'left'): string =>
  `C#${communityId}#${status === 'member' ? 'PRESENT' : 'GONE'}`;

/** byJoinDay index keys for a member whose latest join fell on `day`. */
export const joinDayIndexKeys = (communityId: string, memberId: string, day: string) => ({
  joinPk: joinDayPk(communityId, day),
  joinSk: memberId,
});
export const joinDayPk = (communityId: string, day: string): string => `C#${communityId}#JOIN#${day}`;

/** A request served once (a replayed URL check is refused), kept for the platform's replay window. */
export const seenRequestKey = (communityId: string, key: string): Key => ({ pk: `C#${communityId}#SEEN`, sk: key });

/**
 * Where a sweep got to: one mark per job (the dispatcher's), or per job and community under the community's
 * own partition, so that the per-community sweeps of many communities never meet on one key.
 */
export const sweepMarkKey = (job: string, communityId?: string): Key =>
  communityId ? { pk: `C#${communityId}#SWEEP`, sk: job } : { pk: 'SWEEP', sk: job };

/** The partition holding a community's outbox. */
export const outboxPk = (communityId: string): string => `C#${communityId}#OUTBOX`;

/** An outbox item; its id is deterministic (`kind#community#member#period`). */
export const outboxKey = (communityId: string, id: string): Key => ({ pk: outboxPk(communityId), sk: id });

/** Deterministic outbox id: the same decision always yields the same item. */
export const outboxId = (kind: string, communityId: string, memberId: string, period: string): string =>
  `${kind}#${communityId}#${memberId}#${period}`;

/** byDueBucket partition for an ISO instant: its UTC hour. */
export const dueBucket = (isoInstant: string): string => `DUE#${isoInstant.slice(0, 13)}`;

/**
 * byDueBucket keys for a pending outbox item, filed under the hour it is due
 * or, when it was already due when decided, the hour of the decision: the
 * dispatcher has walked past older hours and would not look there again.
 */
export const dueIndexKeys = (id: string, dueAt: string, decidedAt: string = dueAt) => ({
  duePk: dueShardPk(dueBucket(dueAt > decidedAt ? dueAt : decidedAt), dueShardOf(id)),
  dueSk: `${dueAt}#${id}`,
});

/**
 * How many partitions an hour's due items are spread over. Every community's items of an hour meet in its
 * bucket: in the first hour of a day in a zone most communities share, their sweeps queue an item or more
 * each at the rate the sweeps' queue runs them (README, *Many communities*), and four shards keep each
 * partition's index writes a quarter of that, far under DynamoDB's 1,000 a second. The dispatcher reads the
 * four of each hour it walks.
 */
export const DUE_SHARDS = 4;

/** The shard of an item: a fixed function of its id. */
export const dueShardOf = (id: string): number => createHash('sha256').update(id).digest()[0] % DUE_SHARDS;

/** One shard of an hour's bucket. */
export const dueShardPk = (bucket: string, shard: number): string => `${bucket}#${shard}`;

/** An invite code: whose it is (a code names one member of one community). */
export const inviteCodeKey = (communityId: string, code: string): Key => ({ pk: `C#${communityId}#REF`, sk: code });

/** byRank keys for a member with `points` (zero-padded, so the sort key orders by points). */
export const rankIndexKeys = (communityId: string, memberId: string, points: number) => ({
  rankPk: rankPk(communityId),
  rankSk: `${String(Math.max(0, Math.floor(points))).padStart(12, '0')}#${memberId}`,
});
export const rankPk = (communityId: string): string => `C#${communityId}#RANK`;

/** byTier partition of a community's members holding `tier`. */
export const tierPk = (communityId: string, tier: string): string => `C#${communityId}#TIER#${tier}`;
