// The C-litmus format of the Linux kernel memory model's tools (tools/memory-model/, herd7):
//
//   C MP+pooncerelease+poacquireonce
//   (* Result: Never *)
//   { x = 0; atomic_t v = ATOMIC_INIT(1); }
//   P0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_store_release(y, 1); }
//   P1(int *x, int *y) { int r0; int r1; r0 = smp_load_acquire(y); r1 = READ_ONCE(*x); }
//   exists (1:r0=1 /\ 1:r1=0)
//
// Threads are straight-line code: one statement per line of the kernel API below; anything
// else (RCU, control flow, pointers) is bad input naming what is not supported.
import { BadInputError } from '../../errors.js';
import type { MemoryOrder } from '../../locks/contract.js';
import { canonical, kernelPrimitive, type KernelParse } from './kernel.js';
import type { Operand, RmwOp, Stmt, StmtBody } from './stmt.js';

export type { Operand, RmwOp, Stmt, StmtBody } from './stmt.js';

export type Outcome = 'Always' | 'Sometimes' | 'Never';

export type Prop =
  | { k: 'and' | 'or'; a: Prop; b: Prop }
  | { k: 'not'; a: Prop }
  | { k: 'bool'; v: boolean }
  | { k: 'eq'; thread: number | null; name: string; val: number };

export interface Litmus {
  name: string;
  file: string;
  expected: Outcome | null;
  init: Map<string, number>;
  threads: Stmt[][];
  /** The `exists` (or `forall`, or `~exists`) proposition. */
  quantifier: 'exists' | 'forall' | 'not exists';
  prop: Prop;
  filter: Prop | null;
}

export function parseLitmus(text: string, file: string): Litmus {
  const bad = (why: string, line?: number): never => {
    throw new BadInputError(`${file}${line ? `:${line}` : ''}: ${why}`);
  };
  const expected = /Result:\s*(Always|Sometimes|Never)\b/.exec(text)?.[1] as Outcome | undefined;
  // Blank out comments, keeping line numbers.
  const src = text.replace(/\(\*[\s\S]*?\*\)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
  const lineAt = (i: number) => src.slice(0, i).split('\n').length;
  const head = /^\s*C\s+(\S+)/.exec(src);
  if (!head) bad("the first line must be 'C <test name>'", 1);
  const name = head![1]!;
  let i = head![0].length;

  const init = new Map<string, number>();
  const open = src.indexOf('{', i);
  if (open < 0) bad('no initial-state block { ... }');
  const close = src.indexOf('}', open);
  if (close < 0) bad('the initial-state block is not closed', lineAt(open));
  for (const item of src.slice(open + 1, close).split(';')) {
    const t = item.trim();
    if (t === '') continue;
    const m = /^(?:(?:atomic_t|atomic64_t|atomic_long_t|int|long|spinlock_t|unsigned\s+int|unsigned\s+long|u32|u64|s64)\s+)?(\w+)(?:\s*=\s*(?:ATOMIC(?:64|_LONG)?_INIT\s*\(\s*(-?\d+)\s*\)|(-?\d+)))?$/.exec(t);
    if (!m || (!/\s/.test(t) && m[2] === undefined && m[3] === undefined)) {
      bad(`initial state: cannot read '${t}' (want 'x = 1;', 'int x;' or 'atomic_t v = ATOMIC_INIT(1);')`, lineAt(open));
    }
    init.set(m![1]!, Number(m![2] ?? m![3] ?? 0));
  }
  i = close + 1;

  const threads: Stmt[][] = [];
  for (;;) {
    const rest = src.slice(i);
    const m = /^\s*P(\d+)\s*\(([^)]*)\)\s*\{/.exec(rest);
    if (!m) break;
    const id = Number(m[1]);
    if (id !== threads.length) bad(`thread P${id} where P${threads.length} was expected`, lineAt(i + m.index));
    const bodyStart = i + m[0].length;
    let depth = 1;
    let j = bodyStart;
    for (; j < src.length && depth > 0; j++) {
      if (src[j] === '{') depth++;
      else if (src[j] === '}') depth--;
    }
    if (depth !== 0) bad(`P${id}: body not closed`, lineAt(bodyStart));
    threads.push(parseBody(src, bodyStart, j - 1, id, lineAt, bad));
    i = j;
  }
  if (threads.length === 0) bad("no threads: want 'P0(int *x) { ... }'");

  let tail = src.slice(i).trim();
  let filter: Prop | null = null;
  const parts = /^(?:locations\s*\[[^\]]*\]\s*)?(?:filter\s*(\([\s\S]*?\))\s*)?(~\s*exists|exists|forall)\s*([\s\S]*)$/.exec(tail);
  if (!parts) bad("no 'exists (...)' clause after the threads", lineAt(i));
  if (parts![1]) filter = parseProp(parts![1], bad);
  const q = parts![2]!.replace(/\s+/g, ' ');
  tail = parts![3]!.trim();
  const quantifier = q === 'forall' ? 'forall' : q === 'exists' ? 'exists' : 'not exists';
  return { name, file, expected: expected ?? null, init, threads, quantifier, prop: parseProp(tail, bad), filter };
}

function parseBody(
  src: string,
  from: number,
  to: number,
  id: number,
  lineAt: (i: number) => number,
  bad: (why: string, line?: number) => never,
): Stmt[] {
  const out: Stmt[] = [];
  const regs = new Set<string>();
  let at = from;
  for (const raw of src.slice(from, to).split(';')) {
    const line = lineAt(at + raw.length - raw.trimStart().length);
    at += raw.length + 1;
    const s = raw.trim().replace(/\s+/g, ' ');
    if (s === '') continue;
    if (/^(if|while|for|do|else|goto|return)\b|[{}]/.test(s)) bad(`P${id}: unsupported statement '${s}' (threads are straight-line code)`, line);
    const decl = /^int (\w+)(?: = (-?\d+))?$/.exec(s);
    if (decl) {
      regs.add(decl[1]!);
      if (decl[2] !== undefined && Number(decl[2]) !== 0) bad(`P${id}: registers start at 0; '${s}' is not supported`, line);
      continue;
    }
    for (const stmt of [parseStmt(s, (why) => bad(`P${id}: ${why}`, line))].flat()) out.push({ ...stmt, line, text: s } as Stmt);
  }
  return out;
}

const operand = (t: string, bad: (why: string) => never): Operand => {
  const s = t.trim();
  if (/^-?\d+$/.test(s)) return { num: Number(s) };
  if (/^\w+$/.test(s)) return { reg: s };
  return bad(`cannot read the value '${s}'`);
};

const locOf = (t: string, bad: (why: string) => never): string => {
  const m = /^\s*[*&]?\s*(\w+)\s*$/.exec(t);
  return m ? m[1]! : bad(`cannot read the location '${t.trim()}'`);
};

const SUFFIX: Record<string, MemoryOrder> = { '': 'seq_cst', _relaxed: 'relaxed', _acquire: 'acquire', _release: 'release' };

type Parsed = StmtBody | StmtBody[];

function parseStmt(s: string, bad: (why: string) => never): Parsed {
  // r = *x;   *x = v;
  let m = /^(\w+) = \*(\w+)$/.exec(s);
  if (m) return { k: 'load', reg: m[1]!, loc: m[2]!, order: 'plain' };
  m = /^\*(\w+) = (.+)$/.exec(s);
  if (m) return { k: 'store', loc: m[1]!, val: operand(m[2]!, bad), order: 'plain' };
  m = /^(?:(\w+) = )?(?:\(void\) ?)?(\w+) ?\((.*)\)$/.exec(s);
  if (!m) return bad(`cannot read the statement '${s}'`);
  const reg = m[1] ?? null;
  const written = m[2]!;
  const args = m[3]!.trim() === '' ? [] : m[3]!.split(',').map((a) => a.trim());
  const p: KernelParse = {
    fn: canonical(written),
    args,
    reg,
    want: (n) => {
      if (args.length !== n) bad(`${written} takes ${n} argument(s), got ${args.length}`);
    },
    noReg: () => {
      if (reg) bad(`${written} returns nothing to assign to ${reg}`);
    },
    operand: (t) => operand(t, bad),
    loc: (t) => locOf(t, bad),
    bad,
  };
  // RCU, try_cmpxchg (needs a pointer to a register), smp_cond_load_* (a loop), spin_is_locked, ...
  return kernelPrimitive(p) ?? classicPrimitive(p) ?? xchgFamily(p) ?? atomicRmwFamily(p, written) ?? bad(`unsupported primitive '${written}'`);
}

/** The accesses, fences and spinlock calls of the classic litmus tests. */
function classicPrimitive({ fn, args, reg, want, noReg, operand, loc }: KernelParse): Parsed | null {
  const fence = (order: MemoryOrder): Parsed => (want(0), noReg(), { k: 'fence', order });
  switch (fn) {
    case 'READ_ONCE':
    case 'atomic_read':
      return want(1), { k: 'load', reg, loc: loc(args[0]!), order: 'relaxed' };
    case 'smp_load_acquire':
    case 'atomic_read_acquire':
      return want(1), { k: 'load', reg, loc: loc(args[0]!), order: 'acquire' };
    case 'WRITE_ONCE':
    case 'atomic_set':
      return want(2), noReg(), { k: 'store', loc: loc(args[0]!), val: operand(args[1]!), order: 'relaxed' };
    case 'smp_store_release':
    case 'atomic_set_release':
      return want(2), noReg(), { k: 'store', loc: loc(args[0]!), val: operand(args[1]!), order: 'release' };
    case 'smp_mb':
    case 'smp_mb__before_atomic':
    case 'smp_mb__after_atomic':
    case 'smp_mb__after_spinlock':
    case 'smp_mb__after_unlock_lock':
      return fence('seq_cst');
    case 'smp_rmb':
      return fence('acquire');
    case 'smp_wmb':
      return fence('release');
    case 'spin_lock':
      return want(1), noReg(), { k: 'lock', loc: loc(args[0]!) };
    case 'spin_unlock':
      return want(1), noReg(), { k: 'unlock', loc: loc(args[0]!) };
    case 'spin_trylock':
      return want(1), { k: 'trylock', reg, loc: loc(args[0]!) };
  }
  return null;
}

/** xchg and cmpxchg, plain and atomic_, with their ordering suffixes. */
function xchgFamily({ fn, args, reg, want, operand, loc }: KernelParse): Parsed | null {
  const m = /^(atomic_)?(xchg|cmpxchg)(|_relaxed|_acquire|_release)$/.exec(fn);
  if (!m) return null;
  const order = SUFFIX[m[3]!]!;
  if (m[2] === 'xchg') {
    want(2);
    return { k: 'rmw', reg, loc: loc(args[0]!), op: 'xchg', arg: operand(args[1]!), order, ret: 'old' };
  }
  want(3);
  // A failed cmpxchg is unordered (atomic_t.txt); a failed _acquire one is taken as an acquire load (the stronger reading).
  const failOrder: MemoryOrder = order === 'acquire' ? 'acquire' : 'relaxed';
  return { k: 'cmpxchg', reg, loc: loc(args[0]!), expected: operand(args[1]!), repl: operand(args[2]!), order, failOrder };
}

/** atomic_{add,sub,inc,dec,and,or,xor,andnot}: void (relaxed), _return (new), fetch_ (old), _and_test. */
function atomicRmwFamily({ fn, args, reg, want, noReg, operand, loc, bad }: KernelParse, written: string): Parsed | null {
  const m = /^atomic_(fetch_)?(add|sub|inc|dec|and|or|xor|andnot)(_return)?(_and_test)?(|_relaxed|_acquire|_release)$/.exec(fn);
  if (!m) return null;
  const [fetch, base, ret, test, suf] = [m[1], m[2]!, m[3], m[4], m[5]!];
  if ((fetch && ret) || (test && (fetch || ret || suf)) || (test && !['inc', 'dec', 'sub'].includes(base))) {
    return bad(`unsupported primitive '${written}'`);
  }
  const unary = base === 'inc' || base === 'dec';
  want(unary ? 1 : 2);
  const op: RmwOp = base === 'inc' ? 'add' : base === 'dec' ? 'sub' : (base as RmwOp);
  const arg = unary ? { num: 1 } : operand(args[0]!);
  const at = loc(args[unary ? 0 : 1]!);
  if (!fetch && !ret && !test) {
    if (suf) return bad(`unsupported primitive '${written}'`);
    noReg();
    return { k: 'rmw', reg: null, loc: at, op, arg, order: 'relaxed', ret: 'old' };
  }
  return { k: 'rmw', reg, loc: at, op, arg, order: SUFFIX[suf]!, ret: test ? 'zero' : fetch ? 'old' : 'new' };
}

/** exists clause: terms `0:r0=1` or `x=2`, with /\, \/, ~, parentheses, true, false. */
function parseProp(text: string, bad: (why: string, line?: number) => never): Prop {
  const toks = text.match(/\/\\|\\\/|~|\(|\)|true|false|\d+\s*:\s*\w+\s*=\s*-?\d+|\w+\s*=\s*-?\d+|\S/g) ?? [];
  let p = 0;
  const fail = (why: string): never => bad(`exists clause: ${why} in '${text.trim()}'`);
  const or = (): Prop => {
    let a = and();
    while (toks[p] === '\\/') {
      p++;
      a = { k: 'or', a, b: and() };
    }
    return a;
  };
  const and = (): Prop => {
    let a = unary();
    while (toks[p] === '/\\') {
      p++;
      a = { k: 'and', a, b: unary() };
    }
    return a;
  };
  const unary = (): Prop => {
    const t = toks[p++];
    if (t === undefined) return fail('unexpected end');
    if (t === '~') return { k: 'not', a: unary() };
    if (t === '(') {
      const a = or();
      if (toks[p++] !== ')') fail("missing ')'");
      return a;
    }
    if (t === 'true' || t === 'false') return { k: 'bool', v: t === 'true' };
    const m = /^(?:(\d+)\s*:\s*)?(\w+)\s*=\s*(-?\d+)$/.exec(t);
    if (!m) return fail(`cannot read '${t}'`);
    return { k: 'eq', thread: m[1] === undefined ? null : Number(m[1]), name: m[2]!, val: Number(m[3]) };
  };
  const prop = or();
  if (p !== toks.length) fail(`unexpected '${toks[p]}'`);
  return prop;
}
