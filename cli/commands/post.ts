import { readFile } from 'node:fs/promises';
import { genericWebhookUrl, SIGNATURE_HEADER, signGeneric } from '../../shared/platforms/generic/inbound';
import { getCommunity } from '../../shared/store/communities';
import { UsageError } from '../errors';
import { output } from '../output';
import type { Target } from '../target';

/**
 * `post <community> [event.json]`: sign an event with the community's webhook
 * secret and POST it to the running stack's generic webhook. Without a file it
 * posts a sample `member.joined`.
 */
export async function post(target: Target, args: string[], url: string | undefined, json: boolean): Promise<void> {
  const communityId = args[0];
  if (!communityId) throw new UsageError('post needs a community: hearth post <community> [event.json]');
  const base = url ?? target.webhookBaseUrl;
  if (!base) throw new UsageError('no running local stack found: start one with npm start, or pass --url');
  const community = await getCommunity(target.db, communityId);
  if (!community) throw new UsageError(`no community "${communityId}"`);
  const now = new Date();
  const body = args[1]
    ? await readFile(args[1], 'utf8').catch(() => {
        throw new UsageError(`cannot read ${args[1]}`);
      })
    : JSON.stringify({
        id: `sample-${now.getTime()}`,
        type: 'member.joined',
        occurredAt: now.toISOString(),
        member: { id: `sample-${now.getTime() % 100_000}`, name: 'Sample Member' },
      });
  const response = await fetch(genericWebhookUrl(base, communityId), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signGeneric(community.webhookSecret, body, now),
    },
    body,
  });
  const reply = await response.text();
  const memberId = (safeJson(body) as { member?: { id?: string } }).member?.id;
  output(json, { status: response.status, memberId, reply: safeJson(reply) }, () =>
    [
      `${response.status} ${reply}`,
      ...(memberId ? [`member: ${memberId} (npx hearth member show ${communityId} ${memberId})`] : []),
    ].join('\n'),
  );
  if (!response.ok) process.exitCode = response.status >= 500 ? 1 : 2;
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};
