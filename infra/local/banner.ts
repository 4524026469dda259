import { SCHEDULES } from '../topology';
import type { LocalStack } from './stack';

/** The startup banner: where things are, and how to post a signed sample event. */
export function banner(stack: LocalStack, schedules: boolean): string {
  const demo = stack.demo;
  const url = demo ? `${stack.webhookBaseUrl}/generic/${demo.id}` : `${stack.webhookBaseUrl}/generic/<community>`;
  const lines = [
    'Hearth local stack is running',
    `  webhooks   ${stack.webhookBaseUrl}/{platform}/{communityId}`,
    `  data       ${stack.dataDir}`,
    `  community  ${demo ? `${demo.id}${demo.created ? ' (created from examples/community.json)' : ''}` : 'none'}`,
    `  schedules  ${schedules ? SCHEDULES.map((s) => s.name).join(', ') : 'off (drive time with: npx hearth run <job> --at <time>)'}`,
    `  outboxes   ${stack.dataDir}/outbox/chat.jsonl, ${stack.dataDir}/outbox/mail/`,
    ...(stack.replayed
      ? [`  bus        ${stack.replayed} event(s) the last run accepted and had not delivered, delivered now`]
      : []),
    '',
  ];
  if (demo) {
    lines.push('Post a signed sample event:', `  npx hearth post ${demo.id}`);
    // Only the bundled demo's secret is public (it is in examples/community.json); a stored one never is printed.
    if (demo.sampleSecret) {
      lines.push(
        'or with curl:',
        `  T=$(date +%s); BODY='{"id":"curl-'$T'","type":"member.joined","occurredAt":"'$(date -u +%FT%TZ)'","member":{"id":"u1","name":"Ada"}}'`,
        `  SIG=$(printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac '${demo.sampleSecret}' -r | cut -d' ' -f1)`,
        `  curl -s -X POST ${url} -H "Hearth-Signature: t=$T,v1=$SIG" -H 'content-type: application/json' --data "$BODY"`,
      );
    }
    lines.push('');
  }
  lines.push('Ctrl-C stops it; the data stays for the next start.');
  return lines.join('\n');
}
