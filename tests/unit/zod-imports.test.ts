import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every TypeScript file under `dir`. */
async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('zod in the Lambda code', () => {
  it('is imported as a namespace of zod/mini, never as its `z` object, which holds every schema kind', async () => {
    // Prepare: `import { z } from '…/zod'` bundles the whole of zod (some 430 KB minified, measured once when
    // a module did it) where `import * as z` lets esbuild keep only what is used (about 40 KB).
    const files = [...(await sources('shared')), ...(await sources('functions'))];

    // Act
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      if (/import\s*(type\s*)?\{[^}]*\bz\b[^}]*\}\s*from\s*'[^']*zod[^']*'/.test(text))
        offenders.push(relative(ROOT, file));
      if (/from\s*'zod(\/v4)?'/.test(text)) offenders.push(`${relative(ROOT, file)} (classic zod)`);
    }

    // Assess
    expect(files.length).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });
});
