import { createCipheriv, createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import type { CommunityConfig } from '../../shared/domain/config';
import { signDingTalk } from '../../shared/platforms/dingtalk/inbound';
import { snowflakeAt } from '../../shared/platforms/discord/snowflake';
import { signFeishu } from '../../shared/platforms/feishu/inbound';
import { signGeneric } from '../../shared/platforms/generic/inbound';
import { signSlack } from '../../shared/platforms/slack/inbound';

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

/**
 * A request with `body` as `community`'s platform sends it: signed with the
 * community's secrets and, where the platform seals its bodies (WeCom; Feishu
 * with an Encrypt Key), sealed, `body` then being the plaintext inside. Any
 * body is signed correctly, so a test reaches the parser with it.
 */
export function signedRequest(
  community: CommunityConfig,
  body: string,
  at: Date,
  options: { seq?: number; contentType?: string } = {},
): PlatformRequest {
  const base = `/webhooks/${community.platform.kind}/${community.id}`;
  const seq = options.seq ?? 0;
  const headers = { 'content-type': options.contentType ?? 'application/json' };
  const p = community.platform;
  switch (p.kind) {
    case 'generic':
      return {
        method: 'POST',
        path: base,
        headers: { ...headers, 'hearth-signature': signGeneric(community.webhookSecret, body, at) },
        body,
      };
    case 'slack':
      return {
        method: 'POST',
        path: base,
        headers: {
          ...headers,
          'x-slack-request-timestamp': String(unix(at)),
          'x-slack-signature': signSlack(p.signingSecret, unix(at), body),
        },
        body,
      };
    case 'telegram':
      return {
        method: 'POST',
        path: base,
        headers: { ...headers, 'x-telegram-bot-api-secret-token': p.secretToken },
        body,
      };
    case 'wecom': {
      const created = String(unix(at));
      const sealed = encrypt(p.encodingAesKey, body, p.corpId);
      const nonce = `n${seq}`;
      const query = new URLSearchParams({
        msg_signature: getSignature(p.token, created, nonce, sealed),
        timestamp: created,
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
      if (!p.encryptKey) return { method: 'POST', path: base, headers, body };
      const iv = createHash('md5').update(String(seq)).digest();
      const sealed = JSON.stringify({ encrypt: encryptFeishu(p.encryptKey, body, iv) });
      const timestamp = String(unix(at));
      const nonce = `n${seq}`;
      return {
        method: 'POST',
        path: base,
        headers: {
          ...headers,
          'x-lark-request-timestamp': timestamp,
          'x-lark-request-nonce': nonce,
          'x-lark-signature': signFeishu(p.encryptKey, timestamp, nonce, sealed),
        },
        body: sealed,
      };
    }
    case 'dingtalk': {
      const timestamp = String(at.getTime());
      return {
        method: 'POST',
        path: base,
        headers: { ...headers, timestamp, sign: signDingTalk(p.appSecret, timestamp) },
        body,
      };
    }
    case 'discord': {
      const timestamp = String(unix(at));
      const signature = sign(null, Buffer.from(timestamp + body), discordPrivateKey).toString('hex');
      return {
        method: 'POST',
        path: base,
        headers: { ...headers, 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp },
        body,
      };
    }
  }
}

/** A member's message (a slash command on Discord) as `community`'s platform delivers it. */
export function postedMessage(community: CommunityConfig, message: PostedMessage): PlatformRequest {
  const p = community.platform;
  const signed = (body: unknown) =>
    signedRequest(community, typeof body === 'string' ? body : JSON.stringify(body), message.at, { seq: message.seq });
  switch (p.kind) {
    case 'generic':
      return signed({
        id: `msg-${message.seq}`,
        type: 'message.posted',
        occurredAt: message.at.toISOString(),
        member: { id: message.memberId, ...(message.name ? { name: message.name } : {}) },
        channelId: message.channel ?? 'general',
        text: message.text,
      });
    case 'slack':
      if (message.text.startsWith('/')) return slackSlashCommand(community, message);
      return signed({
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
    case 'telegram':
      return signed({
        update_id: 100_000 + message.seq,
        message: {
          message_id: message.seq,
          date: unix(message.at),
          chat: { id: Number(message.channel ?? p.chatId ?? -100), type: 'supergroup', title: 'Makers' },
          from: { id: Number(message.memberId), is_bot: false, first_name: message.name ?? 'Member' },
          text: message.text,
        },
      });
    case 'wecom':
      return signed(
        `<xml><ToUserName><![CDATA[${p.corpId}]]></ToUserName><FromUserName><![CDATA[${message.memberId}]]></FromUserName><CreateTime>${unix(message.at)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${message.text}]]></Content><MsgId>${7_000_000 + message.seq}</MsgId><AgentID>${p.agentId}</AgentID></xml>`,
      );
    case 'feishu':
      return signed({
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
      });
    case 'dingtalk':
      return signed({
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
    case 'discord': {
      const [name, ...args] = message.text.replace(/^\//, '').split(/\s+/);
      const optionName = name === 'birthday' ? 'date' : 'zone';
      return signed({
        // A snowflake whose time is the message's, with the sequence in its low bits.
        id: snowflakeAt(message.at, message.seq),
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
  return signedRequest(community, body, message.at, {
    seq: message.seq,
    contentType: 'application/x-www-form-urlencoded',
  });
}
