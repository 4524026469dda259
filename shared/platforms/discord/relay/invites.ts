import * as z from '../../../domain/zod';
import type { RelayLog } from './log';

/**
 * Who invited a member who just joined, as well as Discord lets a bot know:
 * it names no invite on `GUILD_MEMBER_ADD`, so the relay keeps each invite's
 * use count (`GET /guilds/{id}/invites`, which needs Manage Server) and, at a
 * join, reads them again: the one invite whose count went up by one (or a
 * last-use invite that vanished with its final use) is the one used. Two
 * members joining at once can swap, so the attribution is only `probable`;
 * when no single invite stands out, there is none. The first read of a guild
 * only learns the counts.
 */

const invite = z.looseObject({
  code: z.string(),
  uses: z._default(z.number().check(z.int(), z.minimum(0)), 0),
  max_uses: z._default(z.number().check(z.int(), z.minimum(0)), 0),
  inviter: z.nullish(z.looseObject({ id: z.string() })),
});
const invites = z.array(invite);
type Invite = z.infer<typeof invite>;

/** Reads a guild's invites (the REST call). */
export type InviteReader = (guildId: string) => Promise<unknown>;

/** The inviter a join is put down to. */
export interface InviteUse {
  code: string;
  inviterId: string;
}

export class InviteTracker {
  private readonly counts = new Map<string, Map<string, Invite>>();
  private chain: Promise<unknown> = Promise.resolve();
  private warned = false;

  constructor(
    private readonly read: InviteReader,
    private readonly log: RelayLog,
  ) {}

  /** Learn a guild's counts (when the Gateway announces it), so its first join can be attributed. */
  prime(guildId: string): Promise<void> {
    return this.serial(async () => {
      await this.refresh(guildId);
    });
  }

  /** The invite a member who just joined `guildId` probably used; undefined when none stands out. */
  used(guildId: string): Promise<InviteUse | undefined> {
    return this.serial(async () => {
      const before = this.counts.get(guildId);
      const now = await this.refresh(guildId);
      if (!before || !now) return undefined;
      const candidates: Invite[] = [];
      for (const [code, current] of now) {
        const uses = before.get(code)?.uses ?? 0;
        if (current.uses === uses + 1) candidates.push(current);
        else if (current.uses !== uses) return undefined;
      }
      for (const [code, old] of before) {
        if (!now.has(code) && old.max_uses > 0 && old.uses + 1 === old.max_uses) candidates.push(old);
      }
      const [only] = candidates;
      return candidates.length === 1 && only.inviter ? { code: only.code, inviterId: only.inviter.id } : undefined;
    });
  }

  /** Read the counts again; undefined (and a warning, once) when Discord will not say. */
  private async refresh(guildId: string): Promise<Map<string, Invite> | undefined> {
    try {
      const list = invites.parse(await this.read(guildId));
      const counts = new Map(list.map((i) => [i.code, i]));
      this.counts.set(guildId, counts);
      return counts;
    } catch (error) {
      this.counts.delete(guildId);
      if (!this.warned) {
        this.warned = true;
        this.log(
          'warn',
          'cannot read the guild invites, so joins are not attributed to an inviter (the bot needs Manage Server)',
          {
            error: (error as Error).message,
          },
        );
      }
      return undefined;
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
