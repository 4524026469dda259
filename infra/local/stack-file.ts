import { readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';

/**
 * `<data>/stack.json` tells other processes (the CLI, the demo, tests) where a
 * running local stack is, since only it may open the data folder.
 */
export interface StackInfo {
  pid: number;
  endpoint: string;
  table: string;
  webhookBaseUrl: string;
  startedAt: string;
}

const fileIn = (dataDir: string) => join(dataDir, 'stack.json');

export async function writeStackInfo(dataDir: string, info: StackInfo): Promise<void> {
  await writeFile(fileIn(dataDir), `${JSON.stringify(info, null, 2)}\n`);
}

export async function removeStackInfo(dataDir: string): Promise<void> {
  await rm(fileIn(dataDir), { force: true });
}

/**
 * The running stack for a data folder, or undefined when none is alive. A stack killed with kill -9 leaves
 * its file behind, and its pid may live on for a moment (a process being torn down, a zombie) or be reused
 * by another process: a stack counts as running only if its pid is alive and its server answers with it.
 */
export async function runningStack(dataDir: string): Promise<StackInfo | undefined> {
  let info: StackInfo;
  try {
    info = JSON.parse(await readFile(fileIn(dataDir), 'utf8')) as StackInfo;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0);
  } catch {
    return undefined;
  }
  return (await answers(info)) ? info : undefined;
}

/**
 * Whether the stack's HTTP server answers its health check within a second, as that stack (its pid). Through
 * node:http, which the SDK loads anyway: the first fetch() in a process loads undici, some 10 ms of every
 * CLI start.
 */
function answers(info: StackInfo): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(new URL('/health', info.webhookBaseUrl), { timeout: 1_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        try {
          resolve(response.statusCode === 200 && (JSON.parse(body) as { pid?: unknown }).pid === info.pid);
        } catch {
          resolve(false);
        }
      });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
