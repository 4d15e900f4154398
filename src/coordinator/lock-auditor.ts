// The coordinator's side of the audit's lock check (workers/lock-auditor, invariants/lock-auditor): the lock under
// test runs in a worker, and a check that does not finish within the limit is reported on
// the zspage it was at, instead of hanging the coordinator's thread.
import type { Worker } from 'node:worker_threads';
import type { ArenaParams } from '../arena/layout.js';
import type { LockFreeCheck } from '../invariants/audit.js';
import type { LockSpec } from '../locks/registry.js';
import { AUDITOR, type AuditorData, type AuditorMessage } from '../supervised/auditor-messages.js';
import { awaitAnswer, spawnWorker } from '../supervised/worker.js';

type Reply = { problems: [number, string][] } | { hung: { z: number; message: string } } | { ready: true };

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
    const worker = spawnWorker('lock-auditor', data, { unref: true });
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

  /** The worker's answer to `what`; it lives on for the next check. */
  private reply(worker: Worker, ms: number, what: 'start' | 'check') {
    return awaitAnswer<AuditorMessage, Reply>(worker, {
      after: 'keep',
      start: (s) =>
        s.deadline(ms, () => {
          if (what === 'start') return s.reject(new Error(`the audit's lock check worker did not start within ${ms / 1000} s`));
          const z = Atomics.load(this.status, AUDITOR.ZSPAGE);
          s.resolve({ hung: { z, message: `writeTrylock did not return within ${ms / 1000} s with every worker parked` } });
        }),
      message(m, s) {
        if (what === 'start' ? !('ready' in m) : !('problems' in m)) return;
        s.resolve(m);
      },
      error: (err, s) => s.reject(new Error(`the audit's lock check failed: ${err.message.split('\n', 1)[0]}`)),
      exit: (code, s) => s.reject(new Error(`the audit's lock check worker exited (code ${code})`)),
    });
  }
}
