/**
 * The CDK app: `npx cdk synth` (or `npm run synth`) runs it through `cdk.json`. Environment-agnostic, so it
 * synthesizes offline with no credentials. `-c bundle=false` skips esbuild and deploys placeholder handlers.
 */
import { App } from 'aws-cdk-lib';
import { HearthStack } from './stack';

const app = new App();
const bundleContext: unknown = app.node.tryGetContext('bundle');
new HearthStack(app, 'Hearth', {
  description: 'Hearth: community-operations autopilot',
  bundle: bundleContext !== false && bundleContext !== 'false',
});
app.synth();
