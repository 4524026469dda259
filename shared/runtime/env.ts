/**
 * Environment variables a Lambda reads, named once. Each is read at load and a
 * missing required one fails fast with its name.
 */

export const ENV = {
  /** The DynamoDB table. */
  table: 'TABLE_NAME',
  /** The EventBridge bus domain events go to. */
  bus: 'EVENT_BUS_NAME',
  /** SSM Parameter Store path prefix under which community secrets live (e.g. `/hearth/`). */
  secretsPrefix: 'SECRETS_PARAMETER_PREFIX',
  /** The verified SES sender for operator email. */
  mailFrom: 'MAIL_FROM',
  /** The SQS queue a sweep's fan-out sends one message per community to (unset: a sweep runs every community). */
  sweepQueue: 'SWEEP_QUEUE_URL',
  /** Optional DynamoDB endpoint (the local runtime, DynamoDB Local). */
  dynamoEndpoint: 'DYNAMODB_ENDPOINT',
} as const;

/** A required variable's value, or an error naming it. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is required`);
  return value;
}

/** An optional variable's value. */
export function optionalEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
