import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, SCHEDULES } from '../../infra/topology';
import { COMMAND_NAMES } from '../../shared/domain/commands';
import { parseCommunityConfig } from '../../shared/domain/config';
import { DOMAIN_EVENT_TYPES } from '../../shared/events/domain-events';
import { JOB_RUNS_BY_WORKFLOW, jobRun, jobRuns } from '../../shared/workflows/job-runs';
import { JOBS } from '../../shared/workflows/jobs';
import { deliveryOf, KIND_DELIVERIES_BY_WORKFLOW } from '../../shared/workflows/kind-deliveries';
import {
  CANCELLED_ON_LEAVE,
  CONFIG_SECTIONS,
  kindLabel,
  kindRules,
  MEMBER_COMMANDS,
  OUTBOX_KINDS,
  REACTED_TO,
  TEMPLATE_DEFINITIONS,
  WORKFLOW_JOBS,
  WORKFLOWS,
} from '../../shared/workflows/registry';

const ROOT = join(import.meta.dirname, '../..');
const folder = join(ROOT, 'shared/workflows');

/** The machinery that must never name a workflow or a kind: it reads the registry. */
const MACHINERY = [
  'shared/workflows/dispatch.ts',
  'shared/workflows/react.ts',
  'shared/workflows/handlers.ts',
  'shared/workflows/jobs.ts',
  'shared/workflows/kind-deliveries.ts',
  'shared/store/ingest.ts',
  'shared/store/outbox.ts',
  'shared/webhook/pipeline.ts',
  'shared/domain/config.ts',
  'shared/domain/templates.ts',
  'infra/topology.ts',
  'infra/local/functions.ts',
  'cli/commands/run.ts',
];

describe('Module: shared/workflows/registry', () => {
  it('registers exactly the workflow folders, each once', () => {
    // Arrange
    const folders = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);

    // Assess
    expect(WORKFLOWS.map((w) => w.name).sort()).toEqual(folders.sort());
  });

  it('schedules every job that has a cadence, and hearth run knows every job', () => {
    // Assess
    const scheduled = SCHEDULES.map((s) => s.job).sort();
    const withCadence = ['dispatch', ...WORKFLOW_JOBS.filter((j) => j.cadence).map((j) => j.name)].sort();
    expect(scheduled).toEqual(withCadence);
    expect([...JOBS].sort()).toEqual(['dispatch', ...WORKFLOW_JOBS.map((j) => j.name)].sort());
    expect(JOBS).toEqual(expect.arrayContaining(['anniversaries', 'holidays']));
  });

  it('gives every declared job exactly one body, from the workflow that declares it', () => {
    // Assess: the bodies (job-runs.ts) and the declarations (each workflow's index.ts) name the same jobs.
    expect([...jobRuns().keys()].sort()).toEqual(WORKFLOW_JOBS.map((j) => j.name).sort());
    for (const workflow of WORKFLOWS) {
      const declared = (workflow.jobs ?? []).map((j) => j.name).sort();
      expect(Object.keys(JOB_RUNS_BY_WORKFLOW[workflow.name] ?? {}).sort(), workflow.name).toEqual(declared);
    }
    expect(() => jobRun('dispatch')).toThrow('no sweep for job dispatch');
  });

  it('gives every kind declared delivered its own way exactly one delivery, from its workflow, and no other kind one', () => {
    for (const workflow of WORKFLOWS) {
      // Assess: the bodies (kind-deliveries.ts) and the declarations (each kind's `delivered`) name the same kinds.
      const declared = Object.entries(workflow.kinds ?? {})
        .filter(([, rules]) => rules.delivered)
        .map(([kind]) => kind)
        .sort();
      expect(Object.keys(KIND_DELIVERIES_BY_WORKFLOW[workflow.name] ?? {}).sort(), workflow.name).toEqual(declared);
      for (const kind of declared) expect(deliveryOf(kind)).toBeTypeOf('function');
    }
    expect(Object.keys(KIND_DELIVERIES_BY_WORKFLOW).every((name) => WORKFLOWS.some((w) => w.name === name))).toBe(true);
    expect(() => deliveryOf('welcome')).toThrow('kind welcome is delivered its own way, but no workflow gives');
  });

  it("lists the commands workflows declare beyond the commands workflow's own, none of them one of those", () => {
    expect(MEMBER_COMMANDS).toEqual({ checkin: "Check in to today's challenge" });
    for (const name of Object.keys(MEMBER_COMMANDS)) expect(COMMAND_NAMES).not.toContain(name);
  });

  it('routes to the lifecycle function exactly the events some workflow reacts to, and leaves', () => {
    // Assess
    const routed = RULES.flatMap((rule) => rule.detailTypes);
    expect([...routed].sort()).toEqual(
      DOMAIN_EVENT_TYPES.filter((type) => type === 'member.left' || REACTED_TO.includes(type)).sort(),
    );
  });

  it('fills every section a workflow owns in a minimal config', () => {
    // Act
    const config = parseCommunityConfig({
      id: 'acme',
      name: 'Acme',
      timezone: 'UTC',
      webhookSecret: 'whsec_change_me',
      platform: { kind: 'generic' },
    });

    // Assess
    for (const section of Object.keys(CONFIG_SECTIONS)) expect(config).toHaveProperty(section);
  });

  it('gives every kind rules, and cancels on leave only kinds that a member was sent unasked', () => {
    // Assess
    for (const kind of OUTBOX_KINDS) expect(kindRules(kind)).toBeDefined();
    expect(kindRules('recognition')).toBeUndefined();
    expect([...CANCELLED_ON_LEAVE].sort()).toEqual(
      ['anniversary', 'birthday', 'holiday', 'level.up', 'onboarding', 'referral.thanks', 'welcome', 'winback'].sort(),
    );
    expect(kindRules('reply')).toMatchObject({ responsive: true, answer: true });
  });

  it('names every kind for the operators in each shipped locale, distinctly, and an unknown kind by its name', () => {
    // Assess
    for (const locale of ['en', 'zh-CN'] as const) {
      const labels = OUTBOX_KINDS.map((kind) => kindLabel(kind, locale));
      expect(new Set(labels).size, locale).toBe(OUTBOX_KINDS.length);
      for (const [i, label] of labels.entries()) expect(label, OUTBOX_KINDS[i]).not.toBe(OUTBOX_KINDS[i]);
    }
    expect(kindLabel('welcome', 'en')).toBe('Welcomes');
    expect(kindLabel('welcome', 'zh-TW')).toBe('欢迎消息');
    expect(kindLabel('recognition', 'zh-CN')).toBe('recognition');
  });

  it('ships a text for every kind that is sent without a template of its own', () => {
    // Assess: a drip step and a reply name their template; the rest are sent as their kind.
    for (const kind of ['welcome', 'birthday', 'winback', 'anniversary', 'holiday']) {
      expect(TEMPLATE_DEFINITIONS[kind], kind).toBeDefined();
    }
  });

  it.each(MACHINERY)('%s names no workflow and no outbox kind', (file) => {
    // Arrange
    const source = readFileSync(join(ROOT, file), 'utf8');
    const names = [...new Set([...WORKFLOWS.map((w) => w.name), ...OUTBOX_KINDS])];

    // Assess: not as a string literal (a branch or a list); a comment may name them in backquotes.
    for (const name of names) expect(source, name).not.toMatch(new RegExp(`['"]${name}['"]`));
  });
});
