// check's explorer worker (src/explorer/check-part.ts): one explorer part of `check`.
import { parentPort, workerData } from 'node:worker_threads';
import { runCheckPart } from '../src/explorer/check-part.js';
import { installAtomicsRouter } from '../src/locks/atomics-router.js';
import type { CheckExplorerData, CheckExplorerMessage } from '../src/supervised/check-explorer-messages.js';

// Every global Atomics a lock module reaches is the router, however it reached it.
installAtomicsRouter();

await runCheckPart(workerData as CheckExplorerData, (m: CheckExplorerMessage) => parentPort!.postMessage(m));
