// One iteration of the explorer: simulated threads over one lock, single-threaded and exact.
//
// Stateless re-execution: lock code is synchronous, so a simulated thread cannot be suspended
// inside it. Instead, each time a thread is scheduled, its whole history is run again from the
// start on a fresh ops table (design.create()), with every atomic op it already performed
// answered from its memo; the first new op is performed for real on the shared words, memoized,
// and the next op attempt throws PREEMPT, which unwinds the lock code. Lock calls are
// deterministic functions of their atomic results, so this gives exactly the interleavings of
// real threads at atomic-op granularity, with lock code unmodified. Re-running the whole history
// (not only the current call) on a fresh create() also reproduces closure state (counters) exactly.
// The lock must not catch exceptions around its atomics calls (a swallowed PREEMPT is reported).
//
// Plain accesses (a design with plainAccess, such as a C lock's `zsl->cnt++`) are not memoized,
// and re-running them on today's memory would repeat their stores. So for such a design the
// explorer keeps, per thread, a snapshot of the lock words as they were when each call began
// and when each atomic op returned; re-execution runs on those snapshots, and only the new op
// (and the code after it) runs on the real words. Plain code between two interleaving points
// runs as one step with the op before it; a plain change counts as a change of its word.
import { RAW_ATOMICS, withRoute } from '../invariants/global-atomics.js';
import { RAW_ATOMICS64, type Rmw64 } from '../locks/atomics64.js';
import { callAs, callerFor, describeCaller, withPreemptCount, type LockCaller } from '../locks/calling-context.js';
import type { LockAtomics, LockDesign, LockOps, MemoryOrder } from '../locks/contract.js';
import type { ExplorerRule, LockCall, TraceStep } from './types.js';
import { WeakRun, type ReadChooser } from './wmm/weak-run.js';
import { HOLD_R, HOLD_W, PAYLOAD, type Touches } from './touches.js';

/** Lock base inside the simulated memory: not 0, so absolute indices would show. */
const BASE = 1;
/** Steps with every unfinished thread spinning on unchanged memory before a livelock report. */
export const IDLE_BOUND = 64;
/** Times a writeTrylock comes back to one state of its own before it counts as looping. */
const CYCLE_REPEATS = 3;

const PREEMPT = Object.freeze({ explorerPreempt: true });
/** Stands in for trace entries when not tracing. */
const SCRATCH: TraceStep = { step: 0, thread: 0, call: 'readLock', op: null, index: null, args: [], result: null, words: [] };

type Holds = 'none' | 'read' | 'write';
type Result = number | string | bigint;
/** An op's value arguments: BigInt for the 64-bit ops (atomic64_t). */
type Arg = number | bigint;

interface Memo {
  op: string;
  index: number;
  /** undefined while the thread sleeps in this atomics.wait */
  result: Result | undefined;
}

interface SimThread {
  id: number;
  /** Sections: R, W; the checker runs 'T' (a lone writeTrylock). */
  program: string;
  memo: Memo[];
  callsDone: number;
  /** The call started and not yet returned. */
  call: LockCall | null;
  callOps: number;
  holds: Holds;
  done: boolean;
  /** Set while asleep in atomics.wait. */
  wait: { index: number; timeout: boolean } | null;
  /** Non-modifying observations (op, index, args, result) in this call since a word it watched changed. */
  seen: Set<string>;
  /** The last of those observations, and whether it repeated the one before it. */
  last: string;
  echoed: boolean;
  /** Bitmask of the lock words those observations read, and the sum of their versions then. */
  watched: number;
  watchStamp: number;
  /** It repeated an observation with its words unchanged: it spins until one of them changes. */
  stuck: boolean;
  /** Weak memory: words it now reads the newest value of (it repeated a possibly stale observation). */
  fresh: number;
  /** Weak memory: an observation since `seen` was last cleared may be of an old value. */
  unsure: boolean;
  atomics: LockAtomics;
  /** preempt_count: the caller's context plus what the lock holds, recomputed by each re-run. */
  preempt: number;
  /** The kernel caller the call in progress models (calling-context), for its trace. */
  caller: LockCaller | null;
  /** The call in progress has a trace entry naming its caller. */
  callerTraced: boolean;
  /** plainAccess designs: the words when call i began, and when memo op j returned. */
  pre: Int32Array[];
  /** Word changes it made itself; with Run.changes, the changes others made. */
  own: number;
  /** In a writeTrylock: (op, result, words after) seen since another thread last changed a word. */
  cycle: Map<string, number>;
  cycleStamp: number;
  /** It went round a loop of its own (e.g. drop and retake a spinlock) that only another thread can end. */
  cycling: boolean;
  post: (Int32Array | undefined)[];
}

/** Picks the thread for step `step` from `pool`; undefined = no more steps (replay ran out). */
export type Chooser = (pool: readonly number[], step: number) => number | undefined;

export interface RunFailure {
  rule: ExplorerRule;
  message: string;
}

export class Run {
  readonly mem: Int32Array;
  readonly threads: SimThread[];
  readonly schedule: number[] = [];
  readonly trace: TraceStep[] = [];
  failure: RunFailure | null = null;
  /** Replay ran out of steps before the run ended. */
  incomplete = false;
  steps = 0;
  /** The lock used an ordering, a fence or a plain access. */
  ordered = false;
  /** Set in weak-memory mode (--memory weak). */
  readonly weak: WeakRun | null;
  /** Exhaustive exploration (dpor.ts): what each step read and wrote; null unless asked for. */
  touches: Touches | null = null;
  /** Bumped at every change of a lock word: a spinning thread waits for one of its words to change. */
  private readonly wordVersion: Int32Array;
  private readonly pool: number[] = [];
  private idle = 0;
  private readonly words: number;
  private readonly maxSteps: number;
  private readonly trylockBound: number;
  private readonly sleepers: SimThread[] = [];
  // the step in progress
  private cur!: SimThread;
  private cursor = 0;
  private limit = 0;
  private allowNew = true;
  private performed = false;
  private preempted = false;
  private callName: LockCall | null = null;
  /** The kernel call behind the next wait (a C lock's msleep ...), for the sleeps report. */
  private waitCall: string | undefined;
  private entry: TraceStep | null = null;
  private stepNo = 0;
  /** plainAccess: re-execution runs on snapshots; `real` holds the words until the step goes live. */
  private readonly plain: boolean;
  private readonly real: Int32Array;
  private live = true;
  private readonly allWords: number;
  /** Lock word changes so far, by anybody. */
  private changes = 0;

  constructor(
    private readonly design: LockDesign,
    programs: readonly string[],
    private readonly tracing: boolean,
    chooseRead: ReadChooser | null = null,
  ) {
    this.words = design.words;
    this.mem = new Int32Array(BASE + design.words);
    this.real = new Int32Array(BASE + design.words);
    this.plain = design.plainAccess === true;
    this.allWords = design.words >= 31 ? -1 : (1 << design.words) - 1;
    this.wordVersion = new Int32Array(design.words);
    const sections = programs.reduce((n, p) => n + p.length, 0);
    this.maxSteps = 100 * sections + IDLE_BOUND;
    this.trylockBound = 50 * sections + 50;
    const setup = { preemptCount: 0 }; // init() as alloc_zspage() calls it
    const ops = design.create(withPreemptCount(RAW_ATOMICS, setup));
    callAs(setup, 'init', () => ops.init(this.mem, BASE));
    this.weak = chooseRead ? new WeakRun(this.mem, BASE, design.words, programs.length, chooseRead) : null;
    this.threads = programs.map((p, id) => this.newThread(id, p));
  }

  /** Runs until every program is done (then the release check), a failure, or the chooser stops. */
  run(choose: Chooser): void {
    const pool = this.pool;
    while (!this.failure) {
      let live = 0;
      let candidates = 0;
      let runnable = 0;
      let runnableHoldRead = true;
      let waiter: SimThread | null = null;
      let readWaiter: SimThread | null = null;
      let writerActive = false;
      for (const t of this.threads) {
        if (t.done) continue;
        live++;
        if (t.holds === 'write' || t.call === 'writeTrylock' || t.call === 'writeUnlock') writerActive = true;
        if (t.wait && !t.wait.timeout) continue; // asleep until notified
        candidates++;
        if (this.isStuck(t)) {
          if (t.call === 'writeTrylock') waiter ??= t;
          else if (t.call === 'readLock') readWaiter ??= t;
        } else {
          runnable++;
          if (t.holds !== 'read') runnableHoldRead = false;
        }
      }
      if (live === 0) return this.checkReleased();
      if (candidates === 0) {
        return this.fail('livelock', `deadlock: ${this.list((t) => !t.done)} asleep in atomics.wait, nobody left to notify`);
      }
      if (waiter && runnable > 0 && runnableHoldRead) {
        // Only readers that hold the lock could let the trylock on: it waits for them, and a
        // reader may sleep holding, so this trylock could spin forever.
        const readers = this.list((t) => !t.done && t.holds === 'read');
        return this.fail(
          'trylock-waited',
          `T${waiter.id} writeTrylock spins waiting for reader(s) ${readers} holding the lock (readers may sleep holding it)`,
        );
      }
      if (readWaiter && !writerActive && runnable > 0 && runnableHoldRead) {
        // Readers are blocked only by writers: with none holding or in a call, this reader
        // waits for readers, which may sleep holding.
        const readers = this.list((t) => !t.done && t.holds === 'read');
        return this.fail(
          'reader-waited',
          `T${readWaiter.id} readLock spins waiting for reader(s) ${readers} holding the lock, with no writer holding it or in a lock call`,
        );
      }
      if (runnable === 0) {
        if (++this.idle > IDLE_BOUND) {
          const who = this.list((t) => !t.done, true);
          return this.fail('livelock', `${who} spin, and none changed a lock word for ${IDLE_BOUND} steps`);
        }
      } else {
        this.idle = 0;
      }
      if (this.steps >= this.maxSteps) return this.fail('livelock', `not finished after ${this.maxSteps} steps`);
      pool.length = 0;
      for (const t of this.threads) {
        if (t.done || (t.wait && !t.wait.timeout)) continue;
        if (runnable === 0 || !this.isStuck(t)) pool.push(t.id);
      }
      const id = choose(pool, this.steps);
      if (id === undefined) {
        this.incomplete = true;
        return;
      }
      const t = this.threads[id];
      if (!t || t.done || (t.wait && !t.wait.timeout)) throw new RangeError(`step ${this.steps}: thread ${id} cannot run now`);
      this.schedule.push(id);
      this.exec(t, this.steps++);
    }
  }

  private list(pick: (t: SimThread) => boolean, withCall = false): string {
    const ts = this.threads.filter(pick);
    return ts.map((t) => `T${t.id}${withCall ? ` (in ${t.call ?? 'no call'})` : ''}`).join(', ');
  }

  /** Check (3): with every program done, a lone writeTrylock (a fresh ops table) must succeed. */
  private checkReleased(): void {
    const c = this.newThread(this.threads.length, 'T');
    this.weak?.checkerStarts(c.id);
    for (let step = this.steps; !this.failure; step++) {
      if (c.done) {
        if (c.holds !== 'write') {
          this.fail('not-released', `after every program finished, a lone writeTrylock failed: words [${this.lockWords()}]`);
        }
        return;
      }
      if (c.wait || this.isStuck(c) || c.callOps > this.trylockBound) {
        return this.fail('not-released', `after every program finished, a lone writeTrylock spins: words [${this.lockWords()}]`);
      }
      this.exec(c, step);
    }
  }

  private newThread(id: number, program: string): SimThread {
    const t: SimThread = {
      id,
      program,
      memo: [],
      callsDone: 0,
      call: null,
      callOps: 0,
      holds: 'none',
      done: false,
      wait: null,
      seen: new Set(),
      last: '',
      echoed: false,
      watched: 0,
      watchStamp: 0,
      stuck: false,
      fresh: 0,
      unsure: false,
      atomics: undefined as unknown as LockAtomics,
      preempt: 0,
      caller: null,
      callerTraced: false,
      pre: [],
      post: [],
      own: 0,
      cycle: new Map(),
      cycleStamp: 0,
      cycling: false,
    };
    t.atomics = this.proxy();
    return t;
  }

  private isStuck(t: SimThread): boolean {
    return (t.stuck && this.stamp(t.watched) === t.watchStamp) || (t.cycling && this.changes - t.own === t.cycleStamp);
  }

  /**
   * A writeTrylock that comes back to the same op, result and lock words CYCLE_REPEATS times with
   * nobody else changing a word in between loops on its own (its own changes undo each other, as
   * a spinlock dropped and retaken while it waits): only another thread can let it out.
   */
  private cycleCheck(t: SimThread, key: string): void {
    const others = this.changes - t.own;
    if (others !== t.cycleStamp) {
      t.cycle.clear();
      t.cycleStamp = others;
      t.cycling = false;
    }
    for (let i = 0; i < this.words; i++) key += `,${this.mem[BASE + i]}`;
    const n = (t.cycle.get(key) ?? 0) + 1;
    t.cycle.set(key, n);
    // alone (the end-of-run check, a single program) it can only run on: the op bound judges it
    if (n >= CYCLE_REPEATS && this.threads.some((o) => o !== t && !o.done)) t.cycling = true;
  }

  private endCycle(t: SimThread): void {
    t.cycle.clear();
    t.cycling = false;
  }

  private stamp(mask: number): number {
    let sum = 0;
    for (let i = 0; mask !== 0; i++, mask >>>= 1) if (mask & 1) sum += this.wordVersion[i]!;
    return sum;
  }

  private forget(t: SimThread): void {
    t.seen.clear();
    t.last = '';
    t.echoed = false;
    t.watched = 0;
    t.stuck = false;
    t.fresh = 0;
    t.unsure = false;
  }

  private fail(rule: ExplorerRule, message: string): void {
    this.failure ??= { rule, message };
  }

  private lockWords(): number[] {
    const w = new Array<number>(this.words);
    for (let i = 0; i < this.words; i++) w[i] = this.mem[BASE + i]!;
    return w;
  }

  /** One step of `t`: re-run its history, perform at most one new atomic op. */
  private exec(t: SimThread, step: number): void {
    this.cur = t;
    this.stepNo = step;
    this.cursor = 0;
    this.limit = t.callsDone;
    this.allowNew = true;
    this.performed = false;
    this.preempted = false;
    this.callName = null;
    this.entry = null;
    t.preempt = 0;
    // SC: a plain design's plain loads are not seen, so its steps may read any word
    this.touches?.begin(this.plain && !this.weak ? this.allWords : 0);
    if (this.plain) {
      this.real.set(this.mem);
      this.live = false;
    }
    if (t.wait) {
      // a timed wait times out: that is this step, no new op
      const m = t.memo[t.memo.length - 1]!;
      m.result = 'timed-out';
      this.touches?.write(1 << (m.index - BASE));
      this.newEntry(t.call!, 'wait', m.index - BASE, [], 'timed-out', 'woke: timed out');
      this.unblock(t);
      this.allowNew = false;
    }
    try {
      // a lock that calls the global Atomics is seen (and preempted) as one that calls t.atomics
      withRoute(t.atomics, () => drive(this.design.create(t.atomics), t.program, t.id, this.mem, this.hooks));
      t.done = true;
    } catch (err) {
      if (err !== PREEMPT) throw this.wrap(err);
    }
    if (this.plain) this.endPlainStep(t);
    this.touches?.end();
    const entry = this.entry as TraceStep | null; // set by the hooks during drive()
    if (entry && this.tracing) entry.words = this.lockWords();
    if (!this.failure && t.call === 'writeTrylock' && t.callOps > this.trylockBound) {
      this.fail('trylock-waited', `T${t.id} writeTrylock did not return within ${this.trylockBound} atomic ops`);
    }
  }

  /** The real words from here on (the step's new work starts). */
  private goLive(): void {
    if (this.live) return;
    this.mem.set(this.real);
    this.live = true;
  }

  /** Back to the real words; a word that changed outside the atomics counts as changed. */
  private endPlainStep(t: SimThread): void {
    if (!this.live) this.mem.set(this.real);
    this.live = true;
    if (this.weak) {
      // weak memory: the step's plain stores (after its op) become plain stores of the model
      this.weak.plainStores(t.id, this.stepNo, this.callName ?? t.call ?? 'call');
      this.raced();
    }
    let changed = false;
    for (let i = 0; i < this.words; i++) {
      if (this.mem[BASE + i] !== this.real[BASE + i]) {
        this.touches?.write(1 << i);
        this.wordVersion[i]!++;
        this.changes++;
        t.own++;
        changed = true;
      }
    }
    if (changed) this.forget(t);
  }

  private wrap(err: unknown): Error {
    const what = err instanceof Error ? err.message : String(err);
    return new Error(`explorer: lock '${this.design.name}' T${this.cur.id} ${this.callName ?? 'create()'}: ${what}`, {
      cause: err,
    });
  }

  private readonly hooks: Hooks = {
    begin: (i, name, caller) => {
      if (i > this.limit) throw PREEMPT; // one call returns per step at most
      const t = this.cur;
      t.preempt += caller.preemptCount; // the context its kernel caller gives (end takes it back)
      t.caller = caller;
      if (i < this.limit || t.call !== null) {
        if (this.plain) this.mem.set(t.pre[i]!);
        if (i < this.limit) return;
      }
      this.callName = name;
      if (t.call === null) {
        if (this.plain) {
          this.goLive();
          t.pre[i] = this.mem.slice();
        }
        // the call starts in this step: a section ends when its unlock starts (as locktorture)
        t.call = name;
        t.callOps = 0;
        t.callerTraced = false;
        this.forget(t);
        this.endCycle(t);
        if (name === 'readUnlock' || name === 'writeUnlock') t.holds = 'none';
        if (name === 'readUnlock') this.touches?.count(HOLD_R);
        if (name === 'writeUnlock') this.touches?.write(HOLD_W);
      }
    },
    end: (i, name, ret, caller) => {
      this.cur.preempt -= caller.preemptCount;
      if (i !== this.limit) return;
      if (this.preempted) throw new Error("the lock caught the explorer's preemption (a catch around atomics calls?)");
      const t = this.cur;
      t.callsDone++;
      t.call = null;
      this.forget(t);
      this.endCycle(t);
      (this.entry ?? this.newEntry(name, null, null, [], null)).returned = ret;
      // the exclusion check reads who holds; the weak model's section touches the payload
      if (name === 'readLock') this.touches?.count(HOLD_R, HOLD_W | PAYLOAD);
      else if (name === 'writeTrylock' && ret) this.touches?.write(HOLD_W | PAYLOAD, HOLD_R);
      if (name === 'readLock') {
        t.holds = 'read';
        const w = this.threads.find((o) => o !== t && o.holds === 'write');
        if (w) this.fail('exclusion', `T${t.id} readLock returned while T${w.id} holds the write lock`);
      } else if (name === 'writeTrylock' && ret) {
        t.holds = 'write';
        const o = this.threads.find((x) => x !== t && x.holds !== 'none');
        if (o) this.fail('exclusion', `T${t.id} writeTrylock returned true while T${o.id} holds the ${o.holds} lock`);
      }
      if (this.weak && t.holds !== 'none') {
        this.weak.section(t.id, t.holds === 'write', this.stepNo, name);
        this.raced();
      }
    },
  };

  private newEntry(
    call: LockCall,
    op: string | null,
    index: number | null,
    args: number[],
    result: Result | null,
    note?: string,
  ): TraceStep {
    if (!this.tracing) return (this.entry = SCRATCH);
    const shown = typeof result === 'bigint' ? (BigInt.asIntN(53, result) === result ? Number(result) : String(result)) : result;
    const e: TraceStep = { step: this.stepNo, thread: this.cur.id, call, op, index, args, result: shown, words: [] };
    if (this.cur.program === 'T') e.checker = true;
    if (note !== undefined) e.note = note;
    if (!this.cur.callerTraced && this.cur.caller) {
      e.caller = describeCaller(this.cur.caller);
      this.cur.callerTraced = true;
    }
    this.entry = e;
    this.trace.push(e);
    return e;
  }

  /** The heart of re-execution: answer from the memo, or perform one new op, or preempt. */
  private op(
    name: string,
    mem: Int32Array,
    index: number,
    a: Arg,
    b: Arg,
    nargs: number,
    order?: MemoryOrder,
    failOrder?: MemoryOrder,
  ): Result {
    if (this.preempted) throw new Error("the lock caught the explorer's preemption (a catch around atomics calls?)");
    const t = this.cur;
    if (this.cursor < t.memo.length) {
      const m = t.memo[this.cursor++]!;
      if (m.op !== name || m.index !== index) {
        throw new Error(`not deterministic: re-execution made ${name}[${index - BASE}] where it made ${m.op}[${m.index - BASE}]`);
      }
      if (m.result === undefined) return this.preempt();
      if (this.plain) {
        const snap = t.post[this.cursor - 1];
        if (snap) this.mem.set(snap);
        else {
          // a wait returning for the first time: the thread resumes on the real words
          this.goLive();
          t.post[this.cursor - 1] = this.mem.slice();
        }
      }
      return m.result;
    }
    if (!this.allowNew || this.performed) return this.preempt();
    if (this.plain) {
      this.goLive();
      // weak memory: plain stores made in this step before this op (a C lock's `cnt = 0; spin_unlock()`)
      if (this.weak) this.weak.plainStores(t.id, this.stepNo, this.callName ?? 'call');
    }
    const call = this.callName;
    if (call === null) throw new Error('atomics used outside a lock call');
    if (mem !== this.mem) throw new Error(`${name}: not on the lock's memory`);
    const rel = index - BASE;
    // a 64-bit op is one op on a pair of words
    const wide = name.endsWith('64') ? 1 : 0;
    if (!Number.isInteger(index) || rel < 0 || rel + wide >= this.words) {
      throw new Error(`${name}: index ${rel} relative to the lock base is outside its ${this.words} word(s)`);
    }
    this.performed = true;
    this.cursor++;
    t.callOps++;
    this.touches?.op(name, rel, this.weak ? (order ?? 'seq_cst') : null, this.allWords);
    const args = nargs === 0 ? [] : nargs === 1 ? [Number(a)] : [Number(a), Number(b)];
    const before = mem[index]!;
    const beforeHi = mem[index + wide]!;
    let result: Result;
    let changed: boolean;
    let note: string | undefined;
    let stale = false; // weak memory: this op's read had older values to choose from
    if (name === 'wait') {
      const sleeps = before === a;
      if (call !== 'readUnlock' || t.preempt > 0) {
        // check (4): only a reader that holds may sleep; acquiring readers and writers may not,
        // nor anybody with preemption off (a held spinlock)
        this.newEntry(call, name, rel, args, sleeps ? 'sleeps' : 'not-equal');
        const where = call !== 'readUnlock' ? 'sleeping is not allowed there' : `preempt_count is ${t.preempt}`;
        const what = this.waitCall ?? 'atomics.wait';
        this.fail('sleeps', `T${t.id} ${call} calls ${what}${sleeps ? ' and would sleep' : ''}: ${where}`);
        return this.preempt();
      }
      if (!sleeps) {
        result = 'not-equal';
        changed = false;
      } else {
        t.memo.push({ op: name, index, result: undefined });
        t.wait = { index, timeout: nargs > 1 && b !== Infinity };
        this.sleepers.push(t);
        this.newEntry(call, name, rel, args, 'sleeps');
        return this.preempt();
      }
    } else if (name === 'notify') {
      const woken = this.notify(index, nargs > 0 ? Number(a) : Infinity);
      result = woken.length;
      changed = woken.length > 0;
      if (changed) note = `woke ${names(woken)}`;
    } else if (this.weak) {
      const o = order ?? 'seq_cst';
      const r = this.weak.perform(t.id, name, rel, a, b, o, failOrder ?? o, ((t.fresh >> rel) & 1) === 1, this.stepNo, `${call} ${name}[${rel}]`);
      result = r.result;
      changed = mem[index] !== before || mem[index + wide] !== beforeHi;
      stale = r.stale;
    } else {
      result = perform(name, mem, index, a, b);
      changed = mem[index] !== before || mem[index + wide] !== beforeHi;
    }
    t.memo.push({ op: name, index, result });
    if (name === 'compareExchange' && result === ((a as number) | 0)) this.touches?.write(1 << rel);
    else if (name === 'compareExchange64' && result === a) this.touches?.write(3 << rel);
    if (this.plain) t.post[t.memo.length - 1] = this.mem.slice();
    const e = this.newEntry(call, name, rel, args, result, note);
    if (this.weak) {
      if (this.tracing) this.weakEntry(e, name, order);
      this.raced();
    }
    if (changed) {
      this.wordVersion[rel]!++;
      if (wide) this.wordVersion[rel + 1]!++;
      this.changes++;
      t.own++;
      this.forget(t);
    } else {
      // the same observation twice with the words it read unchanged: the thread spins
      if (t.watched !== 0 && this.stamp(t.watched) !== t.watchStamp) this.forget(t);
      t.watched |= name === 'relax' ? this.allWords : (1 + wide * 2) << rel; // cpu_relax() waits for any word
      t.watchStamp = this.stamp(t.watched);
      const key = `${name}:${rel}:${a}:${b}:${result}`;
      // Weak memory: while an observation may have been of an old value, a repeat is no
      // evidence of spinning; it makes the thread read the newest values of the words it
      // watches from then on, and only repeats made so count (loom's rule).
      t.unsure ||= stale;
      const seenKey = stale ? `~${key}` : key;
      // The same observation right after itself (fences aside), once, is a re-read, not yet a
      // spin: the kernel's conditional atomics read again after atomic_cond_read_acquire()
      // (a load, then smp_acquire__after_ctrl_dep()) saw the value it waited for.
      const echo = seenKey === t.last && !t.echoed;
      if (name !== 'fence') {
        t.echoed = echo;
        t.last = seenKey;
      }
      if (echo) {
        // judged by what comes next
      } else if (!t.seen.has(seenKey) && !(stale && t.seen.has(key))) t.seen.add(seenKey);
      else if (!t.unsure) t.stuck = true;
      else {
        t.fresh |= t.watched;
        t.seen.clear();
        t.unsure = false;
      }
    }
    if (call === 'writeTrylock' && !this.weak) {
      this.touches?.read(this.allWords); // whether it loops on its own depends on every word
      this.cycleCheck(t, `${name}:${rel}:${a}:${b}:${result}`);
    }
    return result;
  }

  /** Weak memory: a fence is a step of its own. */
  private fence(order: MemoryOrder): void {
    this.ordered = true;
    if (this.weak) this.op('fence', this.mem, BASE, 0, 0, 0, order);
  }

  /** Weak memory: a plain access the lock reports (instrumented C), in this step's new work only. */
  private plainTouch(mem: Int32Array, index: number, write: boolean): void {
    const rel = index - BASE;
    if (!this.weak || !this.live || this.callName === null || mem !== this.mem || rel < 0 || rel >= this.words) return;
    if (write) this.touches?.write(1 << rel);
    else this.touches?.read(1 << rel);
    this.weak.plainTouch(this.cur.id, rel, write, this.stepNo, `${this.callName} plain ${write ? 'store' : 'load'}[${rel}]`);
    this.raced();
  }

  private raced(): void {
    const m = this.weak!.raceMessage();
    if (m) this.fail('data-race', m);
  }

  private weakEntry(e: TraceStep, name: string, order: MemoryOrder | undefined): void {
    if (name === 'fence') e.index = null;
    e.order = name.startsWith('plain') ? 'plain' : (order ?? 'seq_cst');
    const r = this.weak!.lastRead;
    if (r) e.readFrom = r;
  }

  private preempt(): never {
    this.preempted = true;
    throw PREEMPT;
  }

  private notify(index: number, count: number): SimThread[] {
    const woken: SimThread[] = [];
    for (const s of [...this.sleepers]) {
      if (woken.length >= count) break;
      if (s.wait?.index !== index) continue;
      s.memo[s.memo.length - 1]!.result = 'ok';
      this.unblock(s);
      woken.push(s);
    }
    return woken;
  }

  private unblock(t: SimThread): void {
    t.wait = null;
    this.sleepers.splice(this.sleepers.indexOf(t), 1);
  }

  private proxy(): LockAtomics {
    const op = (name: string, m: Int32Array, i: number, a: Arg, b: Arg, n: number, o?: MemoryOrder, fo?: MemoryOrder) => {
      if (o !== undefined) this.ordered = true;
      return this.op(name, m, i, a, b, n, o, fo);
    };
    const weak = this.weak !== null;
    return {
      load: (m, i, o) => op('load', m, i, 0, 0, 0, o) as number,
      store: (m, i, v, o) => op('store', m, i, v, 0, 1, o) as number,
      add: (m, i, v, o) => op('add', m, i, v, 0, 1, o) as number,
      sub: (m, i, v, o) => op('sub', m, i, v, 0, 1, o) as number,
      and: (m, i, v, o) => op('and', m, i, v, 0, 1, o) as number,
      or: (m, i, v, o) => op('or', m, i, v, 0, 1, o) as number,
      xor: (m, i, v, o) => op('xor', m, i, v, 0, 1, o) as number,
      exchange: (m, i, v, o) => op('exchange', m, i, v, 0, 1, o) as number,
      compareExchange: (m, i, e, r, o, fo) => op('compareExchange', m, i, e, r, 2, o, fo) as number,
      wait: (m, i, v, timeout, call) => {
        this.waitCall = call;
        return op('wait', m, i, v, timeout ?? Infinity, timeout === undefined ? 1 : 2) as 'ok' | 'not-equal' | 'timed-out';
      },
      load64: (m, i, o) => op('load64', m, i, 0n, 0n, 0, o) as bigint,
      store64: (m, i, v, o) => op('store64', m, i, v, 0n, 1, o) as bigint,
      add64: (m, i, v, o) => op('add64', m, i, v, 0n, 1, o) as bigint,
      and64: (m, i, v, o) => op('and64', m, i, v, 0n, 1, o) as bigint,
      or64: (m, i, v, o) => op('or64', m, i, v, 0n, 1, o) as bigint,
      xor64: (m, i, v, o) => op('xor64', m, i, v, 0n, 1, o) as bigint,
      exchange64: (m, i, v, o) => op('exchange64', m, i, v, 0n, 1, o) as bigint,
      compareExchange64: (m, i, e, r, o, fo) => op('compareExchange64', m, i, e, r, 2, o, fo) as bigint,
      notify: (m, i, count) => op('notify', m, i, count ?? 0, 0, count === undefined ? 0 : 1) as number,
      // SC: a fence orders nothing more, and plain accesses are loads and stores like any other.
      fence: (o) => this.fence(o ?? 'seq_cst'),
      plainLoad: (m, i) => {
        this.ordered = true;
        return op(weak ? 'plainLoad' : 'load', m, i, 0, 0, 0) as number;
      },
      plainStore: (m, i, v) => {
        this.ordered = true;
        op(weak ? 'plainStore' : 'store', m, i, v, 0, 1);
      },
      plainAccess: (m, i, write) => this.plainTouch(m, i, write),
      // cpu_relax(): a scheduling point that observes nothing but waits for any word to change
      relax: () => {
        op('relax', this.mem, BASE, 0, 0, 0);
      },
      preempt: (delta) => (this.cur.preempt += delta),
      warn: (message) => {
        this.newEntry(this.callName ?? 'readLock', null, null, [], null, message);
        const from = this.callName && this.cur.caller ? ` from ${describeCaller(this.cur.caller)}` : '';
        this.fail('warn', `T${this.cur.id} ${this.callName ?? 'create()'}${from}: ${message}`);
      },
    };
  }
}

interface Hooks {
  begin(i: number, name: LockCall, caller: LockCaller): void;
  end(i: number, name: LockCall, ret: boolean | null, caller: LockCaller): void;
}

/**
 * A thread's program as lock calls; call i is bracketed by hooks so re-execution knows where
 * it is. Each call is made as a kernel caller makes it (calling-context); an operation with
 * several callers takes them in turn, thread `id` starting at its id-th one.
 */
function drive(ops: LockOps, program: string, id: number, mem: Int32Array, h: Hooks): void {
  let i = 0;
  let sections = id;
  for (const s of program) {
    const n = sections++;
    if (s === 'R') {
      const lock = callerFor('readLock', n);
      h.begin(i, 'readLock', lock);
      ops.readLock(mem, BASE);
      h.end(i++, 'readLock', null, lock);
      const unlock = callerFor('readUnlock', n);
      h.begin(i, 'readUnlock', unlock);
      ops.readUnlock(mem, BASE);
      h.end(i++, 'readUnlock', null, unlock);
    } else {
      const trylock = callerFor('writeTrylock', n);
      h.begin(i, 'writeTrylock', trylock);
      const ok = Boolean(ops.writeTrylock(mem, BASE));
      h.end(i++, 'writeTrylock', ok, trylock);
      if (ok && s === 'W') {
        const unlock = callerFor('writeUnlock', n);
        h.begin(i, 'writeUnlock', unlock);
        ops.writeUnlock(mem, BASE);
        h.end(i++, 'writeUnlock', null, unlock);
      }
    }
  }
}

function perform(name: string, mem: Int32Array, index: number, a: Arg, b: Arg): number | bigint {
  if (typeof a === 'bigint') return perform64(name, mem, index, a, b as bigint);
  b = b as number;
  switch (name) {
    case 'load':
      return RAW_ATOMICS.load(mem, index);
    case 'store':
      return RAW_ATOMICS.store(mem, index, a);
    case 'add':
      return RAW_ATOMICS.add(mem, index, a);
    case 'sub':
      return RAW_ATOMICS.sub(mem, index, a);
    case 'and':
      return RAW_ATOMICS.and(mem, index, a);
    case 'or':
      return RAW_ATOMICS.or(mem, index, a);
    case 'xor':
      return RAW_ATOMICS.xor(mem, index, a);
    case 'exchange':
      return RAW_ATOMICS.exchange(mem, index, a);
    case 'compareExchange':
      return RAW_ATOMICS.compareExchange(mem, index, a, b);
    case 'relax':
      return 0;
    default:
      throw new Error(`unknown atomic op ${name}`);
  }
}

function perform64(name: string, mem: Int32Array, index: number, a: bigint, b: bigint): bigint {
  switch (name) {
    case 'load64':
      return RAW_ATOMICS64.load64(mem, index);
    case 'store64':
      return RAW_ATOMICS64.store64(mem, index, a);
    case 'compareExchange64':
      return RAW_ATOMICS64.compareExchange64(mem, index, a, b);
    default:
      return RAW_ATOMICS64[name as Rmw64](mem, index, a);
  }
}

function names(ts: readonly SimThread[]): string {
  return ts.map((t) => `T${t.id}`).join(', ');
}
