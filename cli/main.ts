import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { logToStderr } from '../shared/runtime/observability';
import type { CalendarAddOptions, ChallengeAddOptions } from './commands/calendar';
import { UsageError } from './errors';
import type { Target } from './target';

/**
 * `hearth`: the operator CLI. Exit 0 on success, 2 on bad input (the message
 * names the field), 1 on anything else. With --json a command prints one JSON
 * value and nothing else on stdout, an error included (`{"error", "message", "field"?}`).
 *
 * Commander parses the arguments (help for every command, `help <command>`,
 * "did you mean", unknown options and extra arguments refused). Each command's
 * module is imported only when that command runs, so a start loads what the
 * command needs and no more: the built CLI is split into chunks along these imports.
 */

/** The value of every option a command may take, as commander gives them. */
/** The options of every command (`calendar add`'s are its entry's fields). */
interface Flags extends CalendarAddOptions, Omit<ChallengeAddOptions, keyof CalendarAddOptions> {
  json?: boolean;
  at?: string;
  community?: string;
  status?: string;
  week?: string;
  month?: string;
  quarter?: string;
  out?: string;
  eml?: string;
  url?: string;
  apiBaseUrl?: string;
  registerCommands?: boolean;
  dryRun?: boolean;
  // calendar preview
  from?: string;
  next?: string;
}

/** Run `body` against the data (the running stack, the folder or AWS), closed after. */
async function withTarget(body: (target: Target) => Promise<void>): Promise<void> {
  const { openTarget } = await import('./target');
  const target = await openTarget();
  try {
    await body(target);
  } finally {
    await target.close();
  }
}

/**
 * An action: its arguments as commander parsed them (positionals, then the command's flags merged with the
 * program's), run against the data.
 */
function action<A extends string[]>(run: (target: Target, flags: Flags, ...args: A) => Promise<void>) {
  return async (...received: unknown[]) => {
    const command = received.at(-1) as Command;
    const args = received.slice(0, -2) as A;
    await withTarget((target) => run(target, command.optsWithGlobals<Flags>(), ...args));
  };
}

const WEEK = '<YYYY-Www>';

export function program(): Command {
  const hearth = new Command('hearth')
    .description('The operator CLI of Hearth, the community-operations autopilot.')
    .version(packageJson.version, '-v, --version')
    .option('--json', 'print one JSON value (an error too: {"error", "message", "field"?})')
    .addHelpText(
      'after',
      `
Data: the running local stack (npm start) for HEARTH_DATA_DIR (.hearth), else that folder;
AWS when HEARTH_TABLE and AWS credentials are set. Exit codes: 0 done, 2 bad input, 1 anything else.`,
    )
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  const community = hearth.command('community').description('community configs');
  community
    .command('put <file.json>')
    .description('validate and store a community config')
    .action(
      action(async (t, f, file: string) => (await import('./commands/community')).communityPut(t, file, !!f.json)),
    );
  community
    .command('list')
    .description('list communities')
    .action(action(async (t, f) => (await import('./commands/community')).communityList(t, !!f.json)));
  community
    .command('show <id>')
    .description('show a config (secrets masked)')
    .action(action(async (t, f, id: string) => (await import('./commands/community')).communityShow(t, id, !!f.json)));

  const member = hearth.command('member').description('one member');
  member
    .command('show <community> <member>')
    .description('profile, activity, standing and referrals')
    .action(
      action(async (t, f, c: string, m: string) => (await import('./commands/member')).memberShow(t, [c, m], !!f.json)),
    );
  member
    .command('forget <community> <member>')
    .description('erase personal data; counts stay')
    .action(
      action(async (t, f, c: string, m: string) =>
        (await import('./commands/member')).memberForget(t, [c, m], !!f.json),
      ),
    );

  hearth
    .command('members')
    .description('many members at once')
    .command('import <community> <file.csv>')
    .description(
      'names, birthdays, time zones, locales from a spreadsheet (header row; columns id, name, birthday, timezone, locale)',
    )
    .action(
      action(async (t, f, c: string, file: string) =>
        (await import('./commands/members')).membersImport(t, [c, file], !!f.json),
      ),
    );

  const referrals = hearth.command('referrals').description('invite codes and who brought whom');
  referrals
    .command('list <community>', { isDefault: true })
    .description('referrers: joined, qualified, pending (the default: hearth referrals <community>)')
    .option('--week <week>', `the week, ${WEEK} (default: this week)`)
    .action(
      action(async (t, f, c: string) => (await import('./commands/referrals')).referralsList(t, [c], f.week, !!f.json)),
    );
  referrals
    .command('issue <community> <member>')
    .description("the member's invite code (and link)")
    .action(
      action(async (t, f, c: string, m: string) =>
        (await import('./commands/referrals')).referralsIssue(t, [c, m], !!f.json),
      ),
    );
  referrals
    .command('revoke <community> <code>')
    .description('joins through the code are unattributed from now on')
    .action(
      action(async (t, f, c: string, code: string) =>
        (await import('./commands/referrals')).referralsRevoke(t, [c, code], !!f.json),
      ),
    );

  hearth
    .command('leaderboard <community>')
    .description('the top 20 by points')
    .option('--week <week>', `the week, ${WEEK} (default: this week)`)
    .action(
      action(async (t, f, c: string) =>
        (await import('./commands/standing')).leaderboardCommand(t, [c], f.week, !!f.json),
      ),
    );
  hearth
    .command('tiers <community>')
    .description('how many members hold each tier; promoted and demoted')
    .option('--week <week>', `the week, ${WEEK} (default: this week)`)
    .action(
      action(async (t, f, c: string) => (await import('./commands/standing')).tiersCommand(t, [c], f.week, !!f.json)),
    );

  const calendar = hearth
    .command('calendar')
    .description('the operations calendar: scheduled posts and check-in challenges');
  calendar
    .command('list <community>', { isDefault: true })
    .description('the entries')
    .action(action(async (t, f, c: string) => (await import('./commands/calendar')).calendarList(t, c, !!f.json)));
  calendar
    .command('preview <community>')
    .description('the next posts, with their local and UTC times')
    .option('--from <time>', 'an ISO 8601 time (default: now)')
    .option('--next <n>', 'how many (default 10)')
    .action(
      action(async (t, f, c: string) =>
        (await import('./commands/calendar')).calendarPreview(t, c, { from: f.from, next: f.next }, !!f.json),
      ),
    );
  calendar
    .command('add <community>')
    .description('an entry: one post (--at) or a recurrence (--rrule with --start)')
    .requiredOption('--id <entry>', 'its id: lowercase letters, digits and dashes')
    .requiredOption('--template <name>', "the text posted: one of the community's own templates")
    .option('--at <local>', "one post at this local date-time, YYYY-MM-DDTHH:mm (the community's zone)")
    .option('--rrule <rule>', 'an RFC 5545 RRULE with BYHOUR, such as FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0')
    .option('--start <day>', 'the local day the rule applies from, YYYY-MM-DD')
    .option('--skip <days>', 'local days it posts nothing, comma-separated')
    .option('--until <day>', 'the last local day it may post on')
    .option('--channel <channel>', "the channel (default: the platform's default)")
    .option('--owner <name>', 'the operator responsible, named in the digest')
    .option('--reminders <offsets>', 'a campaign: reminders before the one post (--at), such as -P1D,-PT1H')
    .option('--reminder-template <name>', "the reminders' text (default: the post's)")
    .action(action(async (t, f, c: string) => (await import('./commands/calendar')).calendarAdd(t, c, f, !!f.json)));
  calendar
    .command('remove <community> <entry>')
    .description('an entry, and its posts not yet sent')
    .action(
      action(async (t, f, c: string, e: string) =>
        (await import('./commands/calendar')).calendarRemove(t, c, e, !!f.json),
      ),
    );

  const challenge = calendar.command('challenge').description('check-in challenges (/checkin once a day)');
  challenge
    .command('show <community> <challenge>', { isDefault: true })
    .description('participants, completion and the longest streaks')
    .action(
      action(async (t, f, c: string, id: string) =>
        (await import('./commands/calendar')).challengeShow(t, c, id, !!f.json),
      ),
    );
  challenge
    .command('add <community>')
    .description('a challenge: members check in once a local day for --days days')
    .requiredOption('--id <challenge>', 'its id: lowercase letters, digits and dashes')
    .requiredOption('--start <day>', 'its first local day, YYYY-MM-DD')
    .requiredOption('--days <n>', 'how many days it runs (1 to 60)')
    .option('--hour <h>', 'the local hour of the daily prompt (default 9)')
    .option('--keyword <word>', 'a word that checks in when a message holds it, besides /checkin')
    .option('--channel <channel>', "the prompts' channel (default: the platform's default)")
    .option('--owner <name>', 'the operator responsible, named in the digest')
    .option('--points <n>', 'points for completing it (default 50)')
    .option('--template <name>', 'the prompt text (default challenge.prompt)')
    .action(action(async (t, f, c: string) => (await import('./commands/calendar')).challengeAdd(t, c, f, !!f.json)));
  challenge
    .command('remove <community> <challenge>')
    .description('a challenge, and its prompts not yet sent')
    .action(
      action(async (t, f, c: string, id: string) =>
        (await import('./commands/calendar')).challengeRemove(t, c, id, !!f.json),
      ),
    );

  hearth
    .command('digest')
    .description('the KPI digest')
    .command('preview')
    .description("a period's numbers (default: last week), sent to no one")
    .requiredOption('--community <id>', 'the community')
    .option('--week <week>', `a week, ${WEEK}`)
    .option('--month <month>', 'a month, YYYY-MM')
    .option('--quarter <quarter>', 'a quarter, YYYY-Qn')
    .option('--out <file.html>', 'write the HTML here')
    .option('--eml <file.eml>', 'write the whole message here')
    .action(
      action(async (t, f) =>
        (await import('./commands/digest')).digestPreview(
          t,
          f.community,
          { week: f.week, month: f.month, quarter: f.quarter },
          { out: f.out, eml: f.eml },
          !!f.json,
        ),
      ),
    );

  hearth
    .command('run <job>')
    .description('one scheduled job as if it were that time (hearth run --help names the jobs)')
    .option('--at <time>', 'an ISO 8601 time (default: now)')
    .addHelpText('after', () => `\nJobs: ${jobNames()}`)
    .action(action(async (t, f, job: string) => (await import('./commands/run')).runJob(t, job, f.at, !!f.json)));

  hearth
    .command('migrate')
    .description('move a table written by a version before the per-community layout to it (idempotent)')
    .option('--dry-run', 'count what would move, change nothing')
    .action(action(async (t, f) => (await import('./commands/migrate')).migrateCommand(t, !!f.dryRun, !!f.json)));

  const outbox = hearth.command('outbox').description('what Hearth has decided to send');
  outbox
    .command('list', { isDefault: true })
    .description('the outbox, newest first (the default: hearth outbox)')
    .option('--community <id>', 'one community (default: every one)')
    .option('--status <status>', 'pending, sent, failed or skipped')
    .action(
      action(async (t, f) =>
        (await import('./commands/outbox')).outboxList(t, { community: f.community, status: f.status }, !!f.json),
      ),
    );
  outbox
    .command('retry <id>')
    .description('send a failed item again')
    .action(action(async (t, f, id: string) => (await import('./commands/outbox')).outboxRetry(t, id, !!f.json)));

  hearth
    .command('mail')
    .description('operator email')
    .command('test <community>')
    .description("send a test email to the community's operators")
    .action(action(async (t, f, c: string) => (await import('./commands/mail')).mailTest(t, c, !!f.json)));

  hearth
    .command('post <community> [event.json]')
    .description('sign an event (default: a sample join) and post it to the local stack')
    .option('--url <base>', 'the webhook base (default: the running stack)')
    .action(
      action(async (t, f, c: string, file: string | undefined) =>
        (await import('./commands/post')).post(t, file ? [c, file] : [c], f.url, !!f.json),
      ),
    );

  hearth
    .command('discord-relay')
    .description(
      'hold the Discord Gateway and forward joins, leaves, messages and reactions to the generic webhook until SIGINT/SIGTERM',
    )
    .requiredOption('--community <id>', 'the community')
    .option('--url <base>', "Hearth's base URL (default: the running stack)")
    .option('--api-base-url <url>', "Discord's API (default: discord.com's)")
    .option('--register-commands', 'register the slash commands and exit')
    .action(async (_options: unknown, command: Command) => {
      const f = command.optsWithGlobals<Flags>();
      const { discordRelay } = await import('./commands/discord-relay');
      const { openTarget } = await import('./target');
      // Long-running: it opens the target only to read the config, and closes it before relaying.
      const flags = { community: f.community, url: f.url, apiBaseUrl: f.apiBaseUrl };
      await discordRelay(openTarget, { ...flags, registerCommands: f.registerCommands }, !!f.json);
    });

  return hearth;
}

/** The job names, for `run --help`: read only when that help is shown (the registry is the heavy part). */
let jobs: string | undefined;
const jobNames = () => jobs ?? 'hearth run --help names them';

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

async function main(argv: string[]): Promise<void> {
  // stdout is the command's output; the handlers' log lines, at any level, go to stderr.
  logToStderr();
  const asksRunHelp =
    argv[0] === 'help' ? argv[1] === 'run' : argv[0] === 'run' && /^(-h|--help)$/.test(argv[1] ?? '-h');
  if (asksRunHelp) jobs = (await import('../shared/workflows/jobs')).JOBS.join(', ');
  try {
    await program().parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help or the version, asked for and printed.
      if (error.exitCode === 0) return;
      // A command group without its subcommand: its help is on stderr already.
      if (error.code === 'commander.help') throw new UsageError('a subcommand is needed (see the help above)');
      throw new UsageError(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  const { DataFolderInUseError } = await import('../infra/local/dynamo');
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
