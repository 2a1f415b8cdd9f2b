// Starts a worker whose entry is a TypeScript file. The CLI (bin/rwb.mjs) and vitest load .ts
// through hooks registered on the main thread only; a worker thread needs its own, so it registers
// tsx first and then imports the real entry. Compiled builds start the .js entry directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
