/**
 * The two Discord REST calls Hearth's relay makes (`GET /gateway/bot` and the
 * bulk overwrite of slash commands), built as plain request objects and sent
 * with `fetch`. Requests carry `Authorization: Bot <token>`; nothing here logs
 * or puts the token in an error.
 */

/** Discord's REST base with the API version; `platform.apiBaseUrl` replaces it (a fake in tests). */
export const DISCORD_API_BASE = 'https://discord.com/api/v10';

// Discord asks for `DiscordBot ($url, $versionNumber)` and may refuse requests without a User-Agent.
const USER_AGENT = 'DiscordBot (hearth, 0.1.0)';

/** Where and as whom to call Discord. */
export interface DiscordAccess {
  token: string;
  apiBaseUrl?: string;
}

/** A REST request ready to send. */
export interface DiscordRequest {
  method: 'GET' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A non-2xx answer: the status and Discord's own error code and message (which never echo the token). */
export class DiscordApiError extends Error {
  override name = 'DiscordApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly code?: number,
  ) {
    super(message);
  }
}

/** Build a request for `route` (e.g. `/gateway/bot`) without sending it. */
export function discordRequest(
  access: DiscordAccess,
  method: DiscordRequest['method'],
  route: string,
  body?: unknown,
): DiscordRequest {
  const base = (access.apiBaseUrl ?? DISCORD_API_BASE).replace(/\/+$/, '');
  return {
    method,
    url: `${base}${route}`,
    headers: {
      authorization: `Bot ${access.token}`,
      'user-agent': USER_AGENT,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

/** Send a request; the parsed JSON answer, or DiscordApiError. */
export async function sendDiscordRequest(request: DiscordRequest, fetchImpl: typeof fetch = fetch): Promise<unknown> {
  const route = new URL(request.url).pathname;
  let response: Response;
  try {
    response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    // Only a fixed reason: undici's messages can quote a header, and so the token
    // (`Headers.append: "Bot …" is an invalid header value.`). The original error is
    // not kept as the cause either, for whoever logs the whole chain.
    throw new Error(
      `cannot reach Discord at ${new URL(request.url).origin} (${request.method} ${route}): ${whyUnreachable(error)}`,
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const error = (json ?? {}) as { code?: unknown; message?: unknown };
    const detail = typeof error.message === 'string' ? `: ${error.message}` : '';
    throw new DiscordApiError(
      `Discord answered ${response.status} to ${request.method} ${route}${detail}`,
      response.status,
      typeof error.code === 'number' ? error.code : undefined,
    );
  }
  return json;
}

/** A reason for a failed fetch that cannot carry the token: a system error code, a timeout, or 'network error'. */
function whyUnreachable(error: unknown): string {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) return code;
  if ((error as { name?: unknown } | undefined)?.name === 'TimeoutError') return 'timed out';
  return 'network error';
}
