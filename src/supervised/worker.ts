// Code run in a worker under a bound: lock code runs synchronously, so a call that never
// returns can only be ended by ending its worker. Every such worker (the explorer's, check's
// explorer parts, the audit's lock check, the lock probe) starts and is watched here.
import { Worker } from 'node:worker_threads';
import { compiledPath } from '../paths.js';

/** Starts workers/<entry>.js. Its output is read and dropped: a lock module's prints must not
 *  break the harness's own lines, nor fill a pipe nobody reads. */
export function spawnWorker(entry: string, workerData: unknown, options: { unref?: boolean } = {}): Worker {
  const worker = new Worker(compiledPath('workers', `${entry}.js`), { workerData, stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.resume();
  if (options.unref) worker.unref(); // never what keeps the process alive
  return worker;
}

/** What a watcher may do until the answer is settled; after that every call does nothing. */
export interface Supervision<T> {
  resolve(value: T): void;
  reject(err: Error): void;
  /** (Re)arms the one deadline: `expire` runs unless the answer settles or the deadline is re-armed first. */
  deadline(ms: number, expire: () => void): void;
  /** Runs `tick` every `ms` until the answer settles (a heartbeat's watch). */
  every(ms: number, tick: () => void): void;
  readonly settled: boolean;
}

export interface Watch<M, T> {
  message(m: M, s: Supervision<T>): void;
  error(err: Error, s: Supervision<T>): void;
  exit(code: number, s: Supervision<T>): void;
  /** Called once the listeners are on: arm the bound here. */
  start?(s: Supervision<T>): void;
  /**
   * 'terminate': the worker is ended as the answer settles (a one-answer worker).
   * 'keep': it lives on for the next question, and the listeners come off.
   */
  after: 'terminate' | 'keep';
}

/** One answer from `worker` under the bound `watch` arms: settled once, timers cleared. */
export function awaitAnswer<M, T>(worker: Worker, watch: Watch<M, T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    let ticker: NodeJS.Timeout | undefined;
    const onMessage = (m: M) => watch.message(m, s);
    const onError = (err: Error) => watch.error(err, s);
    const onExit = (code: number) => watch.exit(code, s);
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearInterval(ticker);
      if (watch.after === 'terminate') void worker.terminate();
      else {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      }
      then();
    };
    const s: Supervision<T> = {
      resolve: (value) => settle(() => resolve(value)),
      reject: (err) => settle(() => reject(err)),
      deadline(ms, expire) {
        if (settled) return;
        clearTimeout(deadline);
        deadline = setTimeout(expire, ms);
      },
      every(ms, tick) {
        if (settled) return;
        clearInterval(ticker);
        ticker = setInterval(tick, ms);
      },
      get settled() {
        return settled;
      },
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    watch.start?.(s);
  });
}
