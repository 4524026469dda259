import { parseArgs } from 'node:util';
import { DataFolderInUseError } from '../infra/local/dynamo';
import { logToStderr } from '../shared/runtime/observability';
import { JOBS } from '../shared/workflows/jobs';
import { communityList, communityPut, communityShow } from './commands/community';
import { digestPreview } from './commands/digest';
import { discordRelay } from './commands/discord-relay';
import { mailTest } from './commands/mail';
import { memberForget, memberShow } from './commands/member';
import { membersImport } from './commands/members';
import { outboxList, outboxRetry } from './commands/outbox';
import { post } from './commands/post';
import { referralsIssue, referralsList, referralsRevoke } from './commands/referrals';
import { runJob } from './commands/run';
import { leaderboardCommand, tiersCommand } from './commands/standing';
import { UsageError } from './errors';
import { openTarget, type Target } from './target';

/**
 * `hearth`: the operator CLI. Exit 0 on success, 2 on bad input (the message
 * names the field), 1 on anything else. With --json a command prints one JSON
 * value and nothing else on stdout.
 */

const USAGE = `usage: hearth <command> [--json]
  community put <file.json>       validate and store a community config
  community list                  list communities
  community show <id>             show a config (secrets masked)
  member show <community> <member>
  member forget <community> <member>   erase personal data; counts stay
  members import <community> <file.csv>   names, birthdays, time zones, locales from a spreadsheet
                                  (header row; columns id, name, birthday, timezone, locale)
  referrals <community> [--week YYYY-Www]   referrers: joined, qualified, pending
  referrals issue <community> <member>      the member's invite code (and link)
  referrals revoke <community> <code>       joins through the code are unattributed from now on
  leaderboard <community> [--week YYYY-Www] the top 20 by points
  tiers <community> [--week YYYY-Www]       how many members hold each tier; promoted and demoted
  digest preview --community <id> [--week YYYY-Www | --month YYYY-MM | --quarter YYYY-Qn]
                 [--out file.html] [--eml file.eml]
                                  a period's numbers (default: last week), sent to no one
  run <job> [--at <ISO time>]     one sweep as if it were that time (${JOBS.join('|')})
  outbox [--community <id>] [--status pending|sent|failed|skipped]
  outbox retry <id>
  mail test <community>           send a test email to the community's operators
  post <community> [event.json] [--url <webhook base>]   sign and post an event to the local stack
  discord-relay --community <id> [--url <hearth base>] [--api-base-url <discord api>]
                                  hold the Discord Gateway and forward joins, leaves, messages and
                                  reactions to the generic webhook until SIGINT/SIGTERM
  discord-relay --community <id> --register-commands   register the slash commands and exit

Data: the running local stack (npm start) for HEARTH_DATA_DIR (.hearth), else that folder;
AWS when HEARTH_TABLE and AWS credentials are set.`;

async function main(argv: string[]): Promise<void> {
  // stdout is the command's output; the handlers' log lines, at any level, go to stderr.
  logToStderr();
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, sub, ...rest] = positionals;
  const json = values.json ?? false;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!command) throw new UsageError(`a command is needed\n${USAGE}`);
  const known = [
    'community',
    'member',
    'members',
    'referrals',
    'leaderboard',
    'tiers',
    'digest',
    'run',
    'outbox',
    'post',
    'mail',
    'discord-relay',
  ];
  if (!known.includes(command)) throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  if (command === 'discord-relay') {
    if (sub !== undefined) throw new UsageError(`discord-relay: unknown argument "${sub}"`);
    // Long-running: it opens the target only to read the config, and closes it before relaying.
    const flags = { community: values.community, url: values.url, apiBaseUrl: values['api-base-url'] };
    return discordRelay(openTarget, { ...flags, registerCommands: values['register-commands'] }, json);
  }

  const target = await openTarget();
  try {
    await route(target, command, sub, rest, values, json);
  } finally {
    await target.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      at: { type: 'string' },
      community: { type: 'string' },
      status: { type: 'string' },
      week: { type: 'string' },
      month: { type: 'string' },
      quarter: { type: 'string' },
      out: { type: 'string' },
      eml: { type: 'string' },
      url: { type: 'string' },
      'api-base-url': { type: 'string' },
      'register-commands': { type: 'boolean' },
    },
  });
}

async function route(
  target: Target,
  command: string,
  sub: string | undefined,
  rest: string[],
  values: ReturnType<typeof parse>['values'],
  json: boolean,
): Promise<void> {
  switch (command) {
    case 'community':
      if (sub === 'put') return communityPut(target, rest[0], json);
      if (sub === 'list') return communityList(target, json);
      if (sub === 'show') return communityShow(target, rest[0], json);
      throw new UsageError('community: use put <file>, list or show <id>');
    case 'member':
      if (sub === 'show') return memberShow(target, rest, json);
      if (sub === 'forget') return memberForget(target, rest, json);
      throw new UsageError('member: use show <community> <member> or forget <community> <member>');
    case 'members':
      if (sub === 'import') return membersImport(target, rest, json);
      throw new UsageError('members: use import <community> <file.csv>');
    case 'referrals':
      if (sub === 'issue') return referralsIssue(target, rest, json);
      if (sub === 'revoke') return referralsRevoke(target, rest, json);
      return referralsList(target, [sub, ...rest].filter(defined), values.week, json);
    case 'leaderboard':
      return leaderboardCommand(target, [sub, ...rest].filter(defined), values.week, json);
    case 'tiers':
      return tiersCommand(target, [sub, ...rest].filter(defined), values.week, json);
    case 'digest':
      if (sub === 'preview') {
        const { week, month, quarter } = values;
        return digestPreview(
          target,
          values.community,
          { week, month, quarter },
          { out: values.out, eml: values.eml },
          json,
        );
      }
      throw new UsageError(
        'digest: use preview --community <id> [--week YYYY-Www | --month YYYY-MM | --quarter YYYY-Qn]',
      );
    case 'run':
      return runJob(target, sub, values.at, json);
    case 'outbox':
      if (sub === 'retry') return outboxRetry(target, rest[0], json);
      if (sub !== undefined) throw new UsageError(`outbox: unknown argument "${sub}"`);
      return outboxList(target, { community: values.community, status: values.status }, json);
    case 'mail':
      if (sub === 'test') return mailTest(target, rest[0], json);
      throw new UsageError('mail: use test <community>');
    case 'post':
      return post(
        target,
        [sub, ...rest].filter((a): a is string => a !== undefined),
        values.url,
        json,
      );
  }
}

const defined = (a: string | undefined): a is string => a !== undefined;

/** `Name: message` of an unexpected error. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message.startsWith(error.name) ? error.message : `${error.name}: ${error.message}`;
}

/**
 * Say what failed: one line on stderr and, with `--json`, the same as one JSON value on stdout
 * (`{"error", "message", "field"?}`); the exit code says which kind (2: bad input, 1: anything else).
 */
function fail(kind: 'usage' | 'busy' | 'internal', message: string, code: 1 | 2, field?: string): void {
  process.stderr.write(`hearth: ${message}\n`);
  if (process.argv.slice(2).includes('--json')) {
    process.stdout.write(`${JSON.stringify({ error: kind, message, ...(field ? { field } : {}) })}\n`);
  }
  process.exitCode = code;
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    fail('usage', error.message, 2, error.field);
  } else if (error instanceof DataFolderInUseError) {
    fail('busy', `${error.message}; try again when it is done`, 1);
  } else {
    // Unexpected: the error's name and message, not a stack (HEARTH_DEBUG=1 shows it).
    const detail = process.env.HEARTH_DEBUG ? ((error as Error).stack ?? String(error)) : describeError(error);
    fail('internal', detail, 1);
  }
}
