import { HttpClient, type HttpOptions, trimBase } from '../../../chat/http';
import { classifyDiscord, DISCORD_API, USER_AGENT } from '../outbound';

/**
 * The two Discord REST calls the relay makes (`GET /gateway/bot` and the bulk
 * overwrite of slash commands), through the senders' HTTP client: 429s and
 * 5xx retried, `Authorization: Bot <token>`, and errors that name the call,
 * the status and Discord's code but never the token or the URL.
 */

/** Where and as whom to call Discord. */
export interface DiscordAccess {
  token: string;
  /** Discord's REST base with the API version; `platform.apiBaseUrl` replaces it (a fake in tests). */
  apiBaseUrl?: string;
}

/** Discord's REST API for the relay; each call resolves with the parsed answer. */
export function discordRest(access: DiscordAccess, options: HttpOptions = {}) {
  const http = new HttpClient('discord', options);
  const base = trimBase(access.apiBaseUrl ?? DISCORD_API);
  const call = async (method: 'GET' | 'PUT', route: string, body?: unknown): Promise<unknown> => {
    const response = await http.request(
      {
        method,
        url: `${base}${route}`,
        headers: { authorization: `Bot ${access.token}`, 'user-agent': USER_AGENT },
        body,
        what: `${method} ${route}`,
        secrets: [access.token],
      },
      classifyDiscord,
    );
    return response.body;
  };
  return {
    get: (route: string) => call('GET', route),
    put: (route: string, body: unknown) => call('PUT', route, body),
  };
}
