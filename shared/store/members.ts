import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Db, ifCondition } from './db';
import { memberKey } from './keys';
import { UpdateBuilder } from './update';

/** A member as stored (see `ingest.ts` for how each field is kept). */
export interface Member {
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
  lastActiveAt?: string;
  messages?: number;
  replies?: number;
  reactions?: number;
  joins?: number;
  leaves?: number;
  birthday?: string;
  timezone?: string;
  locale?: string;
  isBot?: boolean;
  isStaff?: boolean;
  optedOut?: boolean;
  referralCode?: string;
  forgottenAt?: string;
}

/** A member, or undefined when never seen. */
export async function getMember(db: Db, communityId: string, memberId: string): Promise<Member | undefined> {
  const result = await db.doc.send(new GetCommand({ TableName: db.table, Key: memberKey(communityId, memberId) }));
  return result.Item as Member | undefined;
}

/** Personal data a member can ask to have erased; counts and dates stay. */
export const PERSONAL_FIELDS = ['name', 'birthday', 'timezone', 'locale', 'referralCode', 'bdayPk', 'bdaySk'] as const;

/** Erase a member's personal data (and their birthday index entry). False when unknown. */
export async function forgetMember(db: Db, communityId: string, memberId: string, now: Date): Promise<boolean> {
  const update = new UpdateBuilder()
    .remove(...PERSONAL_FIELDS)
    .set('forgottenAt', now.toISOString())
    // A forgotten member receives nothing automated again.
    .set('optedOut', true);
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
