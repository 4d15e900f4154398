import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BadInputError, errorMessage } from '../errors.js';
import { LOCK_OP_NAMES, MAX_LOCK_WORDS, type LockDesign } from './contract.js';
import rwlock from './rwlock.js';
import rwsem from './rwsem.js';
import zspageAtomic from './zspage-atomic.js';
import zspageSpinlock from './zspage-spinlock.js';

/** What a design promises under the zspage access pattern (readers that sleep holding). */
export interface BuiltinLock {
  design: LockDesign;
  /** true when the design must pass every scenario. */
  correct: boolean;
  summary: string;
}

export const BUILTIN_LOCKS: Record<string, BuiltinLock> = {
  'zspage-atomic': {
    design: zspageAtomic,
    correct: true,
    summary: "the seed's atomic_t lock (v5): -1 write-locked, n readers",
  },
  'zspage-spinlock': {
    design: zspageSpinlock,
    correct: true,
    summary: 'spinlock + count, as landed in Linux 6.15',
  },
  rwlock: {
    design: rwlock,
    correct: false,
    summary: 'the old rwlock_t: writers spin until readers leave (correct only if readers never sleep)',
  },
  rwsem: {
    design: rwsem,
    correct: false,
    summary: 'a sleeping rw_semaphore: readers sleep while acquiring, under the pool lock',
  },
};

/** A lock as named on the command line: a built-in name or a module path. */
export interface LockSpec {
  /** Built-in name, or the module's absolute file URL. */
  ref: string;
  builtin: boolean;
}

export function lockSpecFor(nameOrPath: string, cwd = process.cwd()): LockSpec {
  if (Object.hasOwn(BUILTIN_LOCKS, nameOrPath)) return { ref: nameOrPath, builtin: true };
  const looksLikePath = /[\\/]|\.(m?js)$/.test(nameOrPath);
  if (!looksLikePath) {
    throw new BadInputError(
      `--lock: unknown lock '${nameOrPath}' (built-ins: ${Object.keys(BUILTIN_LOCKS).join(', ')}; or a path to a .mjs/.js module)`,
    );
  }
  const file = resolve(cwd, nameOrPath);
  if (!existsSync(file)) throw new BadInputError(`--lock: no such lock module: ${nameOrPath}`);
  return { ref: pathToFileURL(file).href, builtin: false };
}

/** Loads and checks a lock design; every failure is a BadInputError naming what is wrong. */
export async function loadLockDesign(spec: LockSpec): Promise<LockDesign> {
  if (spec.builtin) return BUILTIN_LOCKS[spec.ref]!.design;
  let mod: { default?: unknown };
  try {
    mod = (await import(spec.ref)) as { default?: unknown };
  } catch (err) {
    throw new BadInputError(`lock module ${spec.ref}: failed to load: ${firstLine(errorMessage(err))}`);
  }
  return checkLockDesign(mod.default, spec.ref);
}

export function checkLockDesign(value: unknown, where: string): LockDesign {
  const fail = (what: string): never => {
    throw new BadInputError(`lock module ${where}: ${what}`);
  };
  if (value === undefined) fail('has no default export');
  if (typeof value !== 'object' || value === null) fail('default export is not an object');
  const d = value as Record<string, unknown>;
  if (typeof d.name !== 'string' || d.name.length === 0) fail("'name' must be a non-empty string");
  if (!Number.isInteger(d.words) || (d.words as number) < 1 || (d.words as number) > MAX_LOCK_WORDS) {
    fail(`'words' must be an integer from 1 to ${MAX_LOCK_WORDS}, got ${JSON.stringify(d.words)}`);
  }
  if (typeof d.create !== 'function') fail("'create' must be a function");
  let ops: unknown;
  try {
    ops = (d.create as (a: typeof Atomics) => unknown)(Atomics);
  } catch (err) {
    fail(`create() threw: ${firstLine(errorMessage(err))}`);
  }
  if (typeof ops !== 'object' || ops === null) fail('create() must return an object');
  for (const op of LOCK_OP_NAMES) {
    if (typeof (ops as Record<string, unknown>)[op] !== 'function') fail(`create() result has no function '${op}'`);
  }
  return value as LockDesign;
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0]!;
}
