// The axiomatic LKMM checker: enumerate the candidate executions of a litmus test, keep the
// ones linux-kernel.cat allows, and evaluate the exists clause on their final states.
import { BadInputError } from '../../../errors.js';
import { combine, executions, sharedLocations, threadRuns } from './candidates.js';
import * as E from './events.js';
import { describe } from './events.js';
import type { Expected, LkTest, Outcome, Prop } from './file.js';
import { check, statics, type Exec } from './model.js';
import type { Val } from './syntax.js';
import { LitmusInputError, type ThreadRun } from './thread.js';

/** More candidates than this is not a litmus test (exit 2 rather than run for hours). */
export const MAX_CANDIDATES = 5_000_000;
export const MAX_COMBINATIONS = 2_000_000;

export interface LkResult {
  test: string;
  file: string;
  expected: Expected | null;
  observed: Outcome;
  /** expected agrees with observed (DEADLOCK: no execution passes the filter). */
  agrees: boolean | null;
  /** 'weaker': observed allows what the file rules out; 'stronger': the reverse. */
  differs: 'weaker' | 'stronger' | null;
  /** Executions LKMM allows (passing the filter), as herd7's Positive + Negative. */
  executions: number;
  /** Of them, those satisfying the proposition. */
  witnesses: number;
  /** Candidate executions examined. */
  candidates: number;
  /** Some allowed execution has a data race (linux-kernel.cat's data-race flag). */
  dataRace: boolean;
  /** Distinct final states, e.g. '0:r0=1; 1:r0=0; x=1'. */
  states: string[];
  /** For Sometimes/Always: one execution satisfying the proposition, its events, rf and co. */
  witness: string[] | null;
}

export function checkLitmus(t: LkTest): LkResult {
  try {
    return run(t);
  } catch (err) {
    if (err instanceof LitmusInputError) throw new BadInputError(`${t.file}: ${err.message}`);
    throw err;
  }
}

function run(t: LkTest): LkResult {
  const shared = sharedLocations(t);
  for (const p of [t.prop, t.filter]) for (const name of propLocations(p)) shared.add(name);
  const perThread = threadRuns(t, shared);
  let candidates = 0;
  let executionsN = 0;
  let witnesses = 0;
  let dataRace = false;
  let witness: string[] | null = null;
  const states = new Set<string>();
  let combinations = 0;
  for (const runs of product(perThread)) {
    if (++combinations > MAX_COMBINATIONS) throw new LitmusInputError(`more than ${MAX_COMBINATIONS} combinations of thread runs: too large for a litmus test`);
    if (!valuesAvailable(t, shared, runs)) continue;
    const c = combine(t, shared, runs);
    if (c.invalid) continue;
    const s = statics(c.base);
    for (const x of executions(c)) {
      if (++candidates > MAX_CANDIDATES) throw new LitmusInputError(`more than ${MAX_CANDIDATES} candidate executions: too large for a litmus test`);
      const v = check(x, s);
      if (v.violates) continue;
      const final = finalState(x, runs, t);
      if (t.filter && !evalProp(t.filter, final)) continue;
      executionsN++;
      dataRace ||= v.dataRace;
      states.add(final.text);
      if (evalProp(t.prop, final)) {
        witnesses++;
        witness ??= describeExecution(x);
      }
    }
  }
  const observed: Outcome = witnesses === 0 ? 'Never' : witnesses === executionsN ? 'Always' : 'Sometimes';
  const expected = t.expected;
  const agrees = expected === null ? null : expected === 'DEADLOCK' ? executionsN === 0 : expected === observed;
  const differs = agrees !== false ? null : weaker(expected!, observed, executionsN) ? 'weaker' : 'stronger';
  return { test: t.name, file: t.file, expected, observed, agrees, differs, executions: executionsN, witnesses, candidates, dataRace, states: [...states].sort(), witness: observed === 'Never' ? null : witness };
}

/** Every read's value is the initial value or one some run of the combination writes there. */
function valuesAvailable(t: LkTest, shared: Set<string>, runs: ThreadRun[]): boolean {
  const key = (l: string, v: Val) => `${l}\0${typeof v}\0${v}`;
  const have = new Set<string>();
  for (const l of shared) have.add(key(l, t.init.get(l) ?? 0));
  for (const r of runs) for (const e of r.events) if (e.kind === 'W' && !(e.flags & E.LOCK_EVENTS)) have.add(key(e.loc!, e.val));
  for (const r of runs) for (const e of r.events) if (e.kind === 'R' && !(e.flags & E.LOCK_EVENTS) && !have.has(key(e.loc!, e.val))) return false;
  return true;
}

function weaker(expected: Expected, observed: Outcome, executions: number): boolean {
  if (expected === 'DEADLOCK') return executions > 0;
  if (expected === 'Never') return observed !== 'Never';
  if (expected === 'Always') return observed !== 'Always';
  return false;
}

function* product<T>(xs: T[][]): Generator<T[]> {
  if (xs.length === 0) {
    yield [];
    return;
  }
  for (const rest of product(xs.slice(1))) for (const x of xs[0]!) yield [x, ...rest];
}

function propLocations(p: Prop | null): string[] {
  if (!p) return [];
  if (p.k === 'and' || p.k === 'or') return [...propLocations(p.a), ...propLocations(p.b)];
  if (p.k === 'not') return propLocations(p.a);
  return p.k === 'eq' && p.thread === null ? [p.name] : [];
}

interface Final {
  regs: Map<string, Val>[];
  mem: Map<string, Val>;
  text: string;
}

const show = (v: Val) => String(v);

function finalState(x: Exec, runs: ThreadRun[], t: LkTest): Final {
  const mem = new Map<string, Val>();
  const last = new Map<string, number>();
  x.ev.forEach((e, i) => {
    if (e.kind !== 'W' || e.loc === null || e.flags & E.LOCK_EVENTS) return;
    const prev = last.get(e.loc);
    if (prev === undefined || x.co.has(prev, i)) last.set(e.loc, i);
  });
  for (const [l, i] of last) mem.set(l, x.ev[i]!.val);
  const regs = runs.map((r) => r.regs);
  const parts: string[] = [];
  regs.forEach((m, tid) => {
    for (const [k, v] of [...m].sort(([a], [b]) => (a < b ? -1 : 1))) parts.push(`${tid}:${k}=${show(v)}`);
  });
  for (const [l, v] of [...mem].sort(([a], [b]) => (a < b ? -1 : 1))) parts.push(`${l}=${show(v)}`);
  void t;
  return { regs, mem, text: parts.join('; ') };
}

function evalProp(p: Prop, f: Final): boolean {
  switch (p.k) {
    case 'and':
      return evalProp(p.a, f) && evalProp(p.b, f);
    case 'or':
      return evalProp(p.a, f) || evalProp(p.b, f);
    case 'not':
      return !evalProp(p.a, f);
    case 'bool':
      return p.v;
    case 'eq': {
      const v = p.thread === null ? (f.mem.get(p.name) ?? 0) : (f.regs[p.thread]?.get(p.name) ?? 0);
      const want = p.reg ? (f.regs[p.reg.thread]?.get(p.reg.name) ?? 0) : p.val;
      return (v === want) !== p.neg;
    }
  }
}

/** The witness: each rf edge (write -> read) and each location's co order. */
function describeExecution(x: Exec): string[] {
  const out: string[] = [];
  for (const [w, r] of x.rf.pairs()) out.push(`rf: ${describe(x.ev[w]!)} -> ${describe(x.ev[r]!)}`);
  const byLoc = new Map<string, number[]>();
  x.ev.forEach((e, i) => {
    if (e.kind === 'W' && e.loc !== null) byLoc.set(e.loc, [...(byLoc.get(e.loc) ?? []), i]);
  });
  for (const [l, ws] of [...byLoc].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (ws.length < 2) continue;
    const order = [...ws].sort((a, b) => (x.co.has(a, b) ? -1 : x.co.has(b, a) ? 1 : 0));
    out.push(`co ${l}: ${order.map((i) => describe(x.ev[i]!)).join(' -> ')}`);
  }
  return out;
}
