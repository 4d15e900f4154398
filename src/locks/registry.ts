import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { BadInputError, errorMessage } from '../errors.js';
import type { ExplorerRule, ViolationKind } from '../invariants/kinds.js';
import { BUSTED_LOCKS } from './busted/index.js';
import { WEAK_LOCKS } from './weak/index.js';
import { installAtomicsRouter } from './atomics-router.js';
import { LOCK_OP_NAMES, MAX_LOCK_WORDS, type LockDesign } from './contract.js';
import type { CompileOptions } from './c/compile.js';
import { isCLockRef, loadCLock } from './c/load.js';
import { probeLockModule } from './probe.js';
import rwlock from './rwlock.js';
import rwsem from './rwsem.js';
import zspageAtomic from './zspage-atomic.js';
import zspageAtomicFixed from './zspage-atomic-fixed.js';
import zspageSpinlock from './zspage-spinlock.js';

/** What a design does under the zspage access pattern (readers that sleep holding). */
export interface BuiltinLock {
  design: LockDesign;
  summary: string;
  /** The violation a stress run finds first; null for a design that must pass. */
  expect: ViolationKind | null;
  /** Other kinds the same bug may show as first. */
  alsoSeen?: ViolationKind[];
  /** The rule the explorer fails it with; null if it passes (or the explorer cannot see its bug). */
  explorerRule: ExplorerRule | null;
  explorerAlsoSeen?: ExplorerRule[];
  /** For a port of real code that misbehaves: what goes wrong, in one plain sentence, and the
   *  explorer's schedule that shows it (`explore --lock <name> --replay <schedule>`). */
  finding?: { says: string; schedule: string };
}

export const BUILTIN_LOCKS: Record<string, BuiltinLock> = {
  'zspage-atomic': {
    design: zspageAtomic,
    summary: "the seed's atomic_t lock (v5), as posted: -1 write-locked, n readers",
    expect: 'exclusion',
    alsoSeen: ['integrity', 'stall', 'trylock-failed-free', 'audit'],
    explorerRule: 'exclusion',
    explorerAlsoSeen: ['not-released', 'livelock'],
    finding: {
      says:
        "BROKEN: in zspage_read_lock(), `continue` inside do { } while (!atomic_try_cmpxchg_acquire(lock, &old, old + 1)) " +
        'goes to the condition: a reader that still reads -1 after cpu_relax() swaps -1 for 0 and enters while the writer holds',
      schedule: 'WW/R@0,1,0x2,1x2',
    },
  },
  'zspage-atomic-fixed': {
    design: zspageAtomicFixed,
    summary: "the seed's atomic_t lock with its read-lock loop corrected: a reader that reads -1 re-reads until the writer has left",
    expect: null,
    explorerRule: null,
  },
  'zspage-spinlock': {
    design: zspageSpinlock,
    summary: 'spinlock + count, as landed in Linux 6.15',
    expect: null,
    explorerRule: null,
  },
  rwlock: {
    design: rwlock,
    summary: 'the old rwlock_t: writers spin until readers leave (correct only if readers never sleep)',
    expect: 'writer-waited',
    explorerRule: 'trylock-waited',
  },
  rwsem: {
    design: rwsem,
    summary: 'a sleeping rw_semaphore: readers sleep while acquiring, under the pool lock',
    expect: 'slept-in-atomic',
    explorerRule: 'sleeps',
  },
  ...BUSTED_LOCKS,
};

/** A built-in's finding as one line: what is wrong and the command that shows it. */
export function findingLine(name: string, finding: NonNullable<BuiltinLock['finding']>): string {
  return `${finding.says}; see it: zspage-stress explore --lock ${name} --replay '${finding.schedule}'`;
}

/** The kinds a run of a built-in may fail with and still be caught for its own bug. */
export function acceptedKinds(lock: BuiltinLock): ViolationKind[] {
  return lock.expect ? [lock.expect, ...(lock.alsoSeen ?? [])] : [];
}

/** The rules the explorer may fail a built-in with and still be right about it (empty: must pass). */
export function acceptedExplorerRules(lock: BuiltinLock): ExplorerRule[] {
  return lock.explorerRule ? [lock.explorerRule, ...(lock.explorerAlsoSeen ?? [])] : [];
}

/** A lock as named on the command line: a built-in name or a module path. */
export interface LockSpec {
  /** Built-in name, or the module's absolute file URL. */
  ref: string;
  builtin: boolean;
}

export function lockSpecFor(nameOrPath: string, cwd = process.cwd()): LockSpec {
  if (Object.hasOwn(BUILTIN_LOCKS, nameOrPath) || Object.hasOwn(WEAK_LOCKS, nameOrPath)) return { ref: nameOrPath, builtin: true };
  const looksLikePath = /[\\/]|\.(m?js|c)$/.test(nameOrPath);
  if (!looksLikePath) {
    throw new BadInputError(
      `--lock: unknown lock '${nameOrPath}' (built-ins: ${Object.keys(BUILTIN_LOCKS).join(', ')}; or a path to a .mjs/.js module or a .c file)`,
    );
  }
  const file = resolve(cwd, nameOrPath);
  if (!existsSync(file)) throw new BadInputError(`--lock: no such lock module: ${nameOrPath}`);
  return { ref: pathToFileURL(file).href, builtin: false };
}

/** Loads and checks a lock design; every failure is a BadInputError naming what is wrong. */
export async function loadLockDesign(spec: LockSpec, options: CompileOptions = {}): Promise<LockDesign> {
  if (spec.builtin) return (BUILTIN_LOCKS[spec.ref] ?? WEAK_LOCKS[spec.ref])!.design;
  // A C file is compiled here first: its errors are the user's, and the probe finds it cached.
  const c = isCLockRef(spec.ref) ? await loadCLock(spec.ref, options) : null;
  if (c && options.plainAccesses) await loadCLock(spec.ref); // the probe's (plain) build, cached
  // On the main thread a module that never returns would hang the run for good: probe it first.
  if (isMainThread) await probeLockModule(spec.ref);
  return c ?? importLockModule(spec.ref);
}

/** The design a lock file defines: a JS module's default export, or a C file compiled. */
export async function importLockModule(ref: string): Promise<LockDesign> {
  if (isCLockRef(ref)) return loadCLock(ref);
  let mod: { default?: unknown };
  installAtomicsRouter(); // before the module (and what it imports) first reads the global Atomics
  try {
    mod = (await import(ref)) as { default?: unknown };
  } catch (err) {
    throw new BadInputError(`lock module ${ref}: failed to load: ${firstLine(errorMessage(err))}`);
  }
  return checkLockDesign(mod.default, ref);
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
