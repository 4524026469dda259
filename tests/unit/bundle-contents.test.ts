import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/topology';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Packages that once sat in a Lambda bundle and have no business there (see the README's bundle figures):
 * each was replaced by a smaller part or kept to local code. `bench:bundles` measures sizes; this only
 * says which inputs a function's bundle may never hold, so a stray import fails here, not in a report.
 */
const NEVER = [
  { pattern: /node_modules\/nodemailer\//, why: 'MIME is built by SES (shared/mail/ses.ts); nodemailer is local only' },
  { pattern: /node_modules\/luxon\//, why: 'time zones come from date-fns with @date-fns/tz' },
  { pattern: /node_modules\/fast-xml-parser\//, why: "WeCom's XML is read by @rgrove/parse-xml" },
  { pattern: /node_modules\/zod\/v4\/classic\//, why: 'schemas use zod/mini' },
  { pattern: /^infra\/local\//, why: 'the local stand-ins are not deployed' },
];

describe('Lambda bundles', () => {
  it.each(FUNCTIONS.map((fn) => [fn.name, fn.entry]))(
    '%s holds none of the parts kept out of Lambdas',
    async (name, entry) => {
      // Act: the inputs esbuild bundles for the function, as the stack bundles it (ESM, node, module first).
      const result = await build({
        entryPoints: [join(ROOT, entry)],
        absWorkingDir: ROOT,
        bundle: true,
        write: false,
        metafile: true,
        format: 'esm',
        platform: 'node',
        target: 'node22',
        mainFields: ['module', 'main'],
        outfile: 'out.mjs',
        logLevel: 'silent',
      });
      // What the bundle holds: the inputs that put code in it (one tree-shaken to nothing is not held).
      const inputs = Object.values(result.metafile.outputs).flatMap((output) =>
        Object.entries(output.inputs)
          .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
          .map(([input]) => input),
      );

      // Assess
      expect(inputs.some((input) => input.startsWith('shared/'))).toBe(true);
      const found = NEVER.flatMap(({ pattern, why }) =>
        inputs.filter((input) => pattern.test(input)).map((input) => `${input}: ${why}`),
      );
      expect(found).toEqual([]);
      // The jobs' bodies (and what only they use) are the sweeps function's alone.
      expect(inputs.includes('shared/workflows/job-runs.ts')).toBe(name === 'sweeps');
      // A kind's own delivery (the digest's email, its renderer and the numbers behind it) is the dispatcher's.
      expect(inputs.includes('shared/workflows/kind-deliveries.ts')).toBe(name === 'dispatcher');
      expect(inputs.includes('shared/workflows/digest/email.ts')).toBe(name === 'dispatcher');
      // The calendar's recurrence library (some 180 KB) is the sweeps': only its job reads a rule.
      expect(inputs.some((input) => input.includes('node_modules/rrule-temporal/'))).toBe(name === 'sweeps');
    },
  );
});
