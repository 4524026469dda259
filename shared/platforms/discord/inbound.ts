import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import * as z from '../../domain/zod';
import { badRequest, unauthorized } from '../../runtime/errors';
import { canonicalEvents, expectShape, jsonBody } from '../parsing';
import { isFresh } from '../signature';
import type { AdapterContext, HttpReply, InboundRequest, ParsedRequest, PlatformAdapter } from '../types';
import { snowflakeDate } from './snowflake';
import { discordUser, memberOf, snowflakeId } from './user';

/**
 * Discord's HTTP interactions endpoint (the app's "Interactions Endpoint URL").
 * Every request is signed with Ed25519: `X-Signature-Ed25519` is the hex
 * signature of `X-Signature-Timestamp + raw body` under the application's
 * public key; Discord probes the endpoint with bad signatures and drops it
 * unless they get a 401. The URL is checked once with a PING, answered PONG.
 * A slash command becomes a `message.posted` whose text is `/name values…`
 * (so `commandIn` recognises it), keyed `discord:cmd:<interaction id>`: the
 * interaction id is Discord's own unique id for it, and the prefix keeps it
 * apart from the relay's `discord:msg:…` ids in the community's dedupe space.
 * Discord wants an answer within 3 s and does not retry, so a command is
 * acknowledged at once with a deferred ephemeral reply; the answer follows
 * through the outbox with the interaction token (valid 15 minutes).
 *
 * Joins, leaves, messages and reactions never come here: Discord sends them
 * only over the Gateway, which `npx hearth discord-relay` holds.
 */

/**
 * Replay window on `X-Signature-Timestamp` (Unix seconds). Discord documents none; this one is
 * Hearth's, the same 300 s as Slack's and the generic webhook's.
 */
export const DISCORD_TOLERANCE_SECONDS = 300;

// The numbers this adapter reads and answers with, named as Discord's documentation names them. Written out
// rather than imported from discord-api-types, whose entry point would add ~150 KB to the webhook Lambda.
const InteractionType = {
  Ping: 1,
  ApplicationCommand: 2,
  MessageComponent: 3,
  ApplicationCommandAutocomplete: 4,
  ModalSubmit: 5,
} as const;
const InteractionResponseType = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredMessageUpdate: 6,
  ApplicationCommandAutocompleteResult: 8,
} as const;
const ApplicationCommandType = { ChatInput: 1 } as const;
const ApplicationCommandOptionType = { Subcommand: 1, SubcommandGroup: 2 } as const;
const MessageFlags = { Ephemeral: 1 << 6 } as const;

// An Ed25519 public key as DER SubjectPublicKeyInfo is this fixed prefix followed by the raw 32 bytes.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const publicKeys = new Map<string, KeyObject>();

/** The application's public key (64 hex characters, as the Developer Portal shows it) as a KeyObject. */
function discordPublicKey(hex: string): KeyObject {
  let key = publicKeys.get(hex);
  if (!key) {
    const der = Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]);
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    publicKeys.set(hex, key);
  }
  return key;
}

const snowflake = snowflakeId;
/** Every interaction says what it is before anything else is read. */
const interactionType = z.looseObject({ type: z.number().check(z.int()) });

/**
 * Options nest at most three deep (a subcommand group holds subcommands, a subcommand holds values) and 25
 * to a list, as Discord documents: written out level by level rather than as a recursive schema, so no body
 * can make the schema walk deeper than that.
 */
// Strict about what is read and silent about the rest: unknown keys are dropped, so an `options` below the
// third level never reaches `optionWords`.
const valueOption = z.object({
  name: z.string().check(z.maxLength(32)),
  type: z.number().check(z.int()),
  value: z.optional(z.union([z.string().check(z.maxLength(6000)), z.number(), z.boolean()])),
});
const subcommandOption = z.extend(valueOption, { options: z.optional(z.array(valueOption).check(z.maxLength(25))) });
const commandOption = z.extend(valueOption, { options: z.optional(z.array(subcommandOption).check(z.maxLength(25))) });
interface CommandOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: CommandOption[];
}

const commandInteraction = z.looseObject({
  id: snowflake,
  type: z.literal(InteractionType.ApplicationCommand),
  token: z.string().check(z.minLength(1), z.maxLength(1000)),
  guild_id: z.optional(snowflake),
  channel_id: z.optional(snowflake),
  channel: z.optional(z.looseObject({ id: snowflake })),
  // `member` (with its `user`) when invoked in a guild, `user` when invoked in a DM.
  member: z.optional(z.looseObject({ user: discordUser })),
  user: z.optional(discordUser),
  data: z.looseObject({
    name: z.string().check(z.minLength(1), z.maxLength(32)),
    type: z.optional(z.number().check(z.int())),
    options: z.optional(z.array(commandOption).check(z.maxLength(25))),
  }),
});

/** A 200 with an interaction response. */
const respond = (body: unknown): HttpReply => ({
  statusCode: 200,
  contentType: 'application/json',
  body: JSON.stringify(body),
});

/** An ephemeral message only the invoking user sees. */
const ephemeral = (content: string): HttpReply =>
  respond({ type: InteractionResponseType.ChannelMessageWithSource, data: { content, flags: MessageFlags.Ephemeral } });

/** The words a command's options stand for: subcommand names and values, in order. */
function optionWords(options: readonly CommandOption[] = []): string[] {
  return options.flatMap((option) => {
    if (
      option.type === ApplicationCommandOptionType.Subcommand ||
      option.type === ApplicationCommandOptionType.SubcommandGroup
    ) {
      return [option.name, ...optionWords(option.options)];
    }
    const value = option.value === undefined ? '' : String(option.value).trim();
    return value ? [value] : [];
  });
}

function applicationCommand(body: unknown, { community, now }: AdapterContext): ParsedRequest {
  const interaction = expectShape(commandInteraction, body);
  const guildId = community.platform.kind === 'discord' ? community.platform.guildId : undefined;
  // A guild other than the community's (the app is installed in several); DMs with the bot are the member's own.
  if (guildId && interaction.guild_id && interaction.guild_id !== guildId) {
    return { events: [], reply: ephemeral('This server is not the community Hearth looks after.') };
  }
  if (interaction.data.type !== undefined && interaction.data.type !== ApplicationCommandType.ChatInput) {
    return { events: [], reply: ephemeral('Hearth answers only its slash commands.') };
  }
  const user = interaction.member?.user ?? interaction.user;
  if (!user) throw badRequest('an interaction needs member.user (guild) or user (DM)', 'member.user');
  const channelId = interaction.channel_id ?? interaction.channel?.id;
  if (!channelId) throw badRequest('an interaction needs channel_id', 'channel_id');

  const id = `discord:cmd:${interaction.id}`;
  const userField = interaction.member?.user ? 'member.user' : 'user';
  const [event] = canonicalEvents(
    [
      {
        event: {
          id,
          type: 'message.posted',
          // The interaction's own id says when it was made (a snowflake): the future rule applies to it too.
          occurredAt: snowflakeDate(interaction.id).toISOString(),
          member: memberOf(user),
          channelId,
          text: [`/${interaction.data.name}`, ...optionWords(interaction.data.options)].join(' '),
        },
        fields: {
          id: 'id',
          occurredAt: 'id',
          member: userField,
          'member.id': `${userField}.id`,
          'member.name': `${userField}.global_name`,
          channelId: interaction.channel_id ? 'channel_id' : 'channel.id',
          text: 'data.options',
        },
      },
    ],
    now,
  );
  return {
    events: [event],
    reply: respond({
      type: InteractionResponseType.DeferredChannelMessageWithSource,
      data: { flags: MessageFlags.Ephemeral },
    }),
    // Ephemeral: only the member sees the command, so only they see the answer.
    answers: { [id]: { private: true, token: interaction.token } },
  };
}

export const adapter: PlatformAdapter = {
  platform: 'discord',
  acceptsGet: false,

  async verify(request: InboundRequest, { community, now }: AdapterContext): Promise<void> {
    if (community.platform.kind !== 'discord') throw unauthorized('community is not on Discord', 'platform');
    const signature = request.headers['x-signature-ed25519'];
    const timestamp = request.headers['x-signature-timestamp'];
    if (!signature || !timestamp) {
      const missing = signature ? 'X-Signature-Timestamp' : 'X-Signature-Ed25519';
      throw unauthorized('X-Signature-Ed25519 or X-Signature-Timestamp is missing', missing);
    }
    if (!/^[0-9a-f]{128}$/i.test(signature))
      throw unauthorized('X-Signature-Ed25519 is malformed', 'X-Signature-Ed25519');
    if (!/^\d{1,12}$/.test(timestamp))
      throw unauthorized('X-Signature-Timestamp is malformed', 'X-Signature-Timestamp');
    if (!isFresh(Number(timestamp), now, DISCORD_TOLERANCE_SECONDS)) {
      throw unauthorized('X-Signature-Timestamp is stale', 'X-Signature-Timestamp');
    }
    const signed = Buffer.from(timestamp + request.rawBody, 'utf8');
    const key = discordPublicKey(community.platform.publicKey);
    if (!verify(null, signed, key, Buffer.from(signature, 'hex'))) {
      throw unauthorized('X-Signature-Ed25519 does not match', 'X-Signature-Ed25519');
    }
  },

  parse(request: InboundRequest, context: AdapterContext): ParsedRequest {
    const body = jsonBody(request.rawBody);
    const { type } = expectShape(interactionType, body);
    switch (type) {
      case InteractionType.Ping:
        return { events: [], reply: respond({ type: InteractionResponseType.Pong }) };
      case InteractionType.ApplicationCommand:
        return applicationCommand(body, context);
      case InteractionType.ApplicationCommandAutocomplete:
        // Hearth's commands ask for no autocompletion; an empty list keeps the client from waiting.
        return {
          events: [],
          reply: respond({ type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [] } }),
        };
      case InteractionType.MessageComponent:
        // Hearth posts no buttons or menus; acknowledge without changing the message.
        return { events: [], reply: respond({ type: InteractionResponseType.DeferredMessageUpdate }) };
      case InteractionType.ModalSubmit:
        // Nor modals; a message is a valid answer to any modal submit, a deferred update only to some.
        return { events: [], reply: ephemeral('Hearth has nothing to do with this form.') };
      default:
        throw badRequest(`unknown interaction type ${type}`, 'type');
    }
  },
};
