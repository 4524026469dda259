import { createHash } from 'node:crypto';
import { isoWeekOf } from '../../domain/time';
import { type Db, deleteItem, getItem, queryPartition, updateItem } from '../../store/db';
import { inviteCodeKey, memberKey } from '../../store/keys';
import { firstSeen } from '../../store/members';
import { UpdateBuilder } from '../../store/update';

/**
 * Referrals as stored. The attribution itself is on the referred member's
 * item (`referredBy`, `referral`), written once under the condition that it
 * has none; the rest are the workflow's own items:
 *
 * | item                        | pk                        | sk                   |
 * |-----------------------------|---------------------------|----------------------|
 * | invite code                 | `C#<c>#REF`               | `<code>`             |
 * | a referral still pending    | `C#<c>#REFPEND`           | `<member>`           |
 * | a referrer's referrals      | `C#<c>#REFERRERS`         | `<referrer>`         |
 * | … in one ISO week           | `C#<c>#REFERRERS#<week>`  | `<referrer>`         |
 * | a referrer's day, for the cap | `C#<c>#REFCAP`          | `<referrer>#<day>`   |
 * | the week's funnel           | `C#<c>#REFFUNNEL`         | `<week>`             |
 *
 * A referrer's items hold sets of member ids (joined, qualified, capped,
 * lost), so applying the same outcome twice counts it once.
 */

const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * A member's invite code: 8 characters from an alphabet without look-alikes
 * (0/O, 1/I/L), derived from a digest of who they are so that asking twice
 * gives the same code. `digest` is at least 8 bytes.
 */
export function inviteCodeFrom(digest: Uint8Array): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += CODE_ALPHABET[digest[i] % CODE_ALPHABET.length];
  return code;
}

/** Tries before giving up on a code that does not collide with another member's. */
const CODE_TRIES = 4;

/** An invite code as stored. */
export interface InviteCode {
  communityId: string;
  memberId: string;
  code: string;
  createdAt: string;
  revokedAt?: string;
  /** A platform link made for it (Telegram's `createChatInviteLink`), once made. */
  link?: string;
}

/**
 * The member's invite code, the same each time they ask: derived from who
 * they are, and registered under `C#<c>#REF` so a join through it can be
 * attributed. A code already registered to someone else (a rare collision)
 * moves on to the next derivation. The first issue counts in the week's funnel.
 */
export async function inviteCodeFor(db: Db, communityId: string, memberId: string, now: Date): Promise<string> {
  for (let attempt = 0; attempt < CODE_TRIES; attempt++) {
    const digest = createHash('sha256').update(`${communityId}#${memberId}#${attempt}`).digest();
    const code = inviteCodeFrom(digest);
    // Issued once: asking again keeps the first `createdAt` (the referral funnel counts codes by it).
    const register = new UpdateBuilder()
      .setIfAbsent('communityId', communityId)
      .setIfAbsent('memberId', memberId)
      .setIfAbsent('code', code)
      .setIfAbsent('createdAt', now.toISOString());
    const owner = register.name('memberId');
    // A code someone else holds, or one revoked, is taken: the next derivation gives the member a new one.
    const condition = `(attribute_not_exists(${owner}) OR ${owner} = ${register.value(memberId)}) AND attribute_not_exists(${register.name('revokedAt')})`;
    const before = await updateItem<InviteCode>(db, inviteCodeKey(communityId, code), register, {
      condition,
      returnValues: 'UPDATED_OLD',
    });
    if (before === undefined) continue;
    if (before.createdAt === undefined)
      await countInFunnel(db, communityId, now.toISOString().slice(0, 10), 'issued', memberId);
    const update = firstSeen(new UpdateBuilder(), communityId, memberId, now.toISOString(), 'member').set(
      'inviteCode',
      code,
    );
    await updateItem(db, memberKey(communityId, memberId), update);
    return code;
  }
  throw new Error(`no free invite code for member ${memberId} after ${CODE_TRIES} tries`);
}

/** An invite code's record, if it was ever issued. */
export const getInviteCode = (db: Db, communityId: string, code: string): Promise<InviteCode | undefined> =>
  getItem<InviteCode>(db, inviteCodeKey(communityId, code), { consistent: true });

/** Revoke a code: a join through it is recorded as unattributed from now on. False when it was never issued. */
export async function revokeInviteCode(db: Db, communityId: string, code: string, now: Date): Promise<boolean> {
  const update = new UpdateBuilder().setIfAbsent('revokedAt', now.toISOString());
  const condition = `attribute_exists(${update.name('memberId')})`;
  return (await updateItem(db, inviteCodeKey(communityId, code), update, { condition })) !== undefined;
}

/**
 * `member forget`: the member's code no longer names them. Its record keeps the code itself, revoked, so it is
 * never issued to anyone else and a join through it is unattributed; the member item loses `inviteCode`.
 * False when the record is no longer theirs (forgotten already).
 */
export async function unlinkInviteCode(
  db: Db,
  communityId: string,
  memberId: string,
  code: string,
  now: Date,
): Promise<boolean> {
  const update = new UpdateBuilder().remove('memberId', 'link').setIfAbsent('revokedAt', now.toISOString());
  const unlinked =
    (await updateItem(db, inviteCodeKey(communityId, code), update, {
      condition: `${update.name('memberId')} = ${update.value(memberId)}`,
    })) !== undefined;
  const member = new UpdateBuilder().remove('inviteCode');
  await updateItem(db, memberKey(communityId, memberId), member, {
    condition: `${member.name('inviteCode')} = ${member.value(code)}`,
  });
  return unlinked;
}

/** Keep the platform link made for a code. */
export async function rememberInviteLink(db: Db, communityId: string, code: string, link: string): Promise<void> {
  await updateItem(db, inviteCodeKey(communityId, code), new UpdateBuilder().setIfAbsent('link', link));
}

/** The week's funnel: codes issued, joins attributed and not, referrals qualified and capped. */
export type FunnelStep = 'issued' | 'joined' | 'unattributed' | 'qualified' | 'capped';
const FUNNEL_STEPS: readonly FunnelStep[] = ['issued', 'joined', 'unattributed', 'qualified', 'capped'];

/**
 * Count `memberId` at one step of the funnel in the ISO week of `day` (a
 * community day, or a UTC one for a code's issue): a set of member ids, so
 * a step applied again counts once.
 */
export async function countInFunnel(db: Db, communityId: string, day: string, step: FunnelStep, memberId: string) {
  const update = new UpdateBuilder().addToSet(step, new Set([memberId]));
  await updateItem(db, { pk: `C#${communityId}#REFFUNNEL`, sk: isoWeekOf(day) }, update);
}

/** A week's funnel: how many at each step. */
export async function funnelOf(db: Db, communityId: string, week: string): Promise<Record<FunnelStep, number>> {
  const item = await getItem<Partial<Record<FunnelStep, Set<string>>>>(db, {
    pk: `C#${communityId}#REFFUNNEL`,
    sk: week,
  });
  return Object.fromEntries(FUNNEL_STEPS.map((step) => [step, item?.[step]?.size ?? 0])) as Record<FunnelStep, number>;
}

/** A referral still waiting to qualify. */
export interface PendingReferral {
  memberId: string;
  referrerId: string;
  /** The join's local day (the community's zone). */
  joinDay: string;
  joinedAt: string;
}

const pendingPk = (communityId: string): string => `C#${communityId}#REFPEND`;

export async function addPending(db: Db, communityId: string, pending: PendingReferral): Promise<void> {
  const update = new UpdateBuilder();
  for (const [attribute, value] of Object.entries(pending)) update.setIfAbsent(attribute, value);
  await updateItem(db, { pk: pendingPk(communityId), sk: pending.memberId }, update);
}

export const removePending = (db: Db, communityId: string, memberId: string): Promise<void> =>
  deleteItem(db, { pk: pendingPk(communityId), sk: memberId });

/** Every referral of the community still pending: a Query of one small partition. */
export async function pendingReferrals(db: Db, communityId: string): Promise<PendingReferral[]> {
  return queryPartition<PendingReferral>(db, pendingPk(communityId));
}

/** What became of a referral, in a referrer's sets. */
export type Outcome = 'joined' | 'qualified' | 'capped' | 'lost' | 'expired' | 'rejected';
/** The outcomes that end a referral: a joined one in none of them is still pending. */
export const DECIDED: readonly Outcome[] = ['qualified', 'capped', 'lost', 'expired', 'rejected'];

/** A referrer's referrals (all time, or of one week). */
export type ReferrerTally = { referrerId: string } & Record<Outcome, Set<string>>;

/** A tally as stored, every set present. */
const tallyOf = (referrerId: string, row: Partial<Record<Outcome, Set<string>>> | undefined): ReferrerTally => ({
  referrerId,
  joined: row?.joined ?? new Set(),
  qualified: row?.qualified ?? new Set(),
  capped: row?.capped ?? new Set(),
  lost: row?.lost ?? new Set(),
  expired: row?.expired ?? new Set(),
  rejected: row?.rejected ?? new Set(),
});

/** The referred members of a tally still pending: joined, and in no deciding outcome of `decided`. */
export const stillPending = (tally: ReferrerTally, decided: ReferrerTally = tally): string[] =>
  [...tally.joined].filter((id) => !DECIDED.some((outcome) => decided[outcome].has(id)));

const referrersPk = (communityId: string, week?: string): string =>
  week ? `C#${communityId}#REFERRERS#${week}` : `C#${communityId}#REFERRERS`;

/** Record an outcome of `memberId`'s referral for `referrerId`, all time and in the ISO week of `day`. */
export async function recordOutcome(
  db: Db,
  communityId: string,
  referrerId: string,
  memberId: string,
  outcome: Outcome,
  day: string,
): Promise<void> {
  for (const week of [undefined, isoWeekOf(day)]) {
    const update = new UpdateBuilder().setIfAbsent('referrerId', referrerId).addToSet(outcome, new Set([memberId]));
    await updateItem(db, { pk: referrersPk(communityId, week), sk: referrerId }, update);
  }
}

/** Every referrer's tally, all time or of one week. */
export async function referrerTallies(db: Db, communityId: string, week?: string): Promise<ReferrerTally[]> {
  const rows = await queryPartition<Partial<ReferrerTally> & { referrerId: string }>(
    db,
    referrersPk(communityId, week),
  );
  return rows.map((row) => tallyOf(row.referrerId, row));
}

/**
 * Take one of the referrer's qualifications on `day`, at most `max` a day:
 * a set of the referred ids, added to only while it holds fewer than `max`
 * (or already holds this one, so a repeat keeps its place). False when the
 * day is full.
 */
export async function takeQualifiedPlace(
  db: Db,
  communityId: string,
  referrerId: string,
  memberId: string,
  day: string,
  max: number,
): Promise<boolean> {
  const update = new UpdateBuilder().addToSet('qualified', new Set([memberId]));
  const set = update.name('qualified');
  const condition = `attribute_not_exists(${set}) OR size(${set}) < ${update.value(max)} OR contains(${set}, ${update.value(memberId)})`;
  const key = { pk: `C#${communityId}#REFCAP`, sk: `${referrerId}#${day}` };
  return (await updateItem(db, key, update, { condition })) !== undefined;
}

/** One referrer's all-time tally. */
export async function referrerTally(db: Db, communityId: string, referrerId: string): Promise<ReferrerTally> {
  return tallyOf(
    referrerId,
    await getItem<Partial<ReferrerTally>>(db, { pk: referrersPk(communityId), sk: referrerId }),
  );
}
