import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/**
 * Secrets in a config are literals (local runs) or `ssm:<parameter name>`
 * references (AWS), resolved here and cached for a few minutes. A reference
 * outside the allowed prefix is refused before any call is made.
 */
export interface SecretResolver {
  resolve(value: string): Promise<string>;
}

export const SSM_PREFIX = 'ssm:';
/** Where the stack lets its functions read parameters, and where `ssm:` references must point. */
export const SECRETS_PARAMETER_PREFIX = '/hearth/';

/** Resolves only literals; a reference is an error (the local runtime). */
export const literalSecrets: SecretResolver = {
  async resolve(value) {
    if (value.startsWith(SSM_PREFIX))
      throw new Error('SSM secret references need AWS (set the secret literally locally)');
    return value;
  },
};

/** Resolves `ssm:` references from Parameter Store under `prefix`, caching each for `ttlMs`. */
export class SsmSecrets implements SecretResolver {
  private readonly cache = new Map<string, { value: string; expires: number }>();

  constructor(
    private readonly prefix: string,
    private readonly client: SSMClient = new SSMClient({}),
    private readonly ttlMs = 300_000,
  ) {}

  async resolve(value: string): Promise<string> {
    if (!value.startsWith(SSM_PREFIX)) return value;
    const name = value.slice(SSM_PREFIX.length);
    if (!name.startsWith(this.prefix)) throw new Error(`secret parameter must be under ${this.prefix}`);
    const hit = this.cache.get(name);
    if (hit && hit.expires > Date.now()) return hit.value;
    const result = await this.client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const secret = result.Parameter?.Value;
    if (!secret) throw new Error(`secret parameter ${name} is empty`);
    this.cache.set(name, { value: secret, expires: Date.now() + this.ttlMs });
    return secret;
  }
}
