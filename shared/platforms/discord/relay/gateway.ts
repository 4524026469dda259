import { type CreateWebSocketManagerOptions, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayCloseCodes, GatewayIntentBits } from 'discord-api-types/v10';
import { type RelayLog, silentLog } from './log';
import { type DiscordAccess, discordRest } from './rest';

/**
 * The Gateway connection, held by `@discordjs/ws` (identify, heartbeats,
 * resume, reconnect, sharding), behind the small interface the Relay needs so
 * tests can give it another. The Gateway's URL comes from `GET /gateway/bot`
 * on the REST base, so pointing `apiBaseUrl` at a fake moves both.
 */

/**
 * What the relay asks Discord for. GUILD_MEMBERS (joins, leaves) and
 * MESSAGE_CONTENT (the text of commands typed as messages) are privileged:
 * they must be switched on for the bot in the Developer Portal, or Discord
 * closes the connection with 4014.
 */
const RELAY_INTENTS =
  GatewayIntentBits.Guilds |
  GatewayIntentBits.GuildMembers |
  GatewayIntentBits.GuildMessages |
  GatewayIntentBits.GuildMessageReactions |
  GatewayIntentBits.MessageContent;

/** A Gateway dispatch (op 0): its event name and data. */
export interface GatewayDispatch {
  t: string;
  d: unknown;
}

/** A Gateway connection as the Relay sees it. */
export interface Gateway {
  onDispatch(listener: (dispatch: GatewayDispatch) => void): void;
  /** A failure reconnecting will not cure (bad token, intents not allowed); the connection is already closed. */
  onFatal(listener: (error: Error) => void): void;
  connect(): Promise<void>;
  destroy(): Promise<void>;
}

export interface DiscordGatewayOptions extends DiscordAccess {
  log?: RelayLog;
}

// Close codes after which @discordjs/ws gives up, with what the operator can do about each.
const FATAL_HINTS: Partial<Record<number, string>> = {
  [GatewayCloseCodes.AuthenticationFailed]: 'Discord refused the bot token: check platform.botToken',
  [GatewayCloseCodes.DisallowedIntents]:
    'Discord refused privileged intents: switch on SERVER MEMBERS INTENT and MESSAGE CONTENT INTENT on the Bot page of the Developer Portal',
  [GatewayCloseCodes.InvalidIntents]: 'Discord refused the intents',
  [GatewayCloseCodes.ShardingRequired]: 'Discord requires sharding',
};

/** A Gateway connection through `@discordjs/ws`. */
export function discordGateway(options: DiscordGatewayOptions): Gateway {
  const log = options.log ?? silentLog;
  // The manager needs REST only for `GET /gateway/bot`; this answers it rather than a second REST client.
  const rest = { get: discordRest(options).get } as unknown as CreateWebSocketManagerOptions['rest'];
  const manager = new WebSocketManager({ token: options.token, intents: RELAY_INTENTS, rest });
  let lastClose: number | undefined;
  let destroying = false;

  manager.on(WebSocketShardEvents.Ready, (data, shardId) =>
    log('info', 'connected to the Discord Gateway', { shardId, guilds: data.guilds.length }),
  );
  manager.on(WebSocketShardEvents.Resumed, (shardId) =>
    log('info', 'resumed the Discord Gateway session', { shardId }),
  );
  manager.on(WebSocketShardEvents.Closed, (code, shardId) => {
    lastClose = code;
    // @discordjs/ws reconnects or resumes on its own; a close is worth a line unless the relay asked for it.
    if (!destroying) log('warn', 'the Discord Gateway closed the connection', { shardId, code });
  });

  return {
    onDispatch(listener) {
      manager.on(WebSocketShardEvents.Dispatch, (payload) => listener({ t: payload.t, d: payload.d }));
    },
    onFatal(listener) {
      manager.on(WebSocketShardEvents.Error, (error) => {
        const hint = lastClose === undefined ? undefined : FATAL_HINTS[lastClose];
        listener(new Error(hint ? `${hint} (close code ${lastClose})` : error.message, { cause: error }));
      });
    },
    async connect() {
      await manager.connect();
    },
    async destroy() {
      destroying = true;
      await manager.destroy({ reason: 'relay stopping' });
    },
  };
}
