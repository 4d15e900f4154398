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
// Designs with plain accesses re-execute on snapshots of the words (plain-snapshots.ts). The
// parts: rules.ts, spin.ts, sim-atomics.ts, programs.ts, sim-trace.ts; checkpoint.ts forks.
import { RAW_ATOMICS, withRoute } from '../invariants/global-atomics.js';
import { callAs, describeCaller, withPreemptCount } from '../locks/calling-context.js';
import type { LockDesign, LoopEdge, MemoryOrder, ResultUse } from '../locks/contract.js';
import { PlainSnapshots } from './plain-snapshots.js';
import { drive, type CallHooks } from './programs.js';
import { exclusion, IDLE_BOUND, LoopRules, notReleased, sleeps, type RunFailure } from './rules.js';
import { lockWord, perform, simAtomics, type SimAtomics } from './sim-atomics.js';
import { BASE, callDone, lockError, names, newThread, PREEMPT, skipDone, Sleepers, type Arg, type Result, type SimThread } from './sim-thread.js';
import { Tracer } from './sim-trace.js';
import { endCycle, forget, observation, SpinWatch } from './spin.js';
import { fold, foldOp, foldStart, loopEdge, othersOutsideLoops } from './spin-fold.js';
import { HOLD_R, HOLD_W, PAYLOAD, type Touches } from './touches.js';
import type { ExplorerRule, LockCall, TraceStep } from './types.js';
import { WeakRun, type ReadChooser } from './wmm/weak-run.js';

/** Picks the thread for step `step` from `pool`; undefined = no more steps (replay ran out). */
export type Chooser = (pool: readonly number[], step: number) => number | undefined;

const CAUGHT = "the lock caught the explorer's preemption (a catch around atomics calls?)";

export class Run implements SimAtomics {
  readonly mem: Int32Array;
  readonly threads: SimThread[];
  readonly schedule: number[] = [];
  readonly trace: TraceStep[];
  failure: RunFailure | null = null;
  incomplete = false; // replay ran out of steps before the run ended
  steps = 0;
  ordered = false; // the lock used an ordering, a fence or a plain access
  /** Set in weak-memory mode (--memory weak). */
  readonly weak: WeakRun | null;
  /** Exhaustive exploration (dpor.ts): what each step read and wrote; null unless asked for. */
  touches: Touches | null = null;
  /** Exhaustive exploration: called at each scheduling point before it is judged (checkpoint.ts). */
  atPoint: ((step: number) => void) | null = null;
  foldSpins = false; // state caching: each thread's call in progress, failed spin iterations removed (spin-fold.ts)
  dominated = false; // foldSpins: the step ended a read-only failed round that state caching cuts (spin-fold.ts)
  readonly spin: SpinWatch;
  readonly rules = new LoopRules();
  private readonly tracer: Tracer;
  private readonly pool: number[] = [];
  private readonly words: number;
  private readonly maxSteps: number;
  private readonly trylockBound: number;
  readonly sleepers = new Sleepers();
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
  private stepNo = 0;
  /** plainAccess: re-execution runs on snapshots. */
  private readonly plain: boolean;
  private readonly skipping: boolean; // a re-run skips completed calls: they are independent (LockDesign.callsIndependent, a C lock)
  private readonly snapshots: PlainSnapshots;
  private readonly allWords: number;

  constructor(
    readonly design: LockDesign,
    programs: readonly string[],
    tracing: boolean,
    chooseRead: ReadChooser | null = null,
  ) {
    this.words = design.words;
    this.mem = new Int32Array(BASE + design.words);
    this.snapshots = new PlainSnapshots(this.mem);
    this.plain = design.plainAccess === true;
    this.skipping = design.callsIndependent === true || design.source !== undefined;
    this.allWords = design.words >= 31 ? -1 : (1 << design.words) - 1;
    this.tracer = new Tracer(tracing);
    this.trace = this.tracer.trace;
    const sections = programs.reduce((n, p) => n + p.length, 0);
    this.maxSteps = 100 * sections + IDLE_BOUND;
    this.trylockBound = 50 * sections + 50;
    const setup = { preemptCount: 0 }; // init() as alloc_zspage() calls it
    const ops = design.create(withPreemptCount(RAW_ATOMICS, setup));
    callAs(setup, 'init', () => ops.init(this.mem, BASE));
    this.weak = chooseRead ? new WeakRun(this.mem, BASE, design.words, programs.length, chooseRead) : null;
    this.threads = programs.map((p, id) => newThread(id, p, simAtomics(this, this.mem, this.weak !== null)));
    this.spin = new SpinWatch(this.mem, design.words, this.allWords, this.threads);
  }

  /** Runs until every program is done (then the release check), a failure, or the chooser stops. */
  run(choose: Chooser): void {
    const pool = this.pool;
    while (!this.failure) {
      this.atPoint?.(this.steps);
      const broken = this.rules.judge(this.threads, this.spin);
      if (this.rules.live === 0) return this.checkReleased();
      if (broken) return this.fail(broken.rule, broken.message);
      if (this.steps >= this.maxSteps) return this.fail('livelock', `not finished after ${this.maxSteps} steps`);
      this.spin.schedulable(this.threads, this.rules.runnable > 0, pool);
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

  /** Check (3): with every program done, a lone writeTrylock (a fresh ops table) must succeed. */
  private checkReleased(): void {
    const c = newThread(this.threads.length, 'T', simAtomics(this, this.mem, this.weak !== null));
    this.weak?.checkerStarts(c.id);
    for (let step = this.steps; !this.failure; step++) {
      if (c.done) {
        if (c.holds !== 'write') this.fail('not-released', notReleased(false, Array.from(this.mem.subarray(BASE))));
        return;
      }
      if (c.wait || this.spin.isStuck(c) || c.callOps > this.trylockBound) {
        return this.fail('not-released', notReleased(true, Array.from(this.mem.subarray(BASE))));
      }
      this.exec(c, step);
    }
  }

  private fail(rule: ExplorerRule, message: string): void {
    this.failure ??= { rule, message };
  }

  /** One step of `t`: re-run its history, perform at most one new atomic op. */
  private exec(t: SimThread, step: number): void {
    this.cur = t;
    this.stepNo = step;
    this.cursor = 0;
    this.limit = t.callsDone;
    this.allowNew = true;
    this.performed = this.preempted = this.dominated = false;
    this.callName = null;
    this.tracer.entry = null;
    t.preempt = 0;
    // SC: a plain design's plain loads are not seen, so its steps may read any word
    this.touches?.begin(this.plain && !this.weak ? this.allWords : 0);
    if (this.plain) this.snapshots.begin();
    if (t.wait) {
      // a timed wait times out: that is this step, no new op
      const rel = this.sleepers.timeOut(t) - BASE;
      this.touches?.write(1 << rel);
      this.newEntry(t.call!, 'wait', rel, [], 'timed-out', 'woke: timed out');
      this.allowNew = false;
    }
    try {
      // a lock that calls the global Atomics is seen (and preempted) as one that calls t.atomics
      withRoute(t.atomics, () => drive(this.design.create(t.atomics), t.program, t.id, this.mem, this.hooks));
      t.done = true;
    } catch (err) {
      if (err !== PREEMPT) throw lockError(`lock '${this.design.name}' T${t.id} ${this.callName ?? 'create()'}`, err);
    }
    if (this.plain) this.endPlainStep(t);
    this.touches?.end();
    this.tracer.stepEnded(this.mem.subarray(BASE)); // its entry: set by the hooks during drive()
    if (!this.failure && t.call === 'writeTrylock' && t.callOps > this.trylockBound) {
      this.fail('trylock-waited', `T${t.id} writeTrylock did not return within ${this.trylockBound} atomic ops`);
    }
  }

  /** Back to the real words; a word that changed outside the atomics counts as changed. */
  private endPlainStep(t: SimThread): void {
    this.snapshots.end();
    if (this.weak) {
      // weak memory: the step's plain stores (after its op) become plain stores of the model
      this.weak.plainStores(t.id, this.stepNo, this.callName ?? t.call ?? 'call');
      this.raced();
    }
    let changed = false;
    for (let i = 0; i < this.words; i++) {
      if (this.snapshots.changed(i)) {
        this.touches?.write(1 << i);
        this.spin.plainChange(t, i);
        changed = true;
      }
    }
    if (changed) forget(t);
    if (changed && this.foldSpins) fold(t, 'plain', '', true);
  }

  private readonly hooks: CallHooks = {
    begin: (i, name, caller, section) => {
      if (i > this.limit) throw PREEMPT; // one call returns per step at most
      const t = this.cur;
      if (i === this.limit && this.skipping) this.cursor = skipDone(t);
      t.preempt += caller.preemptCount; // the context its kernel caller gives (end takes it back)
      t.caller = caller;
      if (i < this.limit || t.call !== null) {
        if (this.plain) this.snapshots.callAgain(t, i);
        if (i < this.limit) return;
      }
      this.callName = name;
      if (t.call === null) {
        if (this.plain) this.snapshots.callStarts(t, i);
        // the call starts in this step: a section ends when its unlock starts (as locktorture)
        t.call = name;
        t.section = section;
        t.callOps = 0;
        foldStart(t);
        t.callerTraced = false;
        forget(t);
        endCycle(t);
        if (name === 'readUnlock' || name === 'writeUnlock') t.holds = 'none';
        if (name === 'readUnlock') this.touches?.count(HOLD_R);
        if (name === 'writeUnlock') this.touches?.write(HOLD_W);
      }
    },
    end: (i, name, ret, caller) => {
      this.cur.preempt -= caller.preemptCount;
      if (i !== this.limit) return;
      if (this.preempted) throw new Error(CAUGHT);
      const t = this.cur;
      callDone(t, ret);
      t.call = null;
      forget(t);
      endCycle(t);
      (this.tracer.entry ?? this.newEntry(name, null, null, [], null)).returned = ret;
      // the exclusion check reads who holds; the weak model's section touches the payload
      if (name === 'readLock') this.touches?.count(HOLD_R, HOLD_W | PAYLOAD);
      else if (name === 'writeTrylock' && ret) this.touches?.write(HOLD_W | PAYLOAD, HOLD_R);
      if (name === 'readLock' || (name === 'writeTrylock' && ret)) {
        t.holds = name === 'readLock' ? 'read' : 'write';
        const broken = exclusion(this.threads, t);
        if (broken) this.fail('exclusion', broken);
      }
      if (this.weak && t.holds !== 'none') {
        this.weak.section(t.id, t.holds === 'write', this.stepNo, name);
        this.raced();
      }
    },
    skip: (i) => (i < this.limit && this.skipping ? this.cur.returned[i] : undefined),
  };

  private newEntry(call: LockCall, op: string | null, index: number | null, args: number[], result: Result | null, note?: string): TraceStep {
    return this.tracer.add(this.stepNo, this.cur, call, op, index, args, result, note);
  }

  /** The heart of re-execution: answer from the memo, or perform one new op, or preempt. */
  op(name: string, mem: Int32Array, index: number, a: Arg, b: Arg, nargs: number, order?: MemoryOrder, failOrder?: MemoryOrder, use?: ResultUse): Result {
    if (this.preempted) throw new Error(CAUGHT);
    const t = this.cur;
    if (this.cursor < t.memo.length) {
      // an op made in an earlier step: its memo answers (on its snapshot, for a plain design)
      const m = t.memo[this.cursor++]!;
      if (m.op !== name || m.index !== index) {
        throw new Error(`not deterministic: re-execution made ${name}[${index - BASE}] where it made ${m.op}[${m.index - BASE}]`);
      }
      if (m.result === undefined) return this.preempt();
      if (this.plain) this.snapshots.opAgain(t, this.cursor - 1);
      return m.result;
    }
    if (!this.allowNew || this.performed) return this.preempt();
    if (this.plain) {
      this.snapshots.goLive();
      // weak memory: plain stores made in this step before this op (a C lock's `cnt = 0; spin_unlock()`)
      if (this.weak) this.weak.plainStores(t.id, this.stepNo, this.callName ?? 'call');
    }
    const call = this.callName;
    if (call === null) throw new Error('atomics used outside a lock call');
    const wide = name.endsWith('64') ? 1 : 0; // a 64-bit op is one op on a pair of words
    const rel = lockWord(name, mem, index, wide, this.mem, this.words);
    this.performed = true;
    this.cursor++;
    t.callOps++;
    this.touches?.op(name, rel, this.weak ? (order ?? 'seq_cst') : null, this.allWords);
    return this.performNew(t, call, name, rel, wide, a, b, nargs, order, failOrder, use);
  }

  /** The step's new op, performed on the words, memoized and traced; the spin rules watch it. */
  private performNew(t: SimThread, call: LockCall, name: string, rel: number, wide: number, a: Arg, b: Arg, nargs: number, order?: MemoryOrder, failOrder?: MemoryOrder, use?: ResultUse): Result {
    const mem = this.mem;
    const index = BASE + rel;
    const args = nargs === 0 ? [] : nargs === 1 ? [Number(a)] : [Number(a), Number(b)];
    const before = mem[index]!;
    const beforeHi = mem[index + wide]!;
    let result: Result;
    let changed = false;
    let note: string | undefined;
    let stale = false; // weak memory: this op's read had older values to choose from
    if (name === 'wait') {
      result = this.waitOp(t, call, index, args, a, b, nargs);
    } else if (name === 'notify') {
      const woken = this.sleepers.notify(index, nargs > 0 ? Number(a) : Infinity);
      result = woken.length;
      changed = woken.length > 0;
      if (changed) note = `woke ${names(woken)}`;
    } else if (this.weak) {
      const o = order ?? 'seq_cst';
      const r = this.weak.perform(t.id, name, rel, a, b, o, failOrder ?? o, ((t.fresh >> rel) & 1) === 1, this.stepNo, `${call} ${name}[${rel}]`);
      result = r.result;
      changed = mem[index] !== before || mem[index + wide] !== beforeHi;
      stale = r.stale;
      this.dominated = r.older === true;
    } else {
      result = perform(name, mem, index, a, b);
      changed = mem[index] !== before || mem[index + wide] !== beforeHi;
    }
    t.memo.push(Object.freeze({ op: name, index, result })); // frozen: checkpoints share it (a wait's is made by Sleepers)
    if (name === 'compareExchange' && result === ((a as number) | 0)) this.touches?.write(1 << rel);
    else if (name === 'compareExchange64' && result === a) this.touches?.write(3 << rel);
    if (this.plain) this.snapshots.opDone(t, t.memo.length - 1);
    const e = this.newEntry(call, name, rel, args, result, note);
    if (this.weak) {
      if (this.tracer.tracing) this.tracer.weak(e, name, order, this.weak);
      this.raced();
    }
    if (changed) this.spin.changed(t, rel, wide);
    else this.spin.observe(t, name, rel, wide, a, b, result, stale, this.touches);
    // a result the code does not use (ResultUse) is no part of where the thread is
    if (this.foldSpins) this.dominated = foldOp(t, observation(name, rel, a, b, use === 'unused' ? '*' : result), changed, this.design) && (this.dominated || othersOutsideLoops(this.threads, t, this.spin));
    if (call === 'writeTrylock' && !this.weak) {
      this.touches?.read(this.allWords); // whether it loops on its own depends on every word
      this.spin.cycleCheck(t, observation(name, rel, a, b, result));
    }
    return result;
  }

  /** futex_wait: sleeps (the step ends) when the word holds `a`, else 'not-equal'; the sleeps rule judges it. */
  private waitOp(t: SimThread, call: LockCall, index: number, args: number[], a: Arg, b: Arg, nargs: number): Result {
    const rel = index - BASE;
    const wouldSleep = this.mem[index] === a;
    const broken = sleeps(t, call, this.waitCall ?? 'atomics.wait', wouldSleep);
    if (broken) {
      this.newEntry(call, 'wait', rel, args, wouldSleep ? 'sleeps' : 'not-equal');
      this.fail('sleeps', broken);
      return this.preempt();
    }
    if (!wouldSleep) return 'not-equal';
    this.sleepers.sleep(t, index, nargs > 1 && b !== Infinity);
    if (this.foldSpins) fold(t, `wait:${rel}:${a}`, '', true); // what it returns: the memo's last op (state-key.ts)
    this.newEntry(call, 'wait', rel, args, 'sleeps');
    return this.preempt();
  }

  /** A plain access the lock reports (instrumented C), in this step's new work only: an input of its stretch; under weak, an event of the model. */
  plainTouch(mem: Int32Array, index: number, write: boolean): void {
    const rel = index - BASE;
    if (!this.snapshots.live || this.callName === null || mem !== this.mem || rel < 0 || rel >= this.words) return;
    this.snapshots.access(this.cur, rel, write);
    if (!this.weak) return;
    this.touches?.[write ? 'write' : 'read'](1 << rel);
    this.weak.plainTouch(this.cur.id, rel, write, this.stepNo, `${this.callName} plain ${write ? 'store' : 'load'}[${rel}]`);
    this.raced();
  }

  /** data-race (weak memory): the model reports a section's plain access racing another's. */
  private raced(): void {
    const m = this.weak!.raceMessage();
    if (m) this.fail('data-race', m);
  }

  private preempt(): never {
    this.preempted = true;
    throw PREEMPT;
  }

  // The rest of SimAtomics: what the lock's atomics (sim-atomics.ts) call besides op().
  declareOrdered(): void { this.ordered = true; }

  fence(order: MemoryOrder): void {
    this.ordered = true;
    if (this.weak) this.op('fence', this.mem, BASE, 0, 0, 0, order); // weak memory: a step of its own
  }

  setWaitCall(call: string | undefined): void {
    this.waitCall = call;
  }

  addPreempt(delta: number): number {
    return (this.cur.preempt += delta);
  }

  loop(edge: LoopEdge): void {
    if (this.foldSpins && this.cursor === this.cur.memo.length) loopEdge(this.cur, edge); // new work of the step only
  }

  warn(message: string): void {
    this.newEntry(this.callName ?? 'readLock', null, null, [], null, message);
    const from = this.callName && this.cur.caller ? ` from ${describeCaller(this.cur.caller)}` : '';
    this.fail('warn', `T${this.cur.id} ${this.callName ?? 'create()'}${from}: ${message}`);
  }
}
