import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { BadInputError, errorMessage } from '../errors.js';
import { installAtomicsRouter } from './atomics-router.js';
import { BUILTIN_NAMES, CATALOG } from './catalog.js';
import { LOCK_OP_NAMES, MAX_LOCK_WORDS, type LockDesign } from './contract.js';
import type { CompileOptions } from './c/compile.js';
import { isCLockRef, loadCLock } from './c/load.js';
import { probeLockModule } from './probe.js';

/** A lock as named on the command line: a built-in name or a module path. */
export interface LockSpec {
  /** Built-in name, or the module's absolute file URL. */
  ref: string;
  builtin: boolean;
}

export function lockSpecFor(nameOrPath: string, cwd = process.cwd()): LockSpec {
  if (Object.hasOwn(CATALOG, nameOrPath)) return { ref: nameOrPath, builtin: true };
  const looksLikePath = /[\\/]|\.(m?js|c)$/.test(nameOrPath);
  if (!looksLikePath) {
    throw new BadInputError(
      `--lock: unknown lock '${nameOrPath}' (built-ins: ${BUILTIN_NAMES.join(', ')}; or a path to a .mjs/.js module or a .c file)`,
    );
  }
  const file = resolve(cwd, nameOrPath);
  if (!existsSync(file)) throw new BadInputError(`--lock: no such lock module: ${nameOrPath}`);
  return { ref: pathToFileURL(file).href, builtin: false };
}

/** Loads and checks a lock design; every failure is a BadInputError naming what is wrong. */
export async function loadLockDesign(spec: LockSpec, options: CompileOptions = {}): Promise<LockDesign> {
  if (spec.builtin) return CATALOG[spec.ref]!.design;
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
