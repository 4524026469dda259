import * as z from 'zod';
import { platformConfigSchema } from '../platforms/registry';
import { CONFIG_SECTIONS, checkWorkflows } from '../workflows/registry';
import { templateProblems } from './templates';
import {
  describeZodError,
  firstZodPath,
  hhmmSchema,
  idSchema,
  secretSchema,
  templateNameSchema,
  timeZoneSchema,
} from './validation';

/**
 * A community's configuration. Every section has defaults, so the minimal
 * config in docs/contract.md is whole and valid. A secret may be given as a
 * literal (local runs) or as `ssm:<parameter name>` (AWS), resolved at runtime.
 * The community's own fields and the guardrails are here; each workflow's
 * section comes from its folder, through the registry (docs/architecture.md).
 */

const localeSchema = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a locale such as en or zh-CN');

/** No automated message starts in this window of the member's local time; equal start and end turn it off. */
const quietHoursSchema = z
  .strictObject({ start: hhmmSchema.default('22:00'), end: hhmmSchema.default('08:00') })
  .prefault({});

const capsSchema = z
  .strictObject({ perDay: z.number().int().min(1).default(1), perWeek: z.number().int().min(1).default(3) })
  .prefault({});

export const communityConfigSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(200),
  timezone: timeZoneSchema,
  locale: localeSchema.default('en'),
  operators: z.array(z.email()).default([]),
  webhookSecret: secretSchema.min(8),
  platform: platformConfigSchema,
  ...CONFIG_SECTIONS,
  quietHours: quietHoursSchema,
  caps: capsSchema,
  /**
   * When a DM cannot be delivered (a Telegram user who never started the bot, a Discord user who closed
   * DMs), post it in the community's channel with a mention instead; false parks it as failed.
   */
  dmFallbackToChannel: z.boolean().default(true),
  /** Record what would be sent without sending it. */
  dryRun: z.boolean().default(false),
  /** The community's own texts, by locale and template name; they replace Hearth's. */
  templates: z.record(localeSchema, z.record(templateNameSchema, z.string().min(1).max(4000))).default({}),
});

/** Checks across sections: each workflow's own, and every variable a community's text uses is known and configured. */
const checkedConfigSchema = communityConfigSchema.superRefine((config, ctx) => {
  const issue = (path: readonly (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path: [...path], message });
  checkWorkflows(config, issue);
  for (const [path, message] of templateProblems(config)) issue(path, message);
});

/** A validated community config with every default filled in. */
export type CommunityConfig = z.infer<typeof communityConfigSchema>;
/** The platform kinds a community can live on. */
export type PlatformKind = CommunityConfig['platform']['kind'];

/** Thrown for a config that does not validate; `path` names the first bad field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/** Validate a config (parsed JSON), filling defaults; throws ConfigError naming the bad field. */
export function parseCommunityConfig(input: unknown): CommunityConfig {
  const result = checkedConfigSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(describeZodError(result.error), firstZodPath(result.error));
  }
  return result.data;
}
