// Runs the embedded DynamoDB (dynalite) in a worker thread, so that the engine
// and the handlers each get a core. Plain JS: it needs no TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.on('error', (error) => parentPort.postMessage({ type: 'error', message: error.message }));
server.listen(workerData.port, '127.0.0.1', () => {
  parentPort.postMessage({ type: 'listening', port: server.address().port });
});
parentPort.on('message', (message) => {
  if (message === 'close') server.close(() => parentPort.postMessage({ type: 'closed' }));
});
