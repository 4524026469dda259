import * as fc from 'fast-check';

/**
 * Structure-aware fuzzing of request bodies: start from a body a platform
 * really sends and break it a few ways at once (a value replaced by a nasty
 * one, a key removed, a key added, an object nested absurdly deep), or send
 * something that is not that body at all. Used with valid signatures, so
 * every body reaches the parser.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Numbers a platform's parser may not expect: out of a Date's range as seconds or milliseconds (the largest
 * safe integers among them), unsafe, negative, fractional, 2100.
 */
const NASTY_NUMBERS = [
  8_640_000_000_001,
  8_640_000_000_000_001,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  0,
  -1,
  1.5,
  1e20,
  -1e20,
  2 ** 53,
  -(2 ** 53),
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  4_102_444_800,
  4_102_444_800_000,
  8_640_000_000_000_001,
  1e300,
];
/** Strings that break ids, keys, dates and text: empty, `#`, spaces, control characters, long, not UTF-16. */
const NASTY_STRINGS = [
  '',
  '#',
  ' ',
  '\u0000',
  '\n',
  '\ud800',
  '../..',
  '%',
  '%E0%A4%A',
  'x'.repeat(300),
  'y'.repeat(5_000),
  '9999999999999999',
  '99999999999999999999',
  '-1',
  '1e20',
  'NaN',
  '2100-01-01T00:00:00Z',
  'not-a-date',
  '/optout',
  '/birthday 02-30',
  '/timezone Mars/Olympus',
  '<@U0>',
  ']]>',
  '<xml>',
  '&amp;',
  '{"a":1}',
  'null',
  '__proto__',
  'constructor',
];

/** An array or object nested `depth` deep. */
const nested = (depth: number, leaf: Json): Json => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

/** A value no well-behaved platform sends. */
export const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Json>(...NASTY_NUMBERS) },
  { weight: 1, arbitrary: fc.oneof(fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  { weight: 3, arbitrary: fc.constantFrom<Json>(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 1_000 }).map((depth) => nested(depth, 'deep')) },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, true, false, [], {}) },
);

/** Paths a mutation may pick: inside the platform's own shape, not inside an absurd value an earlier one put. */
const MUTATION_DEPTH = 8;

/** Every path to a value inside `value` down to `MUTATION_DEPTH`, the root excluded. */
function pathsOf(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object' || prefix.length >= MUTATION_DEPTH) return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child as Json, [...prefix, key])]);
}

type Mutation =
  | { kind: 'set'; at: number; value: Json }
  | { kind: 'delete'; at: number }
  | { kind: 'add'; at: number; key: string; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: nastyValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      at: fc.nat(),
      key: fc.oneof(fc.constantFrom('options', 'user', 'date', 'id', '__proto__', 'encrypt'), fc.string()),
      value: nastyValue,
    }),
  },
);

/** The paths of each template, found once: the first mutation of a body picks among them. */
const templatePaths = new WeakMap<object, Array<Array<string | number>>>();

/** `template` (a JSON object) with the mutations applied, each at a path picked among those it then has. */
function mutate(template: Json, mutations: readonly Mutation[]): Json {
  const body = structuredClone(template);
  for (const [i, m] of mutations.entries()) {
    let paths = i === 0 && template && typeof template === 'object' ? templatePaths.get(template) : undefined;
    if (!paths) {
      paths = pathsOf(body);
      if (i === 0 && template && typeof template === 'object') templatePaths.set(template, paths);
    }
    if (paths.length === 0) break;
    const path = paths[m.at % paths.length];
    const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string, Json>)[key], body) as
      | Record<string, Json>
      | Json[];
    const key = path[path.length - 1];
    // Values are cloned in: a generated value may be shared between samples, and must not end up inside itself.
    if (m.kind === 'set') (parent as Record<string | number, Json>)[key] = structuredClone(m.value);
    else if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else {
      const target = (parent as Record<string | number, Json>)[key];
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        const value = structuredClone(m.value);
        Object.defineProperty(target, m.key, { value, enumerable: true, writable: true, configurable: true });
      }
    }
  }
  return body;
}

/**
 * Bodies for one endpoint, as JSON text: mostly a template broken one to
 * three ways (few, so that each field is probed on its own), sometimes a
 * template whole (so the accepting path is fuzzed too), and sometimes
 * something else entirely (any JSON, any text).
 */
export function bodiesFrom(templates: readonly object[]): fc.Arbitrary<string> {
  const template = fc.constantFrom(...(templates as Json[]));
  return fc.oneof(
    {
      weight: 96,
      arbitrary: fc
        .tuple(template, fc.array(mutation, { minLength: 1, maxLength: 3 }))
        .map(([t, m]) => JSON.stringify(mutate(t, m))),
    },
    { weight: 1, arbitrary: template.map((t) => JSON.stringify(t)) },
    { weight: 2, arbitrary: (fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
}

/** A template's values as strings, broken the same ways: for form bodies (Slack commands) and XML (WeCom). */
export function fieldsFrom(templates: readonly object[]): fc.Arbitrary<Record<string, string>> {
  const nastyText = fc.oneof(
    fc.constantFrom(...NASTY_STRINGS),
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.constantFrom(...NASTY_NUMBERS.map(String)),
  );
  return fc
    .tuple(
      fc.constantFrom(...(templates as Array<Record<string, string>>)),
      fc.array(fc.tuple(fc.nat(), fc.option(nastyText, { nil: undefined })), { minLength: 1, maxLength: 3 }),
    )
    .map(([template, changes]) => {
      const fields = { ...template };
      const keys = Object.keys(fields);
      for (const [at, value] of changes) {
        const key = keys[at % keys.length];
        if (value === undefined) delete fields[key];
        else fields[key] = value;
      }
      return fields;
    });
}

/** How many bodies each endpoint's fuzz test sends (FUZZ_RUNS to change it), and the seed (FUZZ_SEED). */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/**
 * How many accepted bodies an endpoint's fuzz test writes (FUZZ_WRITES): every refused body goes through the
 * whole pipeline, with its writes counted; an accepted one past these is checked up to the point of writing.
 */
export const FUZZ_WRITES = Number(process.env.FUZZ_WRITES ?? 200);
export const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? 20261201 : Number(process.env.FUZZ_SEED);
