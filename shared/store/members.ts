import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isActivity } from '../domain/events';
import type { CapState } from './caps';
import { MEMBER_DAY_PROJECTION, type MemberDayRow } from './days';
import { batchGet, type Db, getItem, ifCondition, queryIndex, updateItem } from './db';
import { anniversaryPk, birthdayPk, joinDayPk, lastActivePk, memberDaysPk, memberKey, presencePk } from './keys';
import { INDEXES, type IndexDefinition, TABLE } from './table';
import { UpdateBuilder } from './update';

/** A member as stored (see `ingest.ts` for how each field is kept); counts come from `memberTotals`. */
export interface Member extends CapState {
  id: string;
  communityId: string;
  name?: string;
  status: 'member' | 'left';
  joinedAt?: string;
  firstJoinedAt?: string;
  leftAt?: string;
  firstSeenAt?: string;
  firstActiveDay?: string;
  lastActiveDay?: string;
  joins?: number;
  leaves?: number;
  birthday?: string;
  timezone?: string;
  locale?: string;
  isBot?: boolean;
  isStaff?: boolean;
  optedOut?: boolean;
  /** The code this member joined through. */
  referralCode?: string;
  /** The code this member invites others with (`/invite`). */
  inviteCode?: string;
  forgottenAt?: string;
  /** The last item sent that awaits the member's answer, until their next activity (see `awaitAnswer`). */
  awaiting?: AwaitedAnswer;
}

/** An item whose answer is awaited: any activity from `sentAt` to `until` answers it. */
export interface AwaitedAnswer {
  id: string;
  kind: string;
  sentAt: string;
  until: string;
}

/**
 * Mark the member as awaiting an answer to `item`, sent at `sentAt`, for
 * `withinMs`; written just before the send, so an answer that arrives the
 * moment the message does is not missed. Their next first activity of a day
 * takes it off, and within the window the webhook's `member.reactivated`
 * names the item it answers (see `ingest.ts`). A send that then fails leaves
 * the item unsent, and an answer to it counts for nothing.
 */
export async function awaitAnswer(
  db: Db,
  item: { id: string; kind: string; communityId: string; memberId: string },
  sentAt: Date,
  withinMs: number,
): Promise<void> {
  const awaiting: AwaitedAnswer = {
    id: item.id,
    kind: item.kind,
    sentAt: sentAt.toISOString(),
    until: new Date(sentAt.getTime() + withinMs).toISOString(),
  };
  const update = new UpdateBuilder().set('awaiting', awaiting);
  await updateItem(db, memberKey(item.communityId, item.memberId), update, {
    condition: `attribute_exists(${update.name(TABLE.partitionKey)})`,
  });
}

/**
 * The fields a member item gets from whatever first creates it (activity, a
 * join, a command): the ids, the time first seen, and `status` when given.
 */
export function firstSeen<T extends UpdateBuilder>(
  update: T,
  communityId: string,
  memberId: string,
  at: string,
  status?: Member['status'],
): T {
  update.setIfAbsent('id', memberId).setIfAbsent('communityId', communityId).setIfAbsent('status', status);
  // The presence index follows `status`: set with it here, and by each join and leave.
  if (status) update.setIfAbsent('presentPk', presencePk(communityId, status));
  return update.setIfAbsent('firstSeenAt', at);
}

/** A member, or undefined when never seen. */
export async function getMember(
  db: Db,
  communityId: string,
  memberId: string,
  options: { consistent?: boolean } = {},
): Promise<Member | undefined> {
  return getItem<Member>(db, memberKey(communityId, memberId), options);
}

/**
 * Members by id, read in batches of 100 (strongly consistent: the sweeps
 * decide on what an index, which lags, pointed them to). Unknown ids are
 * left out. Cost grows with the ids asked for.
 */
export async function getMembers(db: Db, communityId: string, memberIds: Iterable<string>): Promise<Member[]> {
  const keys = [...new Set(memberIds)].map((id) => memberKey(communityId, id));
  return batchGet<Member>(db, keys, { consistent: true });
}

/** A member's activity counts over the days their day rows are kept. */
export interface ActivityTotals {
  messages: number;
  replies: number;
  reactions: number;
  activeDays: number;
}

/**
 * Sum a member's day rows: the byMemberDay index names them (keys only), a
 * BatchGet reads their counts. Cost grows with the member's active days.
 */
export async function memberTotals(db: Db, communityId: string, memberId: string): Promise<ActivityTotals> {
  const totals: ActivityTotals = { messages: 0, replies: 0, reactions: 0, activeDays: 0 };
  for (const row of await memberDays(db, communityId, memberId)) {
    totals.messages += row.messages ?? 0;
    totals.replies += row.replies ?? 0;
    totals.reactions += row.reactions ?? 0;
    if (isActivity(row)) totals.activeDays++;
  }
  return totals;
}

/**
 * A member's day rows, optionally only those from day `from` to day `to`
 * (inclusive), in no particular order; without the dedupe set. Cost grows
 * with the rows found.
 */
export async function memberDays(
  db: Db,
  communityId: string,
  memberId: string,
  range: { from?: string; to?: string } = {},
): Promise<MemberDayRow[]> {
  const keys = (
    await queryIndex<{ pk: string; sk: string }>(db, INDEXES.byMemberDay, memberDaysPk(communityId, memberId), {
      from: range.from,
      upTo: range.to,
    })
  ).map(({ pk, sk }) => ({ pk, sk }));
  return batchGet<MemberDayRow>(db, keys, MEMBER_DAY_PROJECTION);
}

/** A member with their activity totals (the CLI's view). */
export async function getMemberWithTotals(
  db: Db,
  communityId: string,
  memberId: string,
): Promise<(Member & ActivityTotals) | undefined> {
  const [member, totals] = await Promise.all([
    getMember(db, communityId, memberId),
    memberTotals(db, communityId, memberId),
  ]);
  return member ? { ...member, ...totals } : undefined;
}

/** Personal data a member can ask to have erased; counts and dates stay. */
export const PERSONAL_FIELDS = [
  'name',
  'birthday',
  'birthdayChosen',
  'birthdayChosenPk',
  'timezone',
  'timezoneChosen',
  'locale',
  'referralCode',
  'bdayPk',
  'bdaySk',
] as const;

/**
 * The sets of a member's day rows that say when they were active and whom they answered (`contributionOf` in
 * `ingest.ts`): personal, unlike the counts beside them and the dedupe set of event ids.
 */
export const PERSONAL_DAY_SETS = ['msgAt', 'reactAt', 'joinAt', 'credits'] as const;

/**
 * Remove the {@link PERSONAL_DAY_SETS} from every day row of the member (the byMemberDay index names them),
 * keeping the counts. A day not folded yet then earns no message points. The number of rows changed.
 */
export async function eraseDayDetails(db: Db, communityId: string, memberId: string): Promise<number> {
  const keys = await queryIndex<{ pk: string; sk: string }>(
    db,
    INDEXES.byMemberDay,
    memberDaysPk(communityId, memberId),
  );
  let changed = 0;
  for (const { pk, sk } of keys) {
    const update = new UpdateBuilder().remove(...PERSONAL_DAY_SETS);
    const condition = PERSONAL_DAY_SETS.map((set) => `attribute_exists(${update.name(set)})`).join(' OR ');
    if ((await updateItem(db, { pk, sk }, update, { condition })) !== undefined) changed++;
  }
  return changed;
}

/** Erase a member's personal data (and their birthday index entry). False when unknown. */
export async function forgetMember(db: Db, communityId: string, memberId: string, now: Date): Promise<boolean> {
  const update = new UpdateBuilder()
    .remove(...PERSONAL_FIELDS)
    .set('forgottenAt', now.toISOString())
    // A forgotten member receives nothing automated again; a command said before this cannot undo it.
    .set('optedOut', true)
    .set('optedOutAt', now.toISOString());
  const done = await ifCondition(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: memberKey(communityId, memberId),
        ...update.build('attribute_exists(pk)'),
      }),
    ),
  );
  return done !== undefined;
}

/** The member ids in one partition of an index whose sort key is the member id (a day of joins or of silence). */
async function memberIdsIn(
  db: Db,
  index: typeof INDEXES.byJoinDay | typeof INDEXES.byLastActive,
  partition: string,
): Promise<string[]> {
  const rows = await queryIndex<Record<string, string>>(db, index, partition);
  return rows.map((row) => row[index.sortKey]);
}

/** The members whose latest join fell on `day` (the community's local day): the byJoinDay index. */
export const membersJoinedOn = (db: Db, communityId: string, day: string): Promise<string[]> =>
  memberIdsIn(db, INDEXES.byJoinDay, joinDayPk(communityId, day));

/** The members whose last active day was `day`: the byLastActive index. */
export const membersLastActiveOn = (db: Db, communityId: string, day: string): Promise<string[]> =>
  memberIdsIn(db, INDEXES.byLastActive, lastActivePk(communityId, day));

/**
 * What the byBirthday, byAnniversary and byPresence indexes hold for a member
 * (INCLUDE projections, see table.ts): who they are, their zone and standing.
 */
export interface MemberEntry {
  communityId: string;
  memberId: string;
  timezone?: string;
  status?: Member['status'];
  optedOut?: boolean;
  isBot?: boolean;
  isStaff?: boolean;
  /** byAnniversary only. */
  firstJoinedAt?: string;
}

/** A row of an index with a member projection: its keys and what it carries. */
type IndexRow = Partial<MemberEntry> & Record<string, unknown>;

/** The projected fields of an index row, without the attributes that are absent. */
function entryOf(row: IndexRow, communityId: string, memberId: string): MemberEntry {
  const entry: MemberEntry = { communityId, memberId };
  const { timezone, status, optedOut, isBot, isStaff, firstJoinedAt } = row;
  Object.assign(
    entry,
    timezone !== undefined && { timezone },
    status !== undefined && { status },
    optedOut !== undefined && { optedOut },
    isBot !== undefined && { isBot },
    isStaff !== undefined && { isStaff },
    firstJoinedAt !== undefined && { firstJoinedAt },
  );
  return entry;
}

/** One community's entries in an index partition keyed by member id (`<c>#…` partitions, see keys.ts). */
async function entriesIn(
  db: Db,
  index: IndexDefinition,
  communityId: string,
  partition: string,
): Promise<MemberEntry[]> {
  const rows = await queryIndex<IndexRow>(db, index, partition);
  return rows.map((row) => entryOf(row, communityId, String(row[index.sortKey])));
}

/** One community's members with a birthday on `monthDay` ("MM-DD"), as the byBirthday index has them. */
export const birthdaysIn = (db: Db, communityId: string, monthDay: string): Promise<MemberEntry[]> =>
  entriesIn(db, INDEXES.byBirthday, communityId, birthdayPk(communityId, monthDay));

/** One community's members whose first join fell on `monthDay` (the community's zone): the byAnniversary index. */
export const anniversariesIn = (db: Db, communityId: string, monthDay: string): Promise<MemberEntry[]> =>
  entriesIn(db, INDEXES.byAnniversary, communityId, anniversaryPk(communityId, monthDay));

/** A community's present members (status `member`), as the byPresence index has them. */
export const presentMembers = (db: Db, communityId: string): Promise<MemberEntry[]> =>
  entriesIn(db, INDEXES.byPresence, communityId, presencePk(communityId, 'member'));
