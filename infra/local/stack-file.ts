import { readFile, rm, writeFile } from 'node:fs/promises';
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

/** The running stack for a data folder, or undefined when none is alive. */
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
  return info;
}
