import * as z from 'zod';
import { platformConfigSchema } from '../platforms/registry';
import { closestLocale, isShippedTemplate, isStepTemplate, templateProblems } from './templates';
import { describeZodError, firstZodPath, idSchema, secretSchema, timeZoneSchema, urlSchema } from './validation';

/**
 * A community's configuration. Every section has defaults, so the minimal
 * config in docs/contract.md is whole and valid. A secret may be given as a
 * literal (local runs) or as `ssm:<parameter name>` (AWS), resolved at runtime.
 */

const secret = secretSchema;
const url = urlSchema;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');
const delivery = z.enum(['channel', 'dm']);

const localeSchema = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a locale such as en or zh-CN');
const templateNameSchema = z
  .string()
  .regex(
    /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/,
    'must be a template name such as welcome or onboarding.introduce',
  );

/** One drip step: a message `afterDays` days after the join. */
const stepSchema = z.strictObject({
  afterDays: z.number().int().min(1).max(90),
  /** A shipped template (`onboarding.introduce`, `onboarding.thisWeek`) or one of the community's `templates`. */
  template: templateNameSchema,
});

const onboardingSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    delivery: delivery.default('channel'),
    /** Channel for channel delivery; absent means the platform's default channel. */
    channel: z.string().min(1).optional(),
    rulesUrl: url.optional(),
    /** What the community is for, in a sentence; the welcome says it. */
    about: z.string().min(1).max(500).optional(),
    /** The drip after the welcome. */
    steps: z
      .array(stepSchema)
      .max(10)
      .default([
        { afterDays: 1, template: 'onboarding.introduce' },
        { afterDays: 3, template: 'onboarding.thisWeek' },
      ])
      .refine((steps) => steps.every((s, i) => i === 0 || s.afterDays > steps[i - 1].afterDays), {
        message: 'afterDays must be increasing',
      }),
    /** A member who joins again within this many days of their last welcome is not onboarded again. */
    restartAfterDays: z.number().int().min(0).max(90).default(30),
  })
  .prefault({});

const birthdaysSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** The local hour (the member's time zone, else the community's) the greeting is due. */
    hour: z.number().int().min(0).max(23).default(9),
    delivery: z.enum(['channel', 'dm', 'both']).default('channel'),
    /** Channel for the channel greeting; absent means the platform's default channel. */
    channel: z.string().min(1).optional(),
  })
  .prefault({});

const winbackSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Days of silence for each rung; the first also defines a "quiet spell". */
    ladderDays: z
      .array(z.number().int().min(1).max(365))
      .min(1)
      .default([14, 30])
      .refine((days) => days.every((d, i) => i === 0 || d > days[i - 1]), 'must be increasing'),
    /** The local hour (the member's time zone, else the community's) a win-back is due. */
    hour: z.number().int().min(0).max(23).default(10),
    /** A word to a quiet member goes privately by default. */
    delivery: delivery.default('dm'),
    channel: z.string().min(1).optional(),
  })
  .prefault({});

/** No automated message starts in this window of the member's local time; equal start and end turn it off. */
const quietHoursSchema = z.strictObject({ start: hhmm.default('22:00'), end: hhmm.default('08:00') }).prefault({});

const capsSchema = z
  .strictObject({ perDay: z.number().int().min(1).default(1), perWeek: z.number().int().min(1).default(3) })
  .prefault({});

const digestSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** ISO weekday: 1 = Monday. */
    weekday: z.number().int().min(1).max(7).default(1),
    hour: z.number().int().min(0).max(23).default(9),
  })
  .prefault({});

const referralsSchema = z
  .strictObject({
    /** The link a member shares (`/invite`), with `{code}` where their code goes. */
    linkTemplate: url.refine((link) => link.includes('{code}'), 'must contain {code}').optional(),
  })
  .prefault({});

const targetsSchema = z
  .strictObject({
    wau: z.number().int().min(0).optional(),
    stickiness: z.number().min(0).max(1).optional(),
    activation: z.number().min(0).max(1).optional(),
  })
  .prefault({});

export const communityConfigSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(200),
  timezone: timeZoneSchema,
  locale: localeSchema.default('en'),
  operators: z.array(z.email()).default([]),
  webhookSecret: secret.min(8),
  platform: platformConfigSchema,
  onboarding: onboardingSchema,
  birthdays: birthdaysSchema,
  winback: winbackSchema,
  quietHours: quietHoursSchema,
  caps: capsSchema,
  digest: digestSchema,
  referrals: referralsSchema,
  targets: targetsSchema,
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

/** Checks across sections: every template a step names exists, and every variable a template uses is known. */
const checkedConfigSchema = communityConfigSchema.superRefine((config, ctx) => {
  // A community's own step template must exist in (or close to) its locale, so every member can be sent it.
  const own = closestLocale(config.locale, Object.keys(config.templates));
  config.onboarding.steps.forEach((step, i) => {
    const path = ['onboarding', 'steps', i, 'template'];
    const written = own !== undefined && config.templates[own][step.template] !== undefined;
    if (!isStepTemplate(step.template)) {
      ctx.addIssue({ code: 'custom', path, message: `"${step.template}" is not a drip template` });
    } else if (!isShippedTemplate(step.template) && !written) {
      const message = `no template "${step.template}": write it under templates.${config.locale}`;
      ctx.addIssue({ code: 'custom', path, message });
    }
  });
  // A greeting due inside quiet hours that last past midnight would wait past the birthday, every year.
  const [start, end] = [config.quietHours.start, config.quietHours.end].map(
    (t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)),
  );
  if (start > end && config.birthdays.enabled && config.birthdays.hour * 60 >= start) {
    ctx.addIssue({
      code: 'custom',
      path: ['birthdays', 'hour'],
      message: `falls in quiet hours (${config.quietHours.start}–${config.quietHours.end}), so no greeting could go on the day`,
    });
  }
  const configured = { rulesUrl: !!config.onboarding.rulesUrl, inviteLink: !!config.referrals.linkTemplate };
  for (const [path, message] of templateProblems(config.templates, configured)) {
    ctx.addIssue({ code: 'custom', path, message });
  }
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
