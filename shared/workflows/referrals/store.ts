import { createHash } from 'node:crypto';
import { type Db, updateItem } from '../../store/db';
import { inviteCodeKey, memberKey } from '../../store/keys';
import { firstSeen } from '../../store/members';
import { UpdateBuilder } from '../../store/update';

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

/**
 * The member's invite code, the same each time they ask: derived from who
 * they are, and registered under `C#<c>#REF` so a join through it can be
 * attributed. A code already registered to someone else (a rare collision)
 * moves on to the next derivation.
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
    const condition = `attribute_not_exists(${owner}) OR ${owner} = ${register.value(memberId)}`;
    const registered = await updateItem(db, inviteCodeKey(communityId, code), register, { condition });
    if (registered === undefined) continue;
    const update = firstSeen(new UpdateBuilder(), communityId, memberId, now.toISOString(), 'member').set(
      'inviteCode',
      code,
    );
    await updateItem(db, memberKey(communityId, memberId), update);
    return code;
  }
  throw new Error(`no free invite code for member ${memberId} after ${CODE_TRIES} tries`);
}
