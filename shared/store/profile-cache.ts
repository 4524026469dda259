import type { MemberProfile } from '../domain/events';

/**
 * Profiles this process wrote to member items recently. Platforms such as
 * Telegram repeat the sender's profile on every message; writing it once per
 * `ttlMs` instead of once per message keeps most messages at one write. A
 * change in any field is written at once; the cache only ever skips a write
 * of what was just written.
 */
export class ProfileCache {
  private readonly entries = new Map<string, { profile: string; at: number }>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 50_000,
  ) {}

  /** Whether exactly this profile was written for `key` within the last `ttlMs`. */
  isKnown(key: string, profile: MemberProfile, now: Date): boolean {
    const hit = this.entries.get(key);
    return hit !== undefined && hit.profile === fingerprint(profile) && now.getTime() - hit.at < this.ttlMs;
  }

  /** Record that `profile` was written for `key` at `now`. */
  remember(key: string, profile: MemberProfile, now: Date): void {
    this.entries.delete(key);
    // Map keeps insertion order: the first key is the least recently written.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { profile: fingerprint(profile), at: now.getTime() });
  }
}

const fingerprint = (profile: MemberProfile): string =>
  JSON.stringify([profile.name, profile.birthday, profile.timezone, profile.locale, profile.isBot, profile.isStaff]);
