// Plain JS, like the worker that loads it: it needs no TypeScript loader.
/**
 * dynalite 4.0.0 reads every Query and Scan through a stream over an abstract-level iterator that it never
 * closes: at the end it only stops reading, and on an early stop (a Limit) it calls `iterator.return`, which
 * abstract-level's iterators do not have. Each unclosed iterator keeps its native LevelDB state, so the
 * engine grew by about 19 KB for each Query with Limit 5 and 57 KB for each without, on disk (4 KB in
 * memory): the load test's 1.2 GB. Here every iterator of both engines closes itself at its end and gains
 * the `return` that dynalite calls. A local stand-in's repair; nothing in AWS runs this.
 */
const CLOSING = Symbol.for('hearth.closingIterators');

/** Patch the abstract-level prototypes under these engine classes (once each). */
export function closeIteratorsAtTheirEnd(...engines) {
  for (const proto of new Set(engines.map((engine) => Object.getPrototypeOf(engine.prototype)))) {
    if (proto[CLOSING]) continue;
    proto[CLOSING] = true;
    for (const method of ['iterator', 'keys', 'values']) {
      const open = proto[method];
      proto[method] = function (...args) {
        const iterator = open.apply(this, args);
        const next = iterator.next.bind(iterator);
        iterator.next = async (...nextArgs) => {
          const value = await next(...nextArgs);
          if (value === undefined) await iterator.close();
          return value;
        };
        iterator.return ??= async () => {
          await iterator.close();
          return { done: true, value: undefined };
        };
        return iterator;
      };
    }
  }
}
