/**
 * The CDK app: `npx cdk synth` (or `npm run synth`) runs it through `cdk.json`. Environment-agnostic, so it
 * synthesizes offline with no credentials. `-c bundle=false` skips esbuild and deploys placeholder handlers.
 * cdk-nag's AwsSolutions pack checks every resource: an unsuppressed finding is an error and fails the synth;
 * each acknowledgement names its reason where the resource is made.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HearthStack } from './stack';

const app = new App();
const bundleContext: unknown = app.node.tryGetContext('bundle');
new HearthStack(app, 'Hearth', {
  description: 'Hearth: community-operations autopilot',
  bundle: bundleContext !== false && bundleContext !== 'false',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
