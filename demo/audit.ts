import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TZDate } from '@date-fns/tz';
import type { CommunityConfig } from '../shared/domain/config';
import type { Db } from '../shared/store/db';
import { listOutbox } from '../shared/store/outbox';
import { COMMUNITY_RECIPIENT } from '../shared/workflows/contract';
import { kindRules } from '../shared/workflows/registry';
import type { DemoCommunity } from './community';

/**
 * The guardrails, counted from what went out rather than from Hearth's own
 * report: every line of the chat sink (`outbox/chat.jsonl`) against the
 * generator's ground truth (each member's zone, when they opted out, opted in,
 * left and came back) and the community's rules. A guardrail that held would
 * leave every count but `checked` at zero.
 *
 * - quiet hours: a message that waits out quiet hours (every kind not
 *   `responsive`: not a welcome, not an answer) sent inside them, in the
 *   member's zone (the community's for a post to the channel);
 * - opt-out: a message to a member while opted out, but an answer (the reply to
 *   `/optout` itself);
 * - caps: a capped message beyond `caps.perDay` in 24 hours or `caps.perWeek` in
 *   7 days, a greeting sent both ways counted once (its cap key);
 * - duplicates: an outbox id on two lines;
 * - departed: a message to a member after they left and before they came back.
 */
export interface SendAudit {
  checked: number;
  quietHours: number;
  afterOptOut: number;
  overCaps: number;
  duplicates: number;
  toDeparted: number;
  /** A few of the lines that broke a rule, for the reader. */
  examples: string[];
}

interface Line {
  id: string;
  kind: string;
  memberId: string;
  sentAt: string;
}

const HOUR = 3_600_000;

/** Spans of time, [from, until), in which `member` was in some state. */
type Spans = Map<string, Array<{ from: number; until: number }>>;

function open(spans: Spans, member: string, at: number): void {
  const list = spans.get(member) ?? [];
  if (list.length === 0 || list[list.length - 1].until !== Infinity) list.push({ from: at, until: Infinity });
  spans.set(member, list);
}

function close(spans: Spans, member: string, at: number): void {
  const last = spans.get(member)?.at(-1);
  if (last && last.until === Infinity) last.until = at;
}

/**
 * Strictly after the span opened: a send at the very instant of an opt-out or a leave went before Hearth could
 * know of it (the replay runs a minute's dispatcher before that minute's events, as a send already going
 * would), and only sends after it are the guardrail's to stop.
 */
const inside = (spans: Spans, member: string, at: number) =>
  (spans.get(member) ?? []).some((span) => at > span.from && at < span.until);

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

export async function auditSends(
  community: DemoCommunity,
  config: CommunityConfig,
  db: Db,
  dataDir: string,
): Promise<SendAudit> {
  const text = await readFile(join(dataDir, 'outbox', 'chat.jsonl'), 'utf8').catch(() => '');
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);
  const capKeys = new Map((await listOutbox(db, config.id)).map((item) => [item.id, item.capKey ?? item.id]));
  const zones = new Map(community.members.map((m) => [m.id, m.timezone]));
  const optedOut: Spans = new Map();
  const departed: Spans = new Map();
  for (const { at, body } of community.events) {
    const member = (body.member as { id: string }).id;
    if (body.text === '/optout') open(optedOut, member, at);
    if (body.text === '/optin') close(optedOut, member, at);
    if (body.type === 'member.left') open(departed, member, at);
    if (body.type === 'member.joined') close(departed, member, at);
  }

  const audit: SendAudit = {
    checked: lines.length,
    quietHours: 0,
    afterOptOut: 0,
    overCaps: 0,
    duplicates: 0,
    toDeparted: 0,
    examples: [],
  };
  const broke = (rule: Exclude<keyof SendAudit, 'checked' | 'examples'>, line: Line) => {
    audit[rule]++;
    if (audit.examples.length < 5) audit.examples.push(`${rule}: ${line.id} at ${line.sentAt}`);
  };
  const quiet = { start: minutes(config.quietHours.start), end: minutes(config.quietHours.end) };
  const seen = new Set<string>();
  const capped = new Map<string, Map<string, number>>();
  for (const line of lines) {
    const at = Date.parse(line.sentAt);
    const rules = kindRules(line.kind);
    const toMember = line.memberId !== COMMUNITY_RECIPIENT;
    if (seen.has(line.id)) broke('duplicates', line);
    seen.add(line.id);
    if (!rules?.responsive) {
      const zone = (toMember && zones.get(line.memberId)) || config.timezone;
      const local = new TZDate(at, zone);
      const minute = local.getHours() * 60 + local.getMinutes();
      const inQuiet =
        quiet.start < quiet.end
          ? minute >= quiet.start && minute < quiet.end
          : quiet.start !== quiet.end && (minute >= quiet.start || minute < quiet.end);
      if (inQuiet) broke('quietHours', line);
      if (toMember) {
        // Each cap key counts once, at its first send.
        const sends = capped.get(line.memberId) ?? new Map<string, number>();
        const key = capKeys.get(line.id) ?? line.id;
        if (!sends.has(key)) {
          const times = [...sends.values()];
          const day = times.filter((t) => at - t < 24 * HOUR).length;
          const week = times.filter((t) => at - t < 7 * 24 * HOUR).length;
          if (day >= config.caps.perDay || week >= config.caps.perWeek) broke('overCaps', line);
          sends.set(key, at);
          capped.set(line.memberId, sends);
        }
      }
    }
    if (toMember && !rules?.answer && inside(optedOut, line.memberId, at)) broke('afterOptOut', line);
    if (toMember && inside(departed, line.memberId, at)) broke('toDeparted', line);
  }
  return audit;
}
