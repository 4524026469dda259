import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { COMMAND_NAMES, type CommandName } from '../../../domain/commands';

/**
 * Hearth's member commands as Discord slash commands. Discord shows them in
 * its `/` menu and sends each use to the interactions endpoint, where it
 * becomes `/name value…` text like a command typed in any other chat.
 */

const command = (
  name: string,
  description: string,
  option?: { name: string; description: string; max: number },
): RESTPostAPIChatInputApplicationCommandsJSONBody => ({
  type: ApplicationCommandType.ChatInput,
  name,
  description,
  ...(option
    ? {
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: option.name,
            description: option.description,
            required: true,
            max_length: option.max,
          },
        ],
      }
    : {}),
});

/** What each of Hearth's commands says in Discord's `/` menu; a new command does not compile without its entry. */
const DESCRIPTIONS: Record<CommandName, [string, { name: string; description: string; max: number }?]> = {
  birthday: [
    'Tell the community your birthday',
    { name: 'date', description: 'MM-DD, e.g. 03-14 (YYYY-MM-DD works too)', max: 10 },
  ],
  timezone: [
    'Set your time zone, so greetings come at your morning',
    { name: 'zone', description: 'An IANA time zone, e.g. Europe/Berlin or Asia/Shanghai', max: 64 },
  ],
  optout: ['Stop messages from Hearth to you'],
  optin: ['Get messages from Hearth again'],
  invite: ['Your personal invite code'],
  points: ['Your activity points'],
  help: ['What Hearth can do for you'],
};

/** The slash commands, in the order Discord lists them (that of `COMMAND_NAMES`). */
export const SLASH_COMMANDS = COMMAND_NAMES.map((name) => command(name, ...DESCRIPTIONS[name]));

/**
 * Every slash command: Hearth's own, then those other workflows declare (`memberCommands` in the workflow
 * registry, passed in by the caller: a platform does not load the workflows).
 */
export const slashCommands = (
  more: Readonly<Record<string, string>> = {},
): RESTPostAPIChatInputApplicationCommandsJSONBody[] => [
  ...SLASH_COMMANDS,
  ...Object.entries(more).map(([name, description]) => command(name, description)),
];

/** Which application and where: one guild (instant) or everywhere the app is installed (global). */
export interface CommandTarget {
  applicationId: string;
  guildId?: string;
}

/**
 * The bulk overwrite that makes these the app's commands: `PUT
 * /applications/{app}/guilds/{guild}/commands`, or `/applications/{app}/commands`
 * without a guild. It replaces every command the app had there.
 */
export function registerCommandsRequest(
  target: CommandTarget,
  more: Readonly<Record<string, string>> = {},
): {
  route: string;
  body: RESTPutAPIApplicationCommandsJSONBody;
} {
  const app = encodeURIComponent(target.applicationId);
  const commands = slashCommands(more);
  if (target.guildId) {
    return {
      route: `/applications/${app}/guilds/${encodeURIComponent(target.guildId)}/commands`,
      body: commands,
    };
  }
  // Global commands can also say where they work: in servers and in DMs with the bot, for a server install.
  const global = commands.map((c) => ({
    ...c,
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    integration_types: [ApplicationIntegrationType.GuildInstall],
  }));
  return { route: `/applications/${app}/commands`, body: global };
}
