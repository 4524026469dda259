// Runs the embedded DynamoDB (dynalite) in a worker thread, so that the engine
// and the handlers each get a core. Plain JS: it needs no TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import { Level } from 'level';
import { MemoryLevel } from 'memory-level';
import { closeIteratorsAtTheirEnd } from './closing-iterators.mjs';

closeIteratorsAtTheirEnd(Level, MemoryLevel);

/** LevelDB locks its folder; open it once up front so a second process learns at start, not on its first request. */
async function folderIsFree(path) {
  if (!path) return true;
  const probe = new Level(path);
  try {
    await probe.open();
    await probe.close();
    return true;
  } catch {
    return false;
  }
}

if (!(await folderIsFree(workerData.path))) {
  parentPort.postMessage({ type: 'in-use' });
} else {
  const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.on('error', (error) => parentPort.postMessage({ type: 'error', message: error.message }));
  server.listen(workerData.port, '127.0.0.1', () => {
    parentPort.postMessage({ type: 'listening', port: server.address().port });
  });
  parentPort.on('message', (message) => {
    if (message === 'close') server.close(() => parentPort.postMessage({ type: 'closed' }));
  });
}
