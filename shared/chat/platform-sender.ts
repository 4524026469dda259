import { HttpClient, type SenderOptions, trimBase } from './http';
import { Pacer } from './pacer';
import { type ChatMessage, type ChatSender, type PostedMessage, type SendResult, UndeliverableError } from './sender';

/**
 * What every platform's sender shares: an HTTP client and a pacer named after
 * the platform, the API root (`apiBaseUrl`, else the platform's own), and the
 * routing of a message to a channel or a DM with its fallback (`route`).
 */
export abstract class PlatformSender implements ChatSender {
  protected readonly http: HttpClient;
  protected readonly pacer: Pacer;
  protected readonly base: string;

  protected constructor(platform: string, apiBaseUrl: string | undefined, defaultApi: string, options: SenderOptions) {
    this.http = new HttpClient(platform, options);
    this.pacer = new Pacer(platform, options);
    this.base = trimBase(apiBaseUrl ?? defaultApi);
  }

  abstract send(message: ChatMessage, now?: Date): Promise<SendResult | undefined>;
}

/** Where a platform posts in a channel. */
export interface ChannelRoute {
  /** Post the message there, mentioning the member or not; the message as posted, where the platform says. */
  post(mention: boolean): Promise<PostedMessage | undefined | void>;
  /** Why there is nowhere to post (a setting missing), if so: the message is undeliverable. */
  missing?: string;
  /** The place, for a fallback's reason: `the channel`, `the group`, `the robot group`. */
  place: string;
}

/** How a platform sends a DM: a send and how to tell a refusal, or why it cannot DM at all. */
export type DmRoute =
  | {
      send(): Promise<unknown>;
      /** Why `error` means this member cannot be DMed (the channel may still reach them); undefined for any other error. */
      refusal(error: unknown): string | undefined;
    }
  | { impossible: string };

/**
 * Send `message` to the channel, or as a DM; a DM the platform refuses (or
 * cannot send) goes to the channel with a mention when the message allows it,
 * and the reason is returned for the outbox item. Without that permission, or
 * without a channel, the DM's own error stands.
 */
export async function route(message: ChatMessage, channel: ChannelRoute, dm: DmRoute): Promise<SendResult | undefined> {
  const postInChannel = async (mention: boolean) => {
    if (channel.missing) throw new UndeliverableError(channel.missing);
    return (await channel.post(mention)) ?? undefined;
  };
  if (message.delivery !== 'dm') {
    const posted = await postInChannel(message.mention === true);
    return posted ? { posted } : undefined;
  }
  let why: string;
  if ('impossible' in dm) {
    if (channel.missing) throw new UndeliverableError(channel.missing);
    if (!message.dmFallback) throw new UndeliverableError(`${dm.impossible}, and DM fallback is off`);
    why = dm.impossible;
  } else {
    try {
      await dm.send();
      return undefined;
    } catch (error) {
      const refusal = dm.refusal(error);
      if (refusal === undefined || !message.dmFallback || channel.missing) throw error;
      why = refusal;
    }
  }
  const posted = await postInChannel(true);
  return { fallback: `${why}; posted in ${channel.place} with a mention`, ...(posted ? { posted } : {}) };
}

/** Refresh an access token this long before the platform says it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;

/**
 * An access token (Feishu's tenant token, WeCom's app token), fetched when
 * first needed and kept until shortly before it expires.
 */
export class AccessToken {
  private cached?: { value: string; refreshAt: number };

  constructor(
    private readonly now: () => number,
    /** A new token and how long it lives. */
    private readonly fetch: () => Promise<{ value: string; lifetimeMs: number }>,
  ) {}

  /** Run `call` with the token; when the platform says the token is no good (`stale`), fetch a new one and run it once more. */
  async use<T>(call: (token: string) => Promise<T>, stale: (error: unknown) => boolean): Promise<T> {
    try {
      return await call(await this.get());
    } catch (error) {
      if (!stale(error)) throw error;
      this.cached = undefined;
      return call(await this.get());
    }
  }

  private async get(): Promise<string> {
    const now = this.now();
    if (this.cached && now < this.cached.refreshAt) return this.cached.value;
    const { value, lifetimeMs } = await this.fetch();
    this.cached = { value, refreshAt: now + Math.max(0, lifetimeMs - TOKEN_MARGIN_MS) };
    return value;
  }
}
