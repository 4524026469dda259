import { readFile } from 'node:fs/promises';
import { ConfigError, parseCommunityConfig } from '../../shared/domain/config';
import { getCommunity, listCommunities, putCommunity } from '../../shared/store/communities';
import { UsageError } from '../errors';
import { maskSecrets, output, table } from '../output';
import type { Target } from '../target';

/** `community put <file.json>`: validate and store a config. */
export async function communityPut(target: Target, file: string | undefined, json: boolean): Promise<void> {
  if (!file) throw new UsageError('community put needs a file: hearth community put <file.json>');
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  let config: ReturnType<typeof parseCommunityConfig>;
  try {
    config = parseCommunityConfig(parsed);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`${file}: ${error.message}`, { field: error.path });
    throw error;
  }
  // What only the recurrence library can read (the CLI has it; the Lambdas but the sweeps do not).
  const refused = (await import('./calendar')).refusedRule(config);
  if (refused) throw new UsageError(`${file}: ${refused.message}`, { field: refused.field });
  await putCommunity(target.db, config, new Date());
  output(json, { stored: config.id }, () => `stored community ${config.id} (${config.name})`);
}

/** `community list`. */
export async function communityList(target: Target, json: boolean): Promise<void> {
  const communities = await listCommunities(target.db);
  output(
    json,
    communities.map((c) => ({
      id: c.id,
      name: c.name,
      platform: c.platform.kind,
      timezone: c.timezone,
      locale: c.locale,
    })),
    () =>
      communities.length
        ? table([
            ['ID', 'NAME', 'PLATFORM', 'TIMEZONE', 'LOCALE'],
            ...communities.map((c) => [c.id, c.name, c.platform.kind, c.timezone, c.locale]),
          ])
        : 'no communities yet: hearth community put <file.json>',
  );
}

/** `community show <id>`: the config with secrets masked. */
export async function communityShow(target: Target, id: string | undefined, json: boolean): Promise<void> {
  if (!id) throw new UsageError('community show needs an id: hearth community show <id>');
  const config = await getCommunity(target.db, id);
  if (!config) throw new UsageError(`no community "${id}"`);
  const masked = maskSecrets(config);
  output(json, masked, () => JSON.stringify(masked, null, 2));
}
