// The state key of exhaustive exploration's state caching under SC (exhaustive.ts): a point's
// state, as the short text of what decides the run's future, read field by field from the Run
// (no walk of its object graph). Every field of the Run and of its parts is either keyed here
// or named in UNKEYED with the reason it cannot change what happens next; a test
// (test/state-key.test.ts) fails when a field is added to neither, so the key cannot silently
// miss new state.
import { hash } from 'node:crypto';
import type { Run } from './sim.js';
import type { SimThread } from './sim-thread.js';

/** The fields each part's key reads (`KEYED`) and those it leaves out (`UNKEYED`), for the test. */
export const KEYED = {
  run: ['mem', 'threads', 'rules', 'sleepers', 'spin'],
  thread: ['memo', 'callsDone', 'call', 'callOps', 'holds', 'done', 'wait', 'seen', 'last', 'echoed', 'watched', 'stuck', 'fresh', 'unsure', 'preempt', 'cycle', 'cycling', 'pre', 'post'],
  rules: ['idle'],
  sleepers: ['asleep'],
  spin: ['changes', 'wordVersion'], // through relations()
} as const;

/**
 * Left out of the key, and why. Path counters (steps, schedule, trace, touches; a thread's
 * watchStamp, own and cycleStamp, with the spin watch's changes and wordVersion) only number
 * the path: the key keeps the one thing the engine ever asks of them, SpinWatch.relations().
 * Scratch of the step in progress (cur .. stepNo, pool, the plain snapshots' live copy, the
 * rules' live and runnable counts) is set afresh before it is read. Fixed for the run
 * (design, words, bounds, a thread's id, program, atomics, the hooks) or only reported
 * (ordered, callerTraced, caller, failure: the run ends at a failure), or not there under SC
 * (weak). The callbacks (atPoint) belong to the explorer, not to the run.
 */
export const UNKEYED = {
  run: [
    'schedule', 'trace', 'failure', 'incomplete', 'steps', 'ordered', 'weak', 'touches', 'atPoint', 'tracer', 'pool', 'words', 'maxSteps',
    'trylockBound', 'cur', 'cursor', 'limit', 'allowNew', 'performed', 'preempted', 'callName', 'waitCall', 'stepNo', 'plain', 'snapshots',
    'allWords', 'design', 'hooks',
  ],
  thread: ['id', 'program', 'atomics', 'caller', 'callerTraced', 'watchStamp', 'own', 'cycleStamp'],
  rules: ['live', 'runnable'],
  sleepers: [],
  spin: ['mem', 'words', 'allWords', 'threads'],
} as const;

/**
 * The key of `run`'s state at a scheduling point: 96 bits of the SHA-1 of its text. With
 * `callsIndependent` (LockDesign.callsIndependent) a thread is known by its current call's
 * ops, not its whole history.
 */
export function stateKey(run: Run, callsIndependent: boolean): string {
  let s = run.mem.join(',');
  s += `|${idle(run)}|${run.sleepers.asleep.map((t) => t.id).join(',')}|${run.spin.relations()}`;
  for (const t of run.threads) s += threadKey(t, callsIndependent);
  return hash('sha1', s, 'base64').slice(0, 16);
}

/** The rules' idle count, which judge() sets to 0 before any use when some thread can run: only then it counts. */
function idle(run: Run): number {
  for (const t of run.threads) if (!t.done && !(t.wait && !t.wait.timeout) && !run.spin.isStuck(t)) return 0;
  return run.rules.idle;
}

function threadKey(t: SimThread, callsIndependent: boolean): string {
  // callOps counts the call in progress (between calls it is what the last one made: unread)
  let s = `\n${t.callsDone}:${t.call}:${t.call === null ? '' : t.callOps}:${t.holds}:${t.done ? 1 : 0}:${t.wait ? `${t.wait.index}/${t.wait.timeout ? 1 : 0}` : '-'}`;
  s += `:${t.last}:${t.echoed ? 1 : 0}:${t.watched}:${t.stuck ? 1 : 0}:${t.fresh}:${t.unsure ? 1 : 0}:${t.preempt}:${t.cycling ? 1 : 0}`;
  s += '\u0001';
  for (const o of t.seen) s += `${o};`;
  s += '\u0001';
  for (const [k, n] of t.cycle) s += `${k}=${n};`;
  s += '\u0001';
  const from = callsIndependent ? (t.call === null ? t.memo.length : t.memo.length - t.callOps) : 0;
  for (let i = from; i < t.memo.length; i++) {
    const m = t.memo[i]!;
    s += `${m.op}.${m.index}.${m.result === undefined ? '?' : String(m.result)},`;
  }
  // a plain design re-executes its calls on these snapshots (plain-snapshots.ts): the current
  // call's, when calls are independent (what a past call does again on them is dropped)
  const firstCall = callsIndependent ? (t.call === null ? t.pre.length : t.callsDone) : 0;
  for (let i = firstCall; i < t.pre.length; i++) s += `<${t.pre[i]!.join(',')}`;
  for (let j = from; j < t.post.length; j++) s += `>${t.post[j]?.join(',') ?? ''}`;
  return s;
}
