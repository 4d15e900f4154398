// The start-up floor: a worker thread that says it runs, and nothing else.
import { workerData } from 'node:worker_threads';

const { ctl, index } = workerData as { ctl: SharedArrayBuffer; index: number };
Atomics.store(new Int32Array(ctl), index, 1);
