import type { CommunityConfig } from '../domain/config';
import { commandIn } from '../domain/events';
import { operatorLocale } from '../domain/locale';
import type * as z from '../domain/zod';
import type { DomainEventType } from '../events/domain-events';
import { birthdays } from './birthdays';
import { calendar } from './calendar';
import { commands } from './commands';
import type {
  CommandTaker,
  ConfigIssue,
  KindRules,
  Reaction,
  TemplateDefinition,
  VariableSource,
  Workflow,
  WorkflowJob,
} from './contract';
import { digest } from './digest';
import { occasions } from './occasions';
import { onboarding } from './onboarding';
import { referrals } from './referrals';
import { standing } from './standing';
import { winback } from './winback';

/**
 * Every workflow, one entry per folder (`shared/workflows/<name>/`, see
 * docs/architecture.md). The config schema, the template table, the
 * dispatcher's delivery rules, the lifecycle handler, the sweeps, the
 * topology's jobs, schedules and event rules, and `hearth run` are all built
 * from this list.
 */
export const WORKFLOWS = [
  onboarding,
  birthdays,
  winback,
  occasions,
  commands,
  referrals,
  standing,
  digest,
  calendar,
] as const;

type Sections = UnionToIntersection<NonNullable<(typeof WORKFLOWS)[number]['sections']>>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Each workflow's entries of one kind, merged; a name two workflows both claim is a mistake caught at load. */
function merged<T>(what: string, pick: (workflow: Workflow) => Readonly<Record<string, T>> | undefined) {
  const all: Record<string, T> = {};
  const owner: Record<string, string> = {};
  for (const workflow of WORKFLOWS as readonly Workflow[]) {
    for (const [name, entry] of Object.entries(pick(workflow) ?? {})) {
      if (owner[name]) throw new Error(`${what} "${name}" is claimed by ${owner[name]} and ${workflow.name}`);
      owner[name] = workflow.name;
      all[name] = entry;
    }
  }
  return all;
}

/** The config sections the workflows own, by key, for the config schema. */
export const CONFIG_SECTIONS = merged<z.ZodMiniType>('config section', (w) => w.sections) as Sections;

/** The shipped templates, by name. */
export const TEMPLATE_DEFINITIONS: Readonly<Record<string, TemplateDefinition>> = merged(
  'template',
  (w) => w.templates,
);

/** Variables one workflow supplies to any text that uses them. */
export const VARIABLE_SOURCES: Readonly<Record<string, VariableSource>> = merged('variable', (w) => w.variables);

/** What a community's own templates may use. */
export const CUSTOM_TEMPLATE_VARIABLES: readonly string[] = [
  ...new Set((WORKFLOWS as readonly Workflow[]).flatMap((w) => w.customTemplateVars ?? [])),
];

/** The outbox kinds and their delivery rules. */
const KINDS: Readonly<Record<string, KindRules>> = merged('outbox kind', (w) => w.kinds);

/** Every outbox kind a workflow registers. */
export const OUTBOX_KINDS: readonly string[] = Object.keys(KINDS);

/** The delivery rules of an outbox kind; undefined for a kind no workflow registers. */
export const kindRules = (kind: string): KindRules | undefined =>
  Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;

/** What operators' reports call a kind's sends in `locale` (Chinese for any `zh` locale, else English); a kind no workflow registers, by its name. */
export function kindLabel(kind: string, locale: string): string {
  const rules = kindRules(kind);
  return rules ? rules.label[operatorLocale(locale)] : kind;
}

/** The kinds whose parked failures raise an alarm in AWS. */
export const ALARMED_KINDS: readonly string[] = OUTBOX_KINDS.filter((kind) => KINDS[kind].alarmWhenParked);

/** The kinds whose sends' responses are counted, each with its rule for whether a community's are. */
const WATCHED = OUTBOX_KINDS.flatMap((kind) => KINDS[kind].watched ?? []);

/** Whether some kind's sends to this community are watched (`KindRules.watched`): the webhook counts responses. */
export const watchesSends = (config: CommunityConfig): boolean => WATCHED.some((watched) => watched(config));

/** The kinds a member leaving cancels. */
export const CANCELLED_ON_LEAVE: readonly string[] = OUTBOX_KINDS.filter((kind) => KINDS[kind].cancelledOnLeave);

/** The workflows' scheduled jobs. */
export const WORKFLOW_JOBS: readonly WorkflowJob[] = Object.values(merged('job', (w) => jobsByName(w)));
function jobsByName(workflow: Workflow): Record<string, WorkflowJob> {
  return Object.fromEntries((workflow.jobs ?? []).map((job) => [job.name, job]));
}

/** The workflows' reactions to one domain event type, by workflow name. */
export function reactionsTo(type: DomainEventType): Array<[string, Reaction]> {
  return (WORKFLOWS as readonly Workflow[]).flatMap((w) => {
    const reaction = w.on?.[type];
    return reaction ? [[w.name, reaction] as [string, Reaction]] : [];
  });
}

/**
 * Answer `event` if it is a member command some workflow takes; whether it was one. A command is
 * answered first: answering again is harmless, so a retry of a delivery that failed after this point still
 * gets its answer, and a duplicate gets none (the reply's id is taken).
 */
export async function answerCommand(...[db, community, event, options]: Parameters<CommandTaker>): Promise<boolean> {
  // A command a workflow declares as its own (`/checkin`, `/hearth checkin`) goes to it before the others.
  const command = event.type === 'message.posted' ? commandIn(event.text) : undefined;
  const name = command?.name === 'hearth' ? command.args[0]?.toLowerCase() : command?.name;
  const owner = name && Object.hasOwn(COMMAND_OWNERS, name) ? COMMAND_OWNERS[name] : undefined;
  const order = owner ? [owner, ...(WORKFLOWS as readonly Workflow[]).filter((w) => w !== owner)] : WORKFLOWS;
  const taken = { ...options, memberCommands: Object.keys(MEMBER_COMMANDS) };
  for (const workflow of order as readonly Workflow[]) {
    if (await workflow.commands?.(db, community, event, taken)) return true;
  }
  return false;
}

/** The commands workflows declare beyond the `commands` workflow's own, with their menu descriptions. */
export const MEMBER_COMMANDS: Readonly<Record<string, string>> = merged('member command', (w) => w.memberCommands);

/** The workflow that declares each of {@link MEMBER_COMMANDS}. */
const COMMAND_OWNERS: Readonly<Record<string, Workflow>> = Object.fromEntries(
  (WORKFLOWS as readonly Workflow[]).flatMap((w) => Object.keys(w.memberCommands ?? {}).map((name) => [name, w])),
);

/** The domain event types some workflow reacts to. */
export const REACTED_TO: readonly DomainEventType[] = [
  ...new Set((WORKFLOWS as readonly Workflow[]).flatMap((w) => Object.keys(w.on ?? {}) as DomainEventType[])),
];

/** After how many days of silence a member's first activity is a return (the smallest any workflow asks). */
export function quietSpellDays(config: CommunityConfig): number | undefined {
  const days = (WORKFLOWS as readonly Workflow[]).flatMap((w) => w.quietSpellDays?.(config) ?? []);
  return days.length ? Math.min(...days) : undefined;
}

/** Every workflow's own checks across the config. */
export function checkWorkflows(config: CommunityConfig, issue: ConfigIssue): void {
  const shipped = (template: string) => Object.hasOwn(TEMPLATE_DEFINITIONS, template);
  for (const workflow of WORKFLOWS as readonly Workflow[]) workflow.check?.(config, issue, shipped);
}
