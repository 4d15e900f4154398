// Runs a litmus test exhaustively under LK-RA: every interleaving of its statements and every
// read choice, by stateless re-execution along a recorded path of choices (as loom's Path):
// each run replays the path's prefix and takes choice 0 at each new choice point; then the last
// choice that has an untried alternative is advanced.
import { BadInputError } from '../../errors.js';
import { condStep } from './kernel.js';
import type { Litmus, Operand, Outcome, Prop, RmwOp, Stmt } from './parse.js';
import { WeakMemory, type EventInfo } from '../wmm/memory.js';

/** More executions than this is not a litmus test (exit 2 rather than run for hours). */
export const MAX_EXECUTIONS = 2_000_000;

export interface LitmusResult {
  test: string;
  file: string;
  expected: Outcome | null;
  observed: Outcome;
  /** expected === observed (null when the file states no Result). */
  agrees: boolean | null;
  /** 'weaker': the model allows what the file says it must not (a false alarm); 'stronger': the reverse. */
  differs: 'weaker' | 'stronger' | null;
  executions: number;
  /** Executions satisfying the proposition (after any filter). */
  witnesses: number;
  /** Some execution had a data race between plain accesses (herd7's "Flag data-race"). */
  dataRace: boolean;
  /** Distinct final states: registers and locations, e.g. '0:r0=1; 1:r0=0; x=1'. */
  states: string[];
}

/** `sc`: every load reads the newest store (sequential consistency), for comparison. */
export function runLitmus(t: Litmus, options: { sc?: boolean } = {}): LitmusResult {
  const locs = locations(t);
  const path: { n: number; k: number }[] = [];
  let executions = 0;
  let witnesses = 0;
  let counted = 0;
  let dataRace = false;
  const states = new Set<string>();
  for (;;) {
    const r = execute(t, locs, path, options.sc === true);
    if (r) {
      executions++;
      dataRace ||= r.race;
      if (!t.filter || evalProp(t.filter, r.regs, r.mem, locs)) {
        counted++;
        states.add(r.state);
        if (evalProp(t.prop, r.regs, r.mem, locs)) witnesses++;
      }
    }
    if (executions > MAX_EXECUTIONS) throw new BadInputError(`${t.file}: more than ${MAX_EXECUTIONS} executions: too large for a litmus test`);
    while (path.length > 0 && path[path.length - 1]!.k === path[path.length - 1]!.n - 1) path.pop();
    if (path.length === 0) break;
    path[path.length - 1]!.k++;
  }
  const observed: Outcome = witnesses === 0 ? 'Never' : witnesses === counted ? 'Always' : 'Sometimes';
  const expected = t.expected;
  return {
    test: t.name,
    file: t.file,
    expected,
    observed,
    agrees: expected === null ? null : expected === observed,
    differs: expected === null || expected === observed ? null : weaker(expected, observed) ? 'weaker' : 'stronger',
    executions,
    witnesses,
    dataRace,
    states: [...states].sort(),
  };
}

/** Observed allows an outcome that expected rules out. */
function weaker(expected: Outcome, observed: Outcome): boolean {
  if (expected === 'Never') return observed !== 'Never';
  if (expected === 'Always') return observed !== 'Always';
  return false; // expected Sometimes: Never or Always observed is stronger
}

function locations(t: Litmus): string[] {
  const names = new Set<string>(t.init.keys());
  for (const th of t.threads) for (const s of th) if ('loc' in s) names.add(s.loc);
  return [...names].sort();
}

/** One execution along `path`; null if every thread left blocks on a lock (not an execution). */
function execute(
  t: Litmus,
  locNames: string[],
  path: { n: number; k: number }[],
  sc: boolean,
): { regs: Map<string, number>[]; mem: number[]; race: boolean; state: string } | null {
  let depth = 0;
  const choose = (n: number): number => {
    if (sc) return 0;
    return branch(n);
  };
  const branch = (n: number): number => {
    if (n <= 1) return 0;
    if (depth < path.length) return path[depth++]!.k;
    path.push({ n, k: 0 });
    depth++;
    return 0;
  };
  const loc = new Map(locNames.map((n, i) => [n, i]));
  const mem = new WeakMemory(
    locNames.map((n) => t.init.get(n) ?? 0),
    t.threads.length,
  );
  const regs = t.threads.map(() => new Map<string, number>());
  const pc = t.threads.map(() => 0);
  const val = (tid: number, o: Operand): number => ('num' in o ? o.num : (regs[tid]!.get(o.reg) ?? 0));
  const set = (tid: number, reg: string | null, v: number) => {
    if (reg) regs[tid]!.set(reg, v | 0);
  };
  const x: Execution = { mem, loc, choose, val, set };
  const enabled: number[] = [];
  let step = 0;
  for (;;) {
    enabled.length = 0;
    let live = 0;
    for (let i = 0; i < t.threads.length; i++) {
      const s = t.threads[i]![pc[i]!];
      if (!s) continue;
      live++;
      if (s.k === 'lock' && mem.newest(loc.get(s.loc)!) !== 0) continue; // spins until the lock is free
      enabled.push(i);
    }
    if (live === 0) break;
    if (enabled.length === 0) return null;
    const tid = enabled[branch(enabled.length)]!;
    const s = t.threads[tid]![pc[tid]!++]!;
    const info: EventInfo = { step: step++, what: s.text };
    perform(x, tid, s, info);
  }
  if (depth < path.length) throw new Error('litmus: a re-execution took fewer choices than its path (not deterministic)');
  const final = locNames.map((_, i) => mem.newest(i));
  return { regs, mem: final, race: mem.race !== null, state: finalState(regs, locNames, final) };
}

/** '0:r0=1; 1:r0=0; x=1': the registers of each thread, then the locations. */
function finalState(regs: Map<string, number>[], locNames: string[], final: number[]): string {
  const state: string[] = [];
  regs.forEach((m, i) => [...m.keys()].sort().forEach((r) => state.push(`${i}:${r}=${m.get(r)}`)));
  locNames.forEach((n, i) => state.push(`${n}=${final[i]}`));
  return state.join('; ');
}

/** What a statement works on in one execution. */
interface Execution {
  mem: WeakMemory;
  loc: Map<string, number>;
  /** Picks one of `n` read choices (0 under SC). */
  choose(n: number): number;
  val(tid: number, o: Operand): number;
  set(tid: number, reg: string | null, v: number): void;
}

/** Does statement `s` of thread `tid`. */
function perform({ mem, loc, choose, val, set }: Execution, tid: number, s: Stmt, info: EventInfo): void {
  const l = 'loc' in s ? loc.get(s.loc)! : -1;
  switch (s.k) {
    case 'load':
      if (s.order === 'plain') set(tid, s.reg, mem.plainLoad(tid, l, info));
      else {
        const v = mem.load(tid, l, s.order, choose, info).val;
        set(tid, s.reg, s.bit === undefined ? v : (v >>> s.bit) & 1);
      }
      break;
    case 'store':
      if (s.order === 'plain') mem.plainStore(tid, l, val(tid, s.val), info);
      else mem.store(tid, l, val(tid, s.val), s.order, info);
      break;
    case 'rmw': {
      const arg = val(tid, s.arg);
      const { old } = mem.rmw(tid, l, (o) => rmwOp(s.op, o, arg), s.order, s.order, info);
      const nv = rmwOp(s.op, old.val, arg);
      set(tid, s.reg, s.ret === 'old' ? old.val : s.ret === 'new' ? nv : s.ret === 'negative' ? (nv < 0 ? 1 : 0) : nv === 0 ? 1 : 0);
      break;
    }
    case 'cmpxchg': {
      set(tid, s.reg, mem.cas(tid, l, val(tid, s.expected), val(tid, s.repl), s.order, s.failOrder, choose, info).val);
      break;
    }
    case 'cond': {
      const a = val(tid, s.arg);
      const u = val(tid, s.unless) | 0;
      // fully ordered when it writes, unordered when it does not (atomic_t.txt)
      let ret = 0;
      const step = (o: number) => {
        const r = condStep(s.op, o, a, u);
        ret = r.ret;
        return r.write;
      };
      mem.rmw(tid, l, step, 'seq_cst', 'relaxed', info);
      set(tid, s.reg, ret);
      break;
    }
    case 'testBit': {
      // asm-generic/bitops: a bit already as asked is a plain (unordered) read, no write
      const op = s.op;
      const m = s.mask;
      const write = (o: number) => (op === 'or' && o & m) || (op === 'andnot' && !(o & m)) ? null : rmwOp(op, o, m);
      const { old } = mem.rmw(tid, l, write, s.order, 'relaxed', info);
      set(tid, s.reg, old.val & m ? 1 : 0);
      break;
    }
    case 'fence':
      mem.fence(tid, s.order);
      break;
    case 'lock':
    case 'trylock': {
      // spin_lock: an acquire RMW on the lock word, then a release fence standing in for
      // LKMM's po-unlock-lock-po ordering (without it MP+unlocklockonceonce+fencermbonceonce
      // would be allowed: a false alarm). A failed trylock is an unordered read.
      const { wrote } = mem.rmw(tid, l, (o) => (o === 0 ? 1 : null), 'acquire', 'relaxed', info);
      if (wrote) mem.fence(tid, 'release');
      if (s.k === 'trylock') set(tid, s.reg, wrote ? 1 : 0);
      break;
    }
    case 'unlock':
      mem.store(tid, l, 0, 'release', info);
      break;
  }
}

function rmwOp(op: RmwOp, old: number, arg: number): number {
  switch (op) {
    case 'add':
      return (old + arg) | 0;
    case 'sub':
      return (old - arg) | 0;
    case 'and':
      return old & arg;
    case 'or':
      return old | arg;
    case 'xor':
      return old ^ arg;
    case 'andnot':
      return old & ~arg;
    case 'xchg':
      return arg | 0;
  }
}

function evalProp(p: Prop, regs: Map<string, number>[], mem: number[], locs: string[]): boolean {
  switch (p.k) {
    case 'and':
      return evalProp(p.a, regs, mem, locs) && evalProp(p.b, regs, mem, locs);
    case 'or':
      return evalProp(p.a, regs, mem, locs) || evalProp(p.b, regs, mem, locs);
    case 'not':
      return !evalProp(p.a, regs, mem, locs);
    case 'bool':
      return p.v;
    case 'eq': {
      if (p.thread === null) {
        const i = locs.indexOf(p.name);
        return (i < 0 ? 0 : mem[i]!) === p.val;
      }
      return (regs[p.thread]?.get(p.name) ?? 0) === p.val;
    }
  }
}
