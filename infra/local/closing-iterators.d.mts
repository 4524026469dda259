/** Make every iterator of these abstract-level engines close at its end and answer `return()` (see the .mjs). */
export function closeIteratorsAtTheirEnd(...engines: Array<abstract new (...args: never[]) => object>): void;
