import { en } from 'zod/locales';
import { config } from 'zod/mini';

/**
 * The zod every schema uses: `zod/mini`, some 40 KB of a Lambda bundle where classic zod took 100 KB. Classic
 * zod loads its English messages by itself and mini loads none (every issue would read "Invalid input"), so
 * schemas import zod from here, never from the package: importing this module sets them before anything parses.
 */
config(en());

export * from 'zod/mini';
