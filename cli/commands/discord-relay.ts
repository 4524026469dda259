import { registerCommandsRequest } from '../../shared/platforms/discord/relay/commands';
import { WebhookForwarder } from '../../shared/platforms/discord/relay/forwarder';
import { discordGateway } from '../../shared/platforms/discord/relay/gateway';
import { InviteTracker } from '../../shared/platforms/discord/relay/invites';
import { jsonLineLog, type RelayLog } from '../../shared/platforms/discord/relay/log';
import { Relay } from '../../shared/platforms/discord/relay/relay';
import { discordRest } from '../../shared/platforms/discord/relay/rest';
import { genericWebhookUrl } from '../../shared/platforms/generic/inbound';
import { ENV, optionalEnv } from '../../shared/runtime/env';
import {
  literalSecrets,
  SECRETS_PARAMETER_PREFIX,
  type SecretResolver,
  SsmSecrets,
} from '../../shared/runtime/secrets';
import { getCommunity } from '../../shared/store/communities';
import { MEMBER_COMMANDS } from '../../shared/workflows/registry';
import { UsageError } from '../errors';
import { output } from '../output';
import type { Target } from '../target';

/**
 * `discord-relay --community <id> [--url <hearth base>] [--api-base-url <discord api>]`:
 * hold the Discord Gateway for a community's bot and forward joins, leaves,
 * messages and reactions to Hearth's generic webhook, until SIGINT or SIGTERM.
 * It reads the config and secrets once and lets go of the data, so it never
 * holds the data folder a local stack wants. With `--register-commands` it
 * instead registers Hearth's slash commands for the app and exits.
 */

export interface DiscordRelayFlags {
  community?: string;
  url?: string;
  apiBaseUrl?: string;
  registerCommands?: boolean;
}

/** Everything the relay needs, secrets resolved. */
export interface RelaySettings {
  communityId: string;
  applicationId: string;
  guildId?: string;
  apiBaseUrl?: string;
  botToken: string;
  webhookSecret: string;
  webhookUrl: string;
}

const DEFAULT_HEARTH_URL = 'http://127.0.0.1:3000';

/** `url` when it is an http(s) URL; a UsageError naming `flag` otherwise. */
function httpUrl(url: string, flag: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new UsageError(`${flag} must be an http(s) URL`);
}

/** Secrets as the target resolves them: literals locally, `ssm:` references in AWS. */
function secretsFor(target: Target, env: NodeJS.ProcessEnv): SecretResolver {
  return target.mode === 'aws'
    ? new SsmSecrets(optionalEnv(ENV.secretsPrefix, env) ?? SECRETS_PARAMETER_PREFIX)
    : literalSecrets;
}

/** Read the community's config from the target and resolve what the relay needs. */
export async function relaySettings(
  target: Target,
  flags: DiscordRelayFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RelaySettings> {
  const communityId = flags.community;
  if (!communityId) throw new UsageError('discord-relay needs --community <id>');
  const community = await getCommunity(target.db, communityId);
  if (!community) throw new UsageError(`no community "${communityId}"`);
  const { platform } = community;
  if (platform.kind !== 'discord') {
    throw new UsageError(`platform.kind: community "${communityId}" is on ${platform.kind}, not discord`);
  }
  // Locally the running stack says where it listens; against AWS only the operator knows the API's URL.
  const hearthUrl = flags.url ?? target.webhookBaseUrl ?? (target.mode === 'aws' ? undefined : DEFAULT_HEARTH_URL);
  if (!hearthUrl) throw new UsageError("--url is needed against AWS: the stack's WebhookBaseUrl output");
  const base = httpUrl(hearthUrl, '--url');
  const secrets = secretsFor(target, env);
  const resolve = async (value: string, field: string) => {
    try {
      return await secrets.resolve(value);
    } catch (error) {
      throw new UsageError(`${field}: ${(error as Error).message}`);
    }
  };
  const apiBaseUrl = flags.apiBaseUrl ? httpUrl(flags.apiBaseUrl, '--api-base-url') : platform.apiBaseUrl;
  return {
    communityId,
    applicationId: platform.applicationId,
    ...(platform.guildId ? { guildId: platform.guildId } : {}),
    ...(apiBaseUrl ? { apiBaseUrl } : {}),
    botToken: await resolve(platform.botToken, 'platform.botToken'),
    webhookSecret: await resolve(community.webhookSecret, 'webhookSecret'),
    webhookUrl: genericWebhookUrl(base, communityId),
  };
}

/** Register Hearth's slash commands in the community's guild (or globally without one). */
export async function registerSlashCommands(settings: RelaySettings): Promise<{ scope: string; commands: string[] }> {
  const { route, body } = registerCommandsRequest(settings, MEMBER_COMMANDS);
  await discordRest({ token: settings.botToken, apiBaseUrl: settings.apiBaseUrl }).put(route, body);
  return {
    scope: settings.guildId ? `guild ${settings.guildId}` : 'global',
    commands: body.map((c) => c.name),
  };
}

export interface RunRelayDeps {
  log?: RelayLog;
  /** Where SIGINT and SIGTERM come from (the process). */
  signals?: NodeJS.EventEmitter;
}

/** Relay until SIGINT/SIGTERM (resolves) or a fatal Gateway error (rejects). */
export async function runRelay(settings: RelaySettings, deps: RunRelayDeps = {}): Promise<Relay> {
  const log = deps.log ?? jsonLineLog(process.stderr);
  const signals = deps.signals ?? process;
  const gateway = discordGateway({ token: settings.botToken, apiBaseUrl: settings.apiBaseUrl, log });
  const rest = discordRest({ token: settings.botToken, apiBaseUrl: settings.apiBaseUrl });
  const relay = new Relay({
    gateway,
    invites: new InviteTracker((guildId) => rest.get(`/guilds/${guildId}/invites`), log),
    forwarder: new WebhookForwarder({ url: settings.webhookUrl, secret: settings.webhookSecret, log }),
    guildId: settings.guildId,
    log,
  });
  const stop = (signal: string) => {
    log('info', 'stopping the relay', { signal, pending: relay.pending });
    void relay.stop();
  };
  signals.once('SIGINT', stop);
  signals.once('SIGTERM', stop);
  log('info', 'relaying Discord events to Hearth', {
    community: settings.communityId,
    guild: settings.guildId ?? 'every guild the bot is in',
    webhook: settings.webhookUrl,
  });
  try {
    await relay.run();
  } finally {
    signals.off('SIGINT', stop);
    signals.off('SIGTERM', stop);
  }
  return relay;
}

/** The `discord-relay` command: reads the config through a target it opens and closes itself. */
export async function discordRelay(
  openTarget: () => Promise<Target>,
  flags: DiscordRelayFlags,
  json: boolean,
): Promise<void> {
  if (!flags.community) throw new UsageError('discord-relay needs --community <id>');
  const target = await openTarget();
  let settings: RelaySettings;
  try {
    settings = await relaySettings(target, flags);
  } finally {
    await target.close();
  }
  if (flags.registerCommands) {
    const registered = await registerSlashCommands(settings);
    output(json, registered, () => `registered /${registered.commands.join(', /')} (${registered.scope})`);
    return;
  }
  try {
    await runRelay(settings);
  } catch (error) {
    process.stderr.write(`hearth: discord-relay stopped: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
