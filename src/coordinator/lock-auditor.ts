// The coordinator's side of the audit's lock check (workers/lock-auditor): the lock under
// test runs in a worker, and a check that does not finish within the limit is reported on
// the zspage it was at, instead of hanging the coordinator's thread.
import { Worker } from 'node:worker_threads';
import type { ArenaParams } from '../arena/layout.js';
import type { LockFreeCheck } from '../invariants/audit.js';
import type { LockSpec } from '../locks/registry.js';
import { compiledPath } from '../paths.js';

/** Atomic operations one lock call may take on an idle lock before it counts as hung. */
export const LOCK_CALL_BUDGET = 1_000_000;
/** Slots of the status words the worker shares. */
export const AUDITOR = { ZSPAGE: 0, WORDS: 1 } as const;

export interface AuditorData {
  /** The arena (a C lock runs on it as WebAssembly memory). */
  memory: WebAssembly.Memory;
  params: ArenaParams;
  lock: LockSpec;
  status: SharedArrayBuffer;
}

export type AuditorMessage = { ready: true } | { problems: [number, string][] };

export class LockAuditor {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  /** The worker has loaded the lock: a check now only takes the check's own time. */
  isReady = false;
  /** Why the worker did not come up, if it did not. */
  startError: string | null = null;
  private readonly status = new Int32Array(new SharedArrayBuffer(4 * AUDITOR.WORDS));

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly params: ArenaParams,
    private readonly lock: LockSpec,
    /** How long one check of every lock may take once the worker is up. */
    private readonly limitMs: number,
    /** How long the worker may take to start and load the lock. */
    private readonly startMs: number,
    /** A zspage's lock words, for the report of a check that hung. */
    private readonly wordsOf: (z: number) => string,
  ) {}

  /** Starts the worker ahead of the first check. */
  start(): void {
    if (this.worker) return;
    const data: AuditorData = { memory: this.memory, params: this.params, lock: this.lock, status: this.status.buffer as SharedArrayBuffer };
    const worker = new Worker(compiledPath('workers', 'lock-auditor.js'), { workerData: data, stdout: true, stderr: true });
    worker.stdout.resume();
    worker.stderr.resume();
    worker.unref(); // never what keeps the process alive
    this.worker = worker;
    this.ready = this.reply(worker, this.startMs, 'start').then(() => {
      if (this.worker === worker) this.isReady = true;
    });
    this.ready.catch((err: Error) => {
      if (this.worker === worker) this.startError = err.message;
    });
  }

  /** The lock problems of every live zspage, as a check for auditPool(). */
  async check(): Promise<LockFreeCheck> {
    this.start();
    const worker = this.worker!;
    await this.ready;
    Atomics.store(this.status, AUDITOR.ZSPAGE, -1);
    const answer = this.reply(worker, this.limitMs, 'check');
    worker.postMessage('check');
    const reply = await answer;
    if ('hung' in reply) {
      // The worker is stuck in lock code: end it, and start a fresh one for the next check.
      await this.close();
      this.start();
      const { z, message } = reply.hung;
      const said = `${message} (words ${this.wordsOf(z)})`;
      return (at) => (at === z ? said : null);
    }
    if (!('problems' in reply)) throw new Error("the audit's lock check answered out of turn");
    const problems = new Map(reply.problems);
    return (z) => problems.get(z) ?? null;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    this.isReady = false;
    if (w) await w.terminate();
  }

  private reply(worker: Worker, ms: number, what: 'start' | 'check') {
    type Reply = { problems: [number, string][] } | { hung: { z: number; message: string } } | { ready: true };
    return new Promise<Reply>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (m: AuditorMessage) => {
        if (what === 'start' ? !('ready' in m) : !('problems' in m)) return;
        done();
        resolve(m);
      };
      const onError = (err: Error) => {
        done();
        reject(new Error(`the audit's lock check failed: ${err.message.split('\n', 1)[0]}`));
      };
      const onExit = (code: number) => {
        done();
        reject(new Error(`the audit's lock check worker exited (code ${code})`));
      };
      const timer = setTimeout(() => {
        done();
        if (what === 'start') return reject(new Error(`the audit's lock check worker did not start within ${ms / 1000} s`));
        const z = Atomics.load(this.status, AUDITOR.ZSPAGE);
        resolve({ hung: { z, message: `writeTrylock did not return within ${ms / 1000} s with every worker parked` } });
      }, ms);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }
}
