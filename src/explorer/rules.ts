// The explorer's rules (index.ts lists them), as the engine (sim.ts) asks them: the run loop's
// before each step, exclusion when a call returns, sleeps at an atomics.wait, not-released
// after every program finished. They read the threads and never change them.
import type { ExplorerRule, LockCall } from './types.js';
import type { SimThread } from './sim-thread.js';
import type { SpinWatch } from './spin.js';

/** Steps with every unfinished thread spinning on unchanged memory before a livelock report. */
export const IDLE_BOUND = 64;

export interface RunFailure {
  rule: ExplorerRule;
  message: string;
}

/** trylock-waited, reader-waited and livelock, judged from the threads before each step. */
export class LoopRules {
  /** Unfinished threads, as the last judge() counted. */
  live = 0;
  /** Threads that can run and do not spin, as the last judge() counted. */
  runnable = 0;
  /** Steps in a row in which every unfinished thread spun. */
  idle = 0;

  judge(threads: readonly SimThread[], spin: SpinWatch): RunFailure | null {
    let live = 0;
    let candidates = 0;
    let runnable = 0;
    let runnableHoldRead = true;
    let waiter: SimThread | null = null;
    let readWaiter: SimThread | null = null;
    let writerActive = false;
    for (const t of threads) {
      if (t.done) continue;
      live++;
      if (t.holds === 'write' || t.call === 'writeTrylock' || t.call === 'writeUnlock') writerActive = true;
      if (t.wait && !t.wait.timeout) continue; // asleep until notified
      candidates++;
      if (spin.isStuck(t)) {
        if (t.call === 'writeTrylock') waiter ??= t;
        else if (t.call === 'readLock') readWaiter ??= t;
      } else {
        runnable++;
        if (t.holds !== 'read') runnableHoldRead = false;
      }
    }
    this.live = live;
    this.runnable = runnable;
    if (live === 0) return null;
    if (candidates === 0) {
      return { rule: 'livelock', message: `deadlock: ${threadList(threads, (t) => !t.done)} asleep in atomics.wait, nobody left to notify` };
    }
    if (waiter && runnable > 0 && runnableHoldRead) {
      // Only readers that hold the lock could let the trylock on: it waits for them, and a
      // reader may sleep holding, so this trylock could spin forever.
      const readers = threadList(threads, (t) => !t.done && t.holds === 'read');
      const message = `T${waiter.id} writeTrylock spins waiting for reader(s) ${readers} holding the lock (readers may sleep holding it)`;
      return { rule: 'trylock-waited', message };
    }
    if (readWaiter && !writerActive && runnable > 0 && runnableHoldRead) {
      // Readers are blocked only by writers: with none holding or in a call, this reader
      // waits for readers, which may sleep holding.
      const readers = threadList(threads, (t) => !t.done && t.holds === 'read');
      const message = `T${readWaiter.id} readLock spins waiting for reader(s) ${readers} holding the lock, with no writer holding it or in a lock call`;
      return { rule: 'reader-waited', message };
    }
    if (runnable > 0) this.idle = 0;
    else if (++this.idle > IDLE_BOUND) {
      const who = threadList(threads, (t) => !t.done, true);
      return { rule: 'livelock', message: `${who} spin, and none changed a lock word for ${IDLE_BOUND} steps` };
    }
    return null;
  }
}

/** Exclusion, when `t`'s lock call returned holding: nobody else may hold a conflicting lock. */
export function exclusion(threads: readonly SimThread[], t: SimThread): string | null {
  if (t.holds === 'read') {
    const w = threads.find((o) => o !== t && o.holds === 'write');
    return w ? `T${t.id} readLock returned while T${w.id} holds the write lock` : null;
  }
  const o = threads.find((x) => x !== t && x.holds !== 'none');
  return o ? `T${t.id} writeTrylock returned true while T${o.id} holds the ${o.holds} lock` : null;
}

/**
 * Sleeps, at an atomics.wait of `t` in `call` (`what`: the kernel call behind it): only a
 * reader that holds may sleep; acquiring readers and writers may not, nor anybody with
 * preemption off (a held spinlock).
 */
export function sleeps(t: SimThread, call: LockCall, what: string, wouldSleep: boolean): string | null {
  if (call === 'readUnlock' && !(t.preempt > 0)) return null;
  const where = call !== 'readUnlock' ? 'sleeping is not allowed there' : `preempt_count is ${t.preempt}`;
  return `T${t.id} ${call} calls ${what}${wouldSleep ? ' and would sleep' : ''}: ${where}`;
}

/** Not-released: with every program done, the lone writeTrylock failed or spins. */
export function notReleased(spins: boolean, words: readonly number[]): string {
  return `after every program finished, a lone writeTrylock ${spins ? 'spins' : 'failed'}: words [${words.join(',')}]`;
}

function threadList(threads: readonly SimThread[], pick: (t: SimThread) => boolean, withCall = false): string {
  const ts = threads.filter(pick);
  return ts.map((t) => `T${t.id}${withCall ? ` (in ${t.call ?? 'no call'})` : ''}`).join(', ');
}
