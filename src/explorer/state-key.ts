// The state key of exhaustive exploration's state caching (exhaustive.ts): a point's
// state, as the short text of what decides the run's future, read field by field from the Run
// (no walk of its object graph). Every field of the Run and of its parts is either keyed here
// or named in UNKEYED with the reason it cannot change what happens next; a test
// (test/state-key.test.ts) fails when a field is added to neither, so the key cannot silently
// miss new state.
import { hash } from 'node:crypto';
import type { Run } from './sim.js';
import { BASE, type SimThread } from './sim-thread.js';
import type { LockCall } from './types.js';

/** The fields each part's key reads (`KEYED`) and those it leaves out (`UNKEYED`), for the test. */
export const KEYED = {
  run: ['mem', 'threads', 'rules', 'sleepers', 'spin', 'weak'],
  thread: ['memo', 'callsDone', 'section', 'call', 'callOps', 'holds', 'done', 'wait', 'seen', 'last', 'echoed', 'watched', 'stuck', 'fresh', 'unsure', 'forgot', 'preempt', 'cycle', 'cycling', 'pre', 'post', 'folded', 'inputs', 'loopFrom'],
  rules: ['idle'],
  sleepers: ['asleep'],
  spin: ['changes', 'wordVersion'], // through relations()
  weak: ['memory', 'wide'], // through WeakRun.canonical()
  memory: ['locs', 'threads', 'sc', 'L', 'history'], // through WeakMemory.canonical()
} as const;

/**
 * Left out of the key, and why. Path counters (steps, schedule, trace, touches; a thread's
 * watchStamp, own and cycleStamp, with the spin watch's changes and wordVersion) only number
 * the path: the key keeps the one thing the engine ever asks of them, SpinWatch.relations().
 * Scratch of the step in progress (cur .. stepNo, dominated, pool, the plain snapshots' live copy, the
 * rules' live and runnable counts, a thread's `written`) is set afresh before it is read. Fixed for the run
 * (design, words, bounds, a thread's id, program, atomics, the hooks) or only reported
 * (ordered, callerTraced, caller, failure: the run ends at a failure). Weak memory is keyed
 * canonical, what numbers the path renumbered (WeakRun.canonical), by what is known of which
 * words plain accesses and loads reach, fixed for the exploration (plainKeyed, mayLoad); which
 * they reached in a run (plainLocs, loaded) is what learned.ts reads after it. The callbacks (atPoint) belong to the explorer, not to the run.
 * A thread's `base` and `returned` are what its completed calls left (preempt_count, return
 * values), which a re-run takes in place of running them again (`skipping`, fixed for the run):
 * a design whose calls are independent is keyed by its call in progress, and with `preempt`.
 */
export const UNKEYED = {
  run: [
    'schedule', 'trace', 'failure', 'incomplete', 'steps', 'ordered', 'touches', 'atPoint', 'tracer', 'pool', 'words', 'maxSteps',
    'trylockBound', 'cur', 'cursor', 'limit', 'allowNew', 'performed', 'preempted', 'callName', 'waitCall', 'stepNo', 'plain', 'snapshots',
    'allWords', 'design', 'hooks', 'foldSpins', 'skipping', 'dominated',
  ],
  thread: ['id', 'program', 'atomics', 'caller', 'callerTraced', 'watchStamp', 'own', 'cycleStamp', 'written', 'base', 'returned'],
  rules: ['live', 'runnable'],
  sleepers: [],
  spin: ['mem', 'words', 'allWords', 'threads'],
  weak: ['choices', 'lastRead', 'generation', 'mem', 'base', 'words', 'chooseRead', 'plainKeyed', 'mayLoad'],
  memory: ['race', 'plainLocs', 'loaded'],
} as const;

/**
 * The key of `run`'s state at a scheduling point: 96 bits of the SHA-1 of its text, as 12
 * one-byte characters (DigestSet reads them). With
 * `callsIndependent` (LockDesign.callsIndependent) a thread is known by its current call's
 * ops, not its whole history; with `run.foldSpins` too, by those ops with every completed
 * failed spin iteration removed (spin-fold.ts states the assumption that makes it sound).
 */
export function stateKey(run: Run, callsIndependent: boolean): string {
  let s = run.mem.join(',');
  if (run.weak) s += `|${run.weak.canonical(liveThreads(run))}`;
  s += `|${idle(run)}|${run.sleepers.asleep.map((t) => t.id).join(',')}|${run.spin.relations()}`;
  const folding = callsIndependent && run.foldSpins;
  for (const t of run.threads) s += folding ? foldedKey(t, run.design.plainReported === true) : threadKey(t, callsIndependent);
  return hash('sha1', s, 'binary').slice(0, 12);
}

/** The threads not done (those that may still access memory). */
function liveThreads(run: Run): number[] {
  const live: number[] = [];
  for (const t of run.threads) if (!t.done) live.push(t.id);
  return live;
}

/** The rules' idle count, which judge() sets to 0 before any use when some thread can run: only then it counts. */
function idle(run: Run): number {
  for (const t of run.threads) if (!t.done && !(t.wait && !t.wait.timeout) && !run.spin.isStuck(t)) return 0;
  return run.rules.idle;
}

/** A letter for each call a thread can be in, and for what it holds (shorter keys hash faster). */
const CALLS: Readonly<Record<LockCall | 'none', string>> = { none: '-', readLock: 'r', readUnlock: 'u', writeTrylock: 'w', writeUnlock: 'v' };
const HOLDS: Readonly<Record<SimThread['holds'], string>> = { none: '-', read: 'R', write: 'W' };

/** What a thread's key shares, folded or not: where it is in its program and what the spin watch says of it. */
function commonKey(t: SimThread): string {
  let s = `\n${t.callsDone}:${t.section}:${CALLS[t.call ?? 'none']}${HOLDS[t.holds]}${t.done ? 1 : 0}:${t.wait ? `${t.wait.index}/${t.wait.timeout ? 1 : 0}` : '-'}`;
  s += `:${t.last}:${t.echoed ? 1 : 0}:${t.watched}:${t.stuck ? 1 : 0}:${t.fresh}:${t.unsure ? 1 : 0}${t.forgot ? 1 : 0}:${t.preempt}:${t.cycling ? 1 : 0}`;
  s += '\u0001';
  for (const o of t.seen) s += `${o};`;
  s += '\u0001';
  for (const [k, n] of t.cycle) s += `${k}=${n};`;
  return s + '\u0001';
}

function threadKey(t: SimThread, callsIndependent: boolean): string {
  // callOps counts the call in progress (between calls it is what the last one made: unread)
  let s = commonKey(t) + (t.call === null ? '' : t.callOps);
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

/**
 * A thread known by its call in progress, folded (spin-fold.ts): its op count left out (a path
 * counter then, as the trylock bound that reads it), its ops (with, for a plain design, the words
 * each left) as folded, and what each wait of the call returned, with the words it woke to (a
 * wait is folded when it sleeps, before either is known). A design that reports its plain
 * accesses (LockDesign.plainReported) is keyed by the words its plain code read (t.inputs), not
 * every word: nothing else of them can reach what it does.
 */
function foldedKey(t: SimThread, reported: boolean): string {
  if (t.call === null) return commonKey(t);
  const at = t.memo.length - t.callOps; // the call's first op
  let s = `${commonKey(t)}${t.loopFrom}:`;
  for (const f of t.folded) {
    const k = reported ? f.lastIndexOf('@#') : -1;
    s += k < 0 ? `${f},` : `${f.slice(0, k)}@${inputs(t, Number(f.slice(k + 2)), t.post[at + Number(f.slice(k + 2)) - 1])},`;
  }
  for (let j = at; j < t.memo.length; j++) {
    const m = t.memo[j]!;
    if (m.op === 'wait') s += `|${String(m.result)}>${reported ? inputs(t, j - at + 1, t.post[j]) : (t.post[j]?.join(',') ?? '')}`;
  }
  // a plain design re-executes its call on the words as it began (plain-snapshots.ts)
  const pre = t.pre.length > t.callsDone ? t.pre[t.callsDone]! : null;
  if (pre) s += `<${reported ? inputs(t, 0, pre) : pre.join(',')}`;
  return s;
}

/** The words stretch `k` of `t`'s call read, as `snap` holds them. */
function inputs(t: SimThread, k: number, snap: Int32Array | undefined): string {
  let s = '';
  const mask = t.inputs[k] ?? 0;
  if (!snap) return mask === 0 ? '' : '?';
  for (let i = 0; mask >> i !== 0; i++) if ((mask >> i) & 1) s += `${i}=${snap[BASE + i]},`;
  return s;
}
