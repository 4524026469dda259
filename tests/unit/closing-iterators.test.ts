import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { closeIteratorsAtTheirEnd } from '../../infra/local/closing-iterators.mjs';

/**
 * The engine's iterators close themselves (infra/local/closing-iterators.mjs): dynalite never closes the
 * ones it reads a Query or a Scan through, and each open one held native memory.
 */
describe('Function: closeIteratorsAtTheirEnd', () => {
  closeIteratorsAtTheirEnd(MemoryLevel);

  async function filled() {
    const db = new MemoryLevel<string, string>();
    await db.batch(['a', 'b', 'c'].map((key) => ({ type: 'put' as const, key, value: key.toUpperCase() })));
    return db;
  }

  it('closes a values iterator read to its end, so reading on is an error', async () => {
    const db = await filled();
    const iterator = db.values();
    const read: Array<string | undefined> = [];
    for (let i = 0; i < 4; i++) read.push(await iterator.next());
    expect(read).toEqual(['A', 'B', 'C', undefined]);
    await expect(iterator.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
  });

  it('gives keys iterators the return() dynalite calls on an early stop, and it closes them', async () => {
    const db = await filled();
    const iterator = db.keys() as ReturnType<MemoryLevel['keys']> & { return: () => Promise<unknown> };
    expect(await iterator.next()).toBe('a');
    await iterator.return();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
  });

  it('leaves an iterator not yet at its end open', async () => {
    const db = await filled();
    const iterator = db.iterator();
    expect(await iterator.next()).toEqual(['a', 'A']);
    expect(await iterator.next()).toEqual(['b', 'B']);
    await iterator.close();
  });
});
