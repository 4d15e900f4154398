// The statements of a litmus thread, as the parser gives them to the runner: shared by the
// parser (parse.ts), the kernel primitives' table (kernel.ts) and the runner (run.ts).
import type { MemoryOrder } from '../../locks/contract.js';

/** The kernel's conditional atomics: atomic_add_unless() and friends. */
export type CondOp = 'add_unless' | 'fetch_add_unless' | 'inc_unless_negative' | 'dec_unless_positive' | 'dec_if_positive';

export type Operand = { reg: string } | { num: number };

export type Stmt = { line: number; text: string } & StmtBody;

export type StmtBody =
  /** `bit`: test_bit, the register gets that bit of the value. */
  | { k: 'load'; reg: string | null; loc: string; order: MemoryOrder | 'plain'; bit?: number }
  | { k: 'store'; loc: string; val: Operand; order: MemoryOrder | 'plain' }
  /** op(old, arg) is the new value; `ret` says what the register gets. */
  | { k: 'rmw'; reg: string | null; loc: string; op: RmwOp; arg: Operand; order: MemoryOrder; ret: 'old' | 'new' | 'zero' | 'negative' }
  | { k: 'cmpxchg'; reg: string | null; loc: string; expected: Operand; repl: Operand; order: MemoryOrder; failOrder: MemoryOrder }
  | { k: 'cond'; reg: string | null; loc: string; op: CondOp; arg: Operand; unless: Operand }
  /** test_and_{set,clear,change}_bit(_lock): unordered (no write) when the bit is already as asked. */
  | { k: 'testBit'; reg: string | null; loc: string; op: 'or' | 'andnot' | 'xor'; mask: number; order: MemoryOrder }
  | { k: 'fence'; order: MemoryOrder }
  | { k: 'lock'; loc: string }
  | { k: 'trylock'; reg: string | null; loc: string }
  | { k: 'unlock'; loc: string };

export type RmwOp = 'add' | 'sub' | 'and' | 'or' | 'xor' | 'andnot' | 'xchg';

