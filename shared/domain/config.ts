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
import * as z from './zod';

/**
 * A community's configuration. Every section has defaults, so the minimal
 * config in docs/contract.md is whole and valid. A secret may be given as a
 * literal (local runs) or as `ssm:<parameter name>` (AWS), resolved at runtime.
 * The community's own fields and the guardrails are here; each workflow's
 * section comes from its folder, through the registry (docs/architecture.md).
 */

const localeSchema = z
  .string()
  .check(z.regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a locale such as en or zh-CN'));

/** No automated message starts in this window of the member's local time; equal start and end turn it off. */
const quietHoursSchema = z.prefault(
  z.strictObject({ start: z._default(hhmmSchema, '22:00'), end: z._default(hhmmSchema, '08:00') }),
  {},
);

const capsSchema = z.prefault(
  z.strictObject({
    perDay: z._default(z.number().check(z.int(), z.minimum(1)), 1),
    perWeek: z._default(z.number().check(z.int(), z.minimum(1)), 3),
  }),
  {},
);

export const communityConfigSchema = z.strictObject({
  id: idSchema,
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  timezone: timeZoneSchema,
  locale: z._default(localeSchema, 'en'),
  operators: z._default(z.array(z.email()), []),
  webhookSecret: secretSchema.check(z.minLength(8)),
  platform: platformConfigSchema,
  ...CONFIG_SECTIONS,
  quietHours: quietHoursSchema,
  caps: capsSchema,
  /**
   * When a DM cannot be delivered (a Telegram user who never started the bot, a Discord user who closed
   * DMs), post it in the community's channel with a mention instead; false parks it as failed.
   */
  dmFallbackToChannel: z._default(z.boolean(), true),
  /** Record what would be sent without sending it. */
  dryRun: z._default(z.boolean(), false),
  /** The community's own texts, by locale and template name; they replace Hearth's. */
  templates: z._default(
    z.record(localeSchema, z.record(templateNameSchema, z.string().check(z.minLength(1), z.maxLength(4000)))),
    {},
  ),
});

/** Checks across sections: each workflow's own, and every variable a community's text uses is known and configured. */
const checkedConfigSchema = communityConfigSchema.check(
  z.superRefine((config, ctx) => {
    const issue = (path: readonly (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path: [...path], message });
    checkWorkflows(config, issue);
    for (const [path, message] of templateProblems(config)) issue(path, message);
  }),
);

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
