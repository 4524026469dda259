import { createCipheriv, createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import { snowflakeAt } from '../../shared/discord/snowflake';
import type { CommunityConfig } from '../../shared/domain/config';
import { signDingTalk } from '../../shared/platforms/dingtalk';
import { signFeishu } from '../../shared/platforms/feishu';
import { signGeneric } from '../../shared/platforms/generic';
import { signSlack } from '../../shared/platforms/slack';

/**
 * Requests as each platform sends them, signed with the community's secrets:
 * a member posting a message (on Discord, which sends Hearth only
 * interactions, a slash command). The payloads follow each platform's
 * documented format. Used by the end-to-end tests and the platform benchmark.
 */

export interface PlatformRequest {
  method: 'POST' | 'GET';
  /** Path with its query string. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface PostedMessage {
  /** Unique per message; the platform's own id is derived from it. */
  seq: number;
  memberId: string;
  name?: string;
  text: string;
  at: Date;
  channel?: string;
}

/** A Discord application's Ed25519 key pair, from a fixed seed so configs can be written down. */
const DISCORD_SEED = Buffer.alloc(32, 42);
const discordPrivateKey = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), DISCORD_SEED]),
  format: 'der',
  type: 'pkcs8',
});
/** The public key (64 hex characters) a Discord community's config names. */
export const DISCORD_PUBLIC_KEY = (createPublicKey(discordPrivateKey).export({ format: 'der', type: 'spki' }) as Buffer)
  .subarray(-32)
  .toString('hex');

/** A 43-character EncodingAESKey for WeCom communities in tests. */
export const WECOM_AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

/** Platform configs with local secrets, one per platform, for communities in tests and benchmarks. */
export const PLATFORM_CONFIGS = {
  generic: { kind: 'generic' },
  slack: { kind: 'slack', signingSecret: 'slack-signing-secret', botToken: 'xoxb-local', channel: 'C0GENERAL' },
  telegram: { kind: 'telegram', secretToken: 'tg-secret-token', botToken: '123456:local', chatId: '-1001234567890' },
  wecom: {
    kind: 'wecom',
    token: 'wecom-token',
    encodingAesKey: WECOM_AES_KEY,
    corpId: 'wwcorp',
    robotKey: 'robot',
    agentId: 1000002,
    corpSecret: 'wecom-app-secret',
  },
  feishu: {
    kind: 'feishu',
    encryptKey: 'lark-encrypt-key',
    verificationToken: 'lark-vt',
    appId: 'cli_local',
    appSecret: 'lark-secret',
    chatId: 'oc_general',
  },
  dingtalk: { kind: 'dingtalk', appSecret: 'SEClocal', robotToken: 'ding-robot' },
  discord: {
    kind: 'discord',
    publicKey: DISCORD_PUBLIC_KEY,
    applicationId: '1100000000000000001',
    botToken: 'discord-bot-token',
    guildId: '1200000000000000001',
    channelId: '1300000000000000001',
  },
} as const;

export type PlatformKind = keyof typeof PLATFORM_CONFIGS;

/**
 * Encrypt as Feishu documents it: AES-256-CBC with the key SHA-256(Encrypt Key),
 * the IV (random unless given) prepended, base64; written from the documented
 * algorithm, not from the adapter's decryption.
 */
export function encryptFeishu(encryptKey: string, plaintext: string, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(encryptKey).digest(), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

const unix = (at: Date) => Math.floor(at.getTime() / 1000);
const json = { 'content-type': 'application/json' };

/** A member's message (a slash command on Discord) as `community`'s platform delivers it. */
export function postedMessage(community: CommunityConfig, message: PostedMessage): PlatformRequest {
  const base = `/webhooks/${community.platform.kind}/${community.id}`;
  const p = community.platform;
  switch (p.kind) {
    case 'generic': {
      const body = JSON.stringify({
        id: `msg-${message.seq}`,
        type: 'message.posted',
        occurredAt: message.at.toISOString(),
        member: { id: message.memberId, ...(message.name ? { name: message.name } : {}) },
        channelId: message.channel ?? 'general',
        text: message.text,
      });
      return {
        method: 'POST',
        path: base,
        headers: { ...json, 'hearth-signature': signGeneric(community.webhookSecret, body, message.at) },
        body,
      };
    }
    case 'slack': {
      if (message.text.startsWith('/')) return slackSlashCommand(community, message);
      const body = JSON.stringify({
        token: 'legacy',
        team_id: 'T0LOCAL',
        api_app_id: 'A0HEARTH',
        type: 'event_callback',
        event_id: `Ev${message.seq}`,
        event_time: unix(message.at),
        event: {
          type: 'message',
          channel: message.channel ?? p.channel ?? 'C0GENERAL',
          user: message.memberId,
          text: message.text,
          ts: `${unix(message.at)}.${String(message.seq).padStart(6, '0')}`,
          channel_type: 'channel',
        },
      });
      return {
        method: 'POST',
        path: base,
        headers: {
          ...json,
          'x-slack-request-timestamp': String(unix(message.at)),
          'x-slack-signature': signSlack(p.signingSecret, unix(message.at), body),
        },
        body,
      };
    }
    case 'telegram': {
      const body = JSON.stringify({
        update_id: 100_000 + message.seq,
        message: {
          message_id: message.seq,
          date: unix(message.at),
          chat: { id: Number(message.channel ?? p.chatId ?? -100), type: 'supergroup', title: 'Makers' },
          from: { id: Number(message.memberId), is_bot: false, first_name: message.name ?? 'Member' },
          text: message.text,
        },
      });
      return {
        method: 'POST',
        path: base,
        headers: { ...json, 'x-telegram-bot-api-secret-token': p.secretToken },
        body,
      };
    }
    case 'wecom': {
      const created = unix(message.at);
      const inner = `<xml><ToUserName><![CDATA[${p.corpId}]]></ToUserName><FromUserName><![CDATA[${message.memberId}]]></FromUserName><CreateTime>${created}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${message.text}]]></Content><MsgId>${7_000_000 + message.seq}</MsgId><AgentID>${p.agentId}</AgentID></xml>`;
      const sealed = encrypt(p.encodingAesKey, inner, p.corpId);
      const nonce = `n${message.seq}`;
      const query = new URLSearchParams({
        msg_signature: getSignature(p.token, String(created), nonce, sealed),
        timestamp: String(created),
        nonce,
      });
      return {
        method: 'POST',
        path: `${base}?${query}`,
        headers: { 'content-type': 'text/xml' },
        body: `<xml><ToUserName><![CDATA[${p.corpId}]]></ToUserName><Encrypt><![CDATA[${sealed}]]></Encrypt><AgentID><![CDATA[${p.agentId}]]></AgentID></xml>`,
      };
    }
    case 'feishu': {
      const event = {
        schema: '2.0',
        header: {
          event_id: `ev-${message.seq}`,
          event_type: 'im.message.receive_v1',
          create_time: String(message.at.getTime()),
          token: p.verificationToken,
          app_id: p.appId,
          tenant_key: 'tenant',
        },
        event: {
          sender: { sender_id: { open_id: message.memberId }, sender_type: 'user', tenant_key: 'tenant' },
          message: {
            message_id: `om_${message.seq}`,
            chat_id: message.channel ?? p.chatId ?? 'oc_general',
            chat_type: 'group',
            message_type: 'text',
            content: JSON.stringify({ text: message.text }),
            create_time: String(message.at.getTime()),
          },
        },
      };
      if (!p.encryptKey) return { method: 'POST', path: base, headers: json, body: JSON.stringify(event) };
      const iv = createHash('md5').update(String(message.seq)).digest();
      const body = JSON.stringify({ encrypt: encryptFeishu(p.encryptKey, JSON.stringify(event), iv) });
      const timestamp = String(unix(message.at));
      const nonce = `n${message.seq}`;
      return {
        method: 'POST',
        path: base,
        headers: {
          ...json,
          'x-lark-request-timestamp': timestamp,
          'x-lark-request-nonce': nonce,
          'x-lark-signature': signFeishu(p.encryptKey, timestamp, nonce, body),
        },
        body,
      };
    }
    case 'dingtalk': {
      const body = JSON.stringify({
        msgId: `msg${message.seq}`,
        msgtype: 'text',
        createAt: message.at.getTime(),
        conversationId: message.channel ?? 'cidGroup',
        conversationType: '2',
        senderId: `$:LWCP_v1:$${message.memberId}`,
        senderStaffId: message.memberId,
        senderNick: message.name ?? 'Member',
        text: { content: ` ${message.text}` },
      });
      const timestamp = String(message.at.getTime());
      return {
        method: 'POST',
        path: base,
        headers: { ...json, timestamp, sign: signDingTalk(p.appSecret, timestamp) },
        body,
      };
    }
    case 'discord': {
      const [name, ...args] = message.text.replace(/^\//, '').split(/\s+/);
      const optionName = name === 'birthday' ? 'date' : 'zone';
      // A snowflake whose time is the message's, with the sequence in its low bits.
      const id = snowflakeAt(message.at, message.seq);
      const body = JSON.stringify({
        id,
        application_id: p.applicationId,
        type: 2,
        data: {
          id: '1400000000000000001',
          name,
          type: 1,
          ...(args.length ? { options: [{ name: optionName, type: 3, value: args.join(' ') }] } : {}),
        },
        guild_id: p.guildId,
        channel_id: message.channel ?? p.channelId,
        member: {
          user: { id: message.memberId, username: message.name ?? 'member', global_name: message.name ?? null },
          roles: [],
          joined_at: '2026-01-01T00:00:00.000000+00:00',
        },
        token: `interaction-token-${message.seq}`,
        version: 1,
        locale: 'en-US',
      });
      const timestamp = String(unix(message.at));
      const signature = sign(null, Buffer.from(timestamp + body), discordPrivateKey).toString('hex');
      return {
        method: 'POST',
        path: base,
        headers: { ...json, 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp },
        body,
      };
    }
  }
}

/** A Slack slash command (`/hearth birthday 03-14`): Slack clients never send a message that starts with `/`. */
function slackSlashCommand(community: CommunityConfig, message: PostedMessage): PlatformRequest {
  if (community.platform.kind !== 'slack') throw new Error('not a Slack community');
  const [command, ...rest] = message.text.split(' ');
  const body = new URLSearchParams({
    token: 'legacy',
    team_id: 'T0LOCAL',
    team_domain: 'local',
    channel_id: message.channel ?? community.platform.channel ?? 'C0GENERAL',
    channel_name: 'general',
    user_id: message.memberId,
    user_name: message.name ?? 'member',
    command,
    text: rest.join(' '),
    api_app_id: 'A0HEARTH',
    is_enterprise_install: 'false',
    response_url: 'https://hooks.slack.com/commands/T0LOCAL/1/x',
    trigger_id: `${message.seq}.1.abcdef`,
  }).toString();
  const t = unix(message.at);
  return {
    method: 'POST',
    path: `/webhooks/slack/${community.id}`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(t),
      'x-slack-signature': signSlack(community.platform.signingSecret, t, body),
    },
    body,
  };
}
