// `--lock FILE.c`: the file compiled (or taken from the cache) and made a LockDesign.
import { relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LockDesign } from '../contract.js';
import { compileCLock, type CompileOptions } from './compile.js';
import { cLockDesign } from './design.js';

export const isCLockRef = (ref: string) => /\.c$/i.test(ref);

/** `ref` is the file's URL, as in a LockSpec. */
export async function loadCLock(ref: string, options: CompileOptions = {}): Promise<LockDesign> {
  const path = fileURLToPath(ref);
  const rel = relative(process.cwd(), path);
  const display = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  return cLockDesign(await compileCLock(path, display, options));
}
