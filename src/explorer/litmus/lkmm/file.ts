// A C litmus file as herd7 reads it (tools/memory-model/README, "C litmus format"):
//
//   C name            then any comments: (* ... *), /* ... */, // ...
//   { x = 1; int *y = &x; atomic_t v = ATOMIC_INIT(1); 0:r0 = 2; }
//   P0(int *x, int **y) { ... }   one function per thread, in order
//   locations [x; 0:r1]           optional
//   filter (1:r0=0)               optional
//   exists (0:r0=1 /\ ~x=2)       or ~exists, or forall
import { BadInputError } from '../../../errors.js';
import { parseBody, type Stmt, type Val } from './syntax.js';

export type Outcome = 'Always' | 'Sometimes' | 'Never';
/** What a file's `Result:` line may say; DEADLOCK: no execution passes the filter ("Never 0 0"). */
export type Expected = Outcome | 'DEADLOCK';

export type Prop =
  | { k: 'and' | 'or'; a: Prop; b: Prop }
  | { k: 'not'; a: Prop }
  | { k: 'bool'; v: boolean }
  | { k: 'eq'; thread: number | null; name: string; val: Val; neg: boolean; reg?: { thread: number; name: string } };

export interface LkThread {
  id: number;
  params: string[];
  body: Stmt[];
}

export interface LkTest {
  name: string;
  file: string;
  expected: Expected | null;
  /** Initial values of shared locations. */
  init: Map<string, Val>;
  /** Initial values of registers, keyed 'tid:reg'. */
  regInit: Map<string, Val>;
  threads: LkThread[];
  quantifier: 'exists' | 'forall' | 'not exists';
  prop: Prop;
  filter: Prop | null;
}

const TYPES = /^(?:struct\s+\w+\s*|(?:int|long|short|char|unsigned|signed|const|volatile|bool|atomic_t|atomic64_t|atomic_long_t|spinlock_t|raw_spinlock_t|u8|u16|u32|u64|s32|s64|intptr_t|uintptr_t)\b\s*|\*\s*)+/;

export function parseLkFile(text: string, file: string): LkTest {
  const bad = (why: string, line?: number): never => {
    throw new BadInputError(`${file}${line ? `:${line}` : ''}: ${why}`);
  };
  const expected = (/Result:\s*(Always|Sometimes|Never|DEADLOCK)\b/.exec(text)?.[1] ?? null) as Expected | null;
  // Blank out comments and the doc string, keeping line numbers.
  const src = text.replace(/\(\*(?=\s)[\s\S]*?\*\)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
  const lineAt = (i: number) => src.slice(0, i).split('\n').length;
  const head = /^\s*C\s+(\S+)/.exec(src);
  if (!head) bad("the first line must be 'C <test name>'", 1);
  const name = head![1]!;
  const open = src.indexOf('{', head![0].length);
  if (open < 0) bad('no initial-state block { ... }');
  const close = src.indexOf('}', open);
  if (close < 0) bad('the initial-state block is not closed', lineAt(open));
  const init = new Map<string, Val>();
  const regInit = new Map<string, Val>();
  for (const item of src.slice(open + 1, close).split(';')) {
    const t = item.trim().replace(TYPES, '');
    if (t === '') continue;
    const m = /^(?:(\d+)\s*:\s*)?([A-Za-z_]\w*)\s*(?:=\s*(.+))?$/s.exec(t);
    if (!m) return bad(`initial state: cannot read '${item.trim()}'`, lineAt(open));
    const v = m[3] === undefined ? 0 : initValue(m[3].trim(), (why) => bad(`initial state: ${why}`, lineAt(open)));
    if (m[1] !== undefined) regInit.set(`${m[1]}:${m[2]}`, v);
    else init.set(m[2]!, v);
  }

  const threads: LkThread[] = [];
  let i = close + 1;
  for (;;) {
    const m = /^\s*P(\d+)\s*\(([^)]*)\)\s*\{/.exec(src.slice(i));
    if (!m) break;
    const id = Number(m[1]);
    if (id !== threads.length) bad(`thread P${id} where P${threads.length} was expected`, lineAt(i + m.index));
    const params = m[2]!
      .split(',')
      .map((s) => /([A-Za-z_]\w*)\s*$/.exec(s.trim())?.[1])
      .filter((s): s is string => s !== undefined);
    const start = i + m[0].length;
    let depth = 1;
    let j = start;
    for (; j < src.length && depth > 0; j++) {
      if (src[j] === '{') depth++;
      else if (src[j] === '}') depth--;
    }
    if (depth !== 0) bad(`P${id}: body not closed`, lineAt(start));
    try {
      threads.push({ id, params, body: parseBody(src.slice(start, j - 1), lineAt(start)) });
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      const lm = /^line (\d+): (.*)$/.exec(err.message);
      bad(`P${id}: ${lm ? lm[2] : err.message}`, lm ? Number(lm[1]) : undefined);
    }
    i = j;
  }
  if (threads.length === 0) bad("no threads: want 'P0(int *x) { ... }'");

  // locations [...] and filter (...) in either order, then the quantified proposition
  let tail = src.slice(i).trim();
  let filterText: string | null = null;
  for (;;) {
    const loc = /^locations\s*\[[^\]]*\]\s*/.exec(tail);
    const fil = /^filter\s*(\([\s\S]*?\))\s*(?=locations|~\s*exists|exists|forall)/.exec(tail);
    if (loc) tail = tail.slice(loc[0].length);
    else if (fil) {
      filterText = fil[1]!;
      tail = tail.slice(fil[0].length);
    } else break;
  }
  const parts = /^(~\s*exists|exists|forall)\s*([\s\S]*)$/.exec(tail);
  if (!parts) return bad("no 'exists (...)' clause after the threads", lineAt(i));
  const filter = filterText ? parseProp(filterText, bad) : null;
  const q = parts[1]!.replace(/\s+/g, '');
  const quantifier = q === 'forall' ? 'forall' : q === 'exists' ? 'exists' : 'not exists';
  return { name, file, expected, init, regInit, threads, quantifier, prop: parseProp(parts[2]!.trim(), bad), filter };
}

function initValue(s: string, bad: (why: string) => never): Val {
  const at = /^ATOMIC(?:64|_LONG)?_INIT\s*\(\s*(-?\w+)\s*\)$/.exec(s);
  if (at) s = at[1]!;
  if (/^-?(\d+|0x[0-9a-fA-F]+)$/.test(s)) return Number(s);
  const a = /^&?\s*([A-Za-z_]\w*)$/.exec(s);
  return a ? a[1]! : bad(`cannot read the value '${s}'`);
}

/** The proposition of exists/filter: `0:r0=1`, `x=2`, `0:r0=x` (an address), `!=`, /\, \/, ~ or not, parentheses. */
export function parseProp(text: string, bad: (why: string, line?: number) => never): Prop {
  const toks = text.match(/\/\\|\\\/|~|\(|\)|\btrue\b|\bfalse\b|\bnot\b(?!\s*[!=])|(?:\d+\s*:\s*)?[A-Za-z_]\w*\s*!?=\s*(?:\d+\s*:\s*[A-Za-z_]\w*|&?-?\w+)|\S/g) ?? [];
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
    if (t === '~' || t === 'not') return { k: 'not', a: unary() };
    if (t === '(') {
      const a = or();
      if (toks[p++] !== ')') fail("missing ')'");
      return a;
    }
    if (t === 'true' || t === 'false') return { k: 'bool', v: t === 'true' };
    const two = /^(?:(\d+)\s*:\s*)?([A-Za-z_]\w*)\s*(!?)=\s*(\d+)\s*:\s*([A-Za-z_]\w*)$/.exec(t);
    if (two) {
      // a register compared with another register: 0:r1=1:r1
      const reg = { thread: Number(two[4]), name: two[5]! };
      return { k: 'eq', thread: two[1] === undefined ? null : Number(two[1]), name: two[2]!, val: 0, neg: two[3] === '!', reg };
    }
    const m = /^(?:(\d+)\s*:\s*)?([A-Za-z_]\w*)\s*(!?)=\s*&?(-?\w+)$/.exec(t);
    if (!m) return fail(`cannot read '${t}'`);
    const v = /^-?(\d+|0x[0-9a-fA-F]+)$/.test(m[4]!) ? Number(m[4]) : m[4]!;
    return { k: 'eq', thread: m[1] === undefined ? null : Number(m[1]), name: m[2]!, val: v, neg: m[3] === '!' };
  };
  const prop = or();
  if (p !== toks.length) fail(`unexpected '${toks[p]}'`);
  return prop;
}
