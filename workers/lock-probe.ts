// The lock probe's worker (src/locks/probe-run.ts): one module, its verdict the last message.
import { parentPort, workerData } from 'node:worker_threads';
import { installAtomicsRouter } from '../src/locks/atomics-router.js';
import { runProbe } from '../src/locks/probe-run.js';
import type { ProbeMessage } from '../src/supervised/probe-messages.js';

// Every global Atomics a lock module reaches is the router, however it reached it.
installAtomicsRouter();

const post = (m: ProbeMessage) => parentPort!.postMessage(m);
post(await runProbe(workerData as string, post));
