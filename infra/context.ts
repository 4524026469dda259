/**
 * The CDK context of `cdk.json`: every feature flag CDK recommends for a new
 * project (aws-cdk-lib's recommended-feature-flags.json), at its recommended
 * value. The CLI hands it to `infra/app.ts`; tests build their App with it,
 * so what they assert is what `cdk synth` produces.
 */
import { readFileSync } from 'node:fs';

export const CDK_CONTEXT: Readonly<Record<string, unknown>> = JSON.parse(
  readFileSync(new URL('../cdk.json', import.meta.url), 'utf8'),
).context;
