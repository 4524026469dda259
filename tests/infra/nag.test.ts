import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CDK_CONTEXT } from '../../infra/context';
import { HearthStack } from '../../infra/stack';
import { FUNCTIONS, SCHEDULES } from '../../infra/topology';

/** One entry of CDK's validation report (cdk.out/validation-report.json). */
interface Violation {
  ruleName: string;
  violatingConstructs: Array<{ constructPath: string }>;
  reason?: string;
}
interface Report {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: Violation[];
    suppressedViolations?: Violation[];
  }>;
}

describe('cdk-nag AwsSolutions over HearthStack', () => {
  let outdir: string;
  let report: Report['pluginReports'][number];
  let error: unknown;

  beforeAll(() => {
    // Prepare: the app as infra/app.ts builds it, with cdk.json's context.
    outdir = mkdtempSync(join(tmpdir(), 'hearth-nag-'));
    const app = new App({ context: { ...CDK_CONTEXT }, outdir });
    new HearthStack(app, 'Hearth', { bundle: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    try {
      app.synth();
    } catch (caught) {
      error = caught;
    }
    const read = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Report;
    report = read.pluginReports.find((p) => p.pluginName === 'AwsSolutions') as Report['pluginReports'][number];
  });

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('finds nothing that is not acknowledged, so the synth passes', () => {
    // Assess
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingConstructs[0]?.constructPath}`)).toEqual([]);
    expect(report.conclusion).toBe('success');
    expect(error).toBeUndefined();
  });

  it('acknowledges only these findings, each with its reason', () => {
    // Prepare: what the stack chooses not to change, and why it cannot (the reasons live beside each resource).
    const expected = [
      ...FUNCTIONS.map(() => 'AwsSolutions-L1'),
      'AwsSolutions-APIG4',
      'AwsSolutions-APIG4',
      ...FUNCTIONS.filter((f) => f.tracing).map(() => 'AwsSolutions-IAM5[Resource::*]'),
      ...FUNCTIONS.filter((f) => f.access.includes('secrets:read')).flatMap(() => [
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/hearth/*]',
      ]),
      ...[...new Set(SCHEDULES.map((s) => s.target))].map(() => 'AwsSolutions-IAM5[Resource::<fn>.Arn>:*]'),
    ];

    // Act
    const suppressed = (report.suppressedViolations ?? []).flatMap((v) =>
      v.violatingConstructs.map(() => ({
        rule: v.ruleName.replace(/<[A-Za-z0-9]+\.Arn>:\*/, '<fn>.Arn>:*'),
        reason: v.reason ?? '',
      })),
    );

    // Assess
    expect(suppressed.map((s) => s.rule).sort()).toEqual(expected.sort());
    for (const { rule, reason } of suppressed) expect(reason.length, rule).toBeGreaterThan(40);
  });
});

describe('cdk.json', () => {
  it('sets every feature flag CDK recommends, at its recommended value', async () => {
    // Prepare
    const { default: recommended } = await import('aws-cdk-lib/recommended-feature-flags.json', {
      with: { type: 'json' },
    });

    // Assess
    for (const [flag, value] of Object.entries(recommended)) expect(CDK_CONTEXT[flag], flag).toEqual(value);
  });
});
