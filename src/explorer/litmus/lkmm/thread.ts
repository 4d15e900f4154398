// Runs one litmus thread for given read values: its control flow, the events it issues and
// their address, data and control dependencies (herd7's C semantics). Every read takes one
// value of its location's candidate values; runThread enumerates all such runs.
import * as E from './events.js';
import type { Ev, TV } from './events.js';
import { callPrimitive, type Prim, type RmwOrder } from './prims.js';
import type { Expr, Stmt, Val } from './syntax.js';

export type { TV } from './events.js';

export interface ThreadRun {
  events: Ev[];
  regs: Map<string, Val>;
}

/** A read whose guessed value makes the run impossible (a null pointer followed). */
class Infeasible extends Error {}

export class LitmusInputError extends Error {}

const merge = (...ds: number[][]): number[] => [...new Set(ds.flat())].sort((a, b) => a - b);

export interface ThreadEnv {
  tid: number;
  params: string[];
  body: Stmt[];
  regInit: Map<string, Val>;
  shared: ReadonlySet<string>;
  /** The candidate values a read of `loc` may return. */
  domain(loc: string): Val[];
  /** Told of every write (with its run's events so far), those of runs cut short too: their values still feed others' reads. */
  wrote(e: Ev, events: readonly Ev[]): void;
}

/** Every run of the thread, one per combination of read values (and trylock outcomes). */
export function runThread(env: ThreadEnv, maxRuns: number): ThreadRun[] {
  const path: { n: number; k: number }[] = [];
  const runs: ThreadRun[] = [];
  for (;;) {
    let depth = 0;
    const choose = (n: number): number => {
      if (n <= 1) return 0;
      if (depth < path.length) return path[depth++]!.k;
      path.push({ n, k: 0 });
      depth++;
      return 0;
    };
    try {
      runs.push(interpret(env, choose));
    } catch (err) {
      if (!(err instanceof Infeasible)) throw err;
      path.length = depth;
    }
    if (runs.length > maxRuns) throw new LitmusInputError(`P${env.tid} has more than ${maxRuns} runs: too large for a litmus test`);
    while (path.length > 0 && path[path.length - 1]!.k === path[path.length - 1]!.n - 1) path.pop();
    if (path.length === 0) return runs;
    path[path.length - 1]!.k++;
  }
}

function interpret(env: ThreadEnv, choose: (n: number) => number): ThreadRun {
  const t = new Interp(env, choose);
  t.exec(env.body);
  const regs = new Map<string, Val>();
  for (const [k, v] of t.regs) regs.set(k, v.v);
  return { events: t.events, regs };
}

class Interp implements Prim {
  readonly events: Ev[] = [];
  readonly regs = new Map<string, TV>();
  private readonly params: Set<string>;
  private ctrl: number[] = [];
  private line = 0;
  constructor(
    private readonly env: ThreadEnv,
    readonly choose: (n: number) => number,
  ) {
    for (const [k, v] of env.regInit) if (k.startsWith(`${env.tid}:`)) this.regs.set(k.slice(k.indexOf(':') + 1), { v, d: [] });
    this.params = new Set(env.params);
  }
  bad(why: string): never {
    throw new LitmusInputError(`P${this.env.tid}: ${why}`);
  }
  private location(a: TV): string {
    if (typeof a.v === 'string' && this.env.shared.has(a.v)) return a.v;
    if (typeof a.v === 'number') throw new Infeasible();
    return this.bad(`'${a.v}' is not a shared location`);
  }
  private push(e: Omit<Ev, 'tid' | 'ctrl' | 'line'>): number {
    this.events.push({ ...e, tid: this.env.tid, ctrl: this.ctrl, line: this.line });
    if (e.kind === 'W') this.env.wrote(this.events[this.events.length - 1]!, this.events);
    return this.events.length - 1;
  }
  read(a: TV, flags: number): TV {
    const loc = this.location(a);
    const vals = flags & E.LOCK_EVENTS ? [0] : this.env.domain(loc);
    const v = vals[this.choose(vals.length)]!;
    return { v, d: [this.push({ kind: 'R', loc, val: v, flags, addr: a.d, data: [] })] };
  }
  write(a: TV, v: TV, flags: number): void {
    this.push({ kind: 'W', loc: this.location(a), val: v.v, flags, addr: a.d, data: v.d });
  }
  fence(flags: number, at?: TV): void {
    this.push({ kind: 'F', loc: at ? this.location(at) : null, val: 0, flags, addr: at?.d ?? [], data: [] });
  }
  rmw(a: TV, f: (old: Val) => TV | null, o: RmwOrder): TV {
    // the value read decides whether it writes, and only a write is fully ordered
    const loc = this.location(a);
    const vals = this.env.domain(loc);
    const v = vals[this.choose(vals.length)]!;
    const nv = f(v);
    if (nv !== null && o.mb) this.fence(E.MB);
    // herd7 (CSem.ml): a cmpxchg or add_unless that fails reads with 'once whatever its ordering
    const r = this.push({ kind: 'R', loc, val: v, flags: (nv === null && o.r === E.ACQUIRE ? E.ONCE : o.r) | E.RMW, addr: a.d, data: [] });
    if (nv === null) return { v, d: [r] };
    this.events[r]!.rmwWith = this.events.length;
    this.push({ kind: 'W', loc, val: nv.v, flags: o.w | E.RMW, addr: a.d, data: merge([r], nv.d) });
    if (o.mb) this.fence(E.MB);
    return { v, d: [r] };
  }
  lock(a: TV): number {
    const loc = this.location(a);
    const r = this.push({ kind: 'R', loc, val: 0, flags: E.LKR, addr: a.d, data: [] });
    this.events[r]!.rmwWith = this.events.length;
    this.push({ kind: 'W', loc, val: 0, flags: E.LKW, addr: a.d, data: [] });
    return r;
  }
  private shared(name: string): boolean {
    return !this.regs.has(name) && (this.params.has(name) || this.env.shared.has(name));
  }
  eval(e: Expr): TV {
    switch (e.k) {
      case 'num':
        return { v: e.v, d: [] };
      case 'var': {
        const r = this.regs.get(e.name);
        if (r) return r;
        return this.shared(e.name) ? { v: e.name, d: [] } : this.bad(`'${e.name}' is neither a register nor a parameter`);
      }
      case 'addr':
        return this.env.shared.has(e.name) ? { v: e.name, d: [] } : this.bad(`&${e.name}: not a shared location`);
      case 'deref':
        return this.read(this.eval(e.e), 0);
      case 'un': {
        const a = this.eval(e.e);
        return { v: arith(e.op, 0, a.v, (w) => this.bad(w)), d: a.d };
      }
      case 'bin': {
        const a = this.eval(e.a);
        const b = this.eval(e.b);
        return { v: arith(e.op, a.v, b.v, (w) => this.bad(w)), d: merge(a.d, b.d) };
      }
      case 'cond': {
        const c = this.eval(e.c);
        const x = truthy(c.v) ? this.eval(e.a) : this.eval(e.b);
        return { v: x.v, d: merge(c.d, x.d) };
      }
      case 'call':
        return callPrimitive(this, e.fn, e.args, (x) => this.eval(x), (x) => this.lvalue(x));
    }
  }
  /** The address an lvalue names: `*p` is p's value; a register names no memory. */
  lvalue(e: Expr): TV {
    if (e.k === 'deref') return this.eval(e.e);
    if (e.k === 'var' && this.shared(e.name)) return { v: e.name, d: [] };
    return this.bad('expected a location such as *x');
  }
  exec(body: Stmt[]): void {
    for (const s of body) {
      this.line = s.line;
      if (s.k === 'decl') this.regs.set(s.name, s.init ? this.eval(s.init) : { v: 0, d: [] });
      else if (s.k === 'expr') this.eval(s.e);
      else if (s.k === 'assign') {
        const v = this.eval(s.rhs);
        if (s.lhs.k === 'var' && !this.shared(s.lhs.name)) this.regs.set(s.lhs.name, v);
        else this.write(this.lvalue(s.lhs), v, 0);
      } else {
        const c = this.eval(s.c);
        const saved = this.ctrl;
        // LKMM: a control dependency reaches the events of the branches only
        // (tools/memory-model/Documentation/control-dependencies.txt)
        this.ctrl = merge(this.ctrl, c.d);
        this.exec(truthy(c.v) ? s.then : s.else);
        this.ctrl = saved;
      }
    }
  }
}

export const truthy = (v: Val): boolean => v !== 0;

function arith(op: string, a: Val, b: Val, fail: (why: string) => never): Val {
  if (op === '==') return a === b ? 1 : 0;
  if (op === '!=') return a !== b ? 1 : 0;
  if (op === '&&') return truthy(a) && truthy(b) ? 1 : 0;
  if (op === '||') return truthy(a) || truthy(b) ? 1 : 0;
  if (op === '!') return truthy(b) ? 0 : 1;
  if (typeof a === 'string' || typeof b === 'string') return fail(`arithmetic '${op}' on an address`);
  switch (op) {
    case '-':
      return (a - b) | 0;
    case '~':
      return ~b;
    case '+':
      return (a + b) | 0;
    case '*':
      return Math.imul(a, b);
    case '/':
      return b === 0 ? fail('division by zero') : (a / b) | 0;
    case '%':
      return b === 0 ? fail('division by zero') : a % b | 0;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '<<':
      return a << b;
    case '>>':
      return a >> b;
    case '<':
      return a < b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
  }
  return fail(`unknown operator '${op}'`);
}
