import { describe, expect, it } from 'vitest';
import { DingtalkSender } from '../../../shared/platforms/dingtalk/outbound';
import { DiscordSender } from '../../../shared/platforms/discord/outbound';
import { FeishuSender } from '../../../shared/platforms/feishu/outbound';
import { chatSenderCache, createChatSender } from '../../../shared/platforms/outbound';
import { SlackSender } from '../../../shared/platforms/slack/outbound';
import { TelegramSender } from '../../../shared/platforms/telegram/outbound';
import { WecomSender } from '../../../shared/platforms/wecom/outbound';
import { literalSecrets } from '../../../shared/runtime/secrets';
import { communityConfig } from '../../support/fixtures';

const platforms = {
  slack: { kind: 'slack', signingSecret: 's', botToken: 'xoxb-1', channel: 'C1' },
  telegram: { kind: 'telegram', secretToken: 's', botToken: '1:A', chatId: '-100' },
  wecom: { kind: 'wecom', token: 't', encodingAesKey: 'k', corpId: 'ww1', robotKey: 'r' },
  feishu: { kind: 'feishu', verificationToken: 'v', appId: 'cli_1', appSecret: 's', chatId: 'oc_1' },
  dingtalk: { kind: 'dingtalk', appSecret: 's', robotToken: 'r' },
  discord: { kind: 'discord', publicKey: 'a'.repeat(64), applicationId: '1', botToken: 'b', channelId: '2' },
};

describe('Module: shared/platforms/outbound', () => {
  describe('Function: createChatSender', () => {
    it.each([
      ['slack', SlackSender],
      ['telegram', TelegramSender],
      ['wecom', WecomSender],
      ['feishu', FeishuSender],
      ['dingtalk', DingtalkSender],
      ['discord', DiscordSender],
    ] as const)('builds the %s sender', (kind, type) => {
      // Act
      const sender = createChatSender(communityConfig({ platform: platforms[kind] }), literalSecrets);

      // Assess
      expect(sender).toBeInstanceOf(type);
    });

    it('returns undefined for a generic community (the caller uses the file sender)', () => {
      // Act
      const sender = createChatSender(communityConfig(), literalSecrets);

      // Assess
      expect(sender).toBeUndefined();
    });
  });

  describe('Function: chatSenderCache', () => {
    it('keeps one sender per community while its platform config is unchanged', () => {
      // Prepare
      const senderFor = chatSenderCache(literalSecrets);
      const community = communityConfig({ platform: platforms.slack });

      // Act
      const first = senderFor(community);
      const again = senderFor(communityConfig({ platform: platforms.slack, name: 'Renamed' }));
      const rotated = senderFor(communityConfig({ platform: { ...platforms.slack, botToken: 'xoxb-2' } }));
      const other = senderFor(communityConfig({ id: 'other', platform: platforms.slack }));

      // Assess
      expect(again).toBe(first);
      expect(rotated).not.toBe(first);
      expect(other).not.toBe(rotated);
      expect(senderFor(communityConfig({ platform: { ...platforms.slack, botToken: 'xoxb-2' } }))).toBe(rotated);
    });
  });
});
