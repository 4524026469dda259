import type { TestProject } from 'vitest/node';
import { startDynalite } from '../../infra/local/dynamo';

/**
 * One embedded DynamoDB (dynalite, in memory) for the whole run; each test file
 * makes its own table. With HEARTH_TEST_DYNAMODB_ENDPOINT set (the DynamoDB
 * Local conformance run) the tests use that engine instead.
 */
export default async function setup(project: TestProject) {
  const external = process.env.HEARTH_TEST_DYNAMODB_ENDPOINT;
  if (external) {
    project.provide('dynamoEndpoint', external);
    return;
  }
  const dynamo = await startDynalite();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
