// A C lock file compiled in-process to WebAssembly (@yowasp/clang: Clang and LLD built
// as WebAssembly, so `npm ci` is all a user needs). Compiled modules are cached by the
// content hash of the source, the kernel shim and the flags.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadInputError } from '../../errors.js';
import { packageRoot } from '../../paths.js';
import { C_DATA_BASE } from '../../arena/layout.js';

/** The kernel shim's headers; the package ships this folder. */
export const shimDir = () => join(packageRoot(), 'src', 'locks', 'c', 'include');

const SOURCE_NAME = 'lock.c';

// wasm32 with threads: the module imports the arena's shared memory and exports its
// stack pointer so that every instance gets a stack of its own. Its static data (a
// static counter, a lock class key) is linked at C_DATA_BASE, a region the arena keeps
// for it, so that every thread shares it, as a kernel global.
export const CLANG_FLAGS: readonly string[] = [
  '--target=wasm32',
  '-std=gnu11',
  '-O2',
  '-matomics',
  '-mbulk-memory',
  '-nostdlib',
  '-ffreestanding',
  '-fno-builtin',
  '-Iinclude',
  '-include',
  'zspage_kernel.h',
  '-Werror=incompatible-pointer-types',
  '-Werror=int-conversion',
  '-Werror=return-type',
  '-Wl,--no-entry,--import-memory,--shared-memory,--max-memory=4294967296,-z,stack-size=0',
  `-Wl,--global-base=${C_DATA_BASE}`,
  '-Wl,--export=__stack_pointer,--export=__data_end,--export=__global_base',
];

/**
 * The weak explorer's build: every plain load and store of the C code first calls
 * `__sanitizer_cov_{load,store}N(address)` (clang's SanitizerCoverage; the callbacks are
 * imports from "env"), so that its plain accesses to the lock are race-checked.
 */
const SANCOV = ['load1', 'load2', 'load4', 'load8', 'load16', 'store1', 'store2', 'store4', 'store8', 'store16'].map((x) => `__sanitizer_cov_${x}`);
export const PLAIN_ACCESS_FLAGS: readonly string[] = [
  '-fsanitize-coverage=edge,trace-loads,trace-stores',
  '-Wl,--allow-undefined-file=sancov.syms',
];

export interface CompileOptions {
  /** Build with PLAIN_ACCESS_FLAGS (for explore --memory weak). */
  plainAccesses?: boolean;
}

export interface CompiledLock {
  wasm: Uint8Array;
  /** sha256 of (source, shim, flags, compiler): the cache key. */
  hash: string;
  source: string;
  /** The file as the user named it, for messages. */
  file: string;
  /** Whether the module came from the cache. */
  cached: boolean;
  /** Built with PLAIN_ACCESS_FLAGS: it reports every plain load and store. */
  plainAccesses: boolean;
}

export function cacheDir(): string {
  const explicit = process.env.ZSPAGE_STRESS_CACHE;
  if (explicit) return explicit;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'zspage-stress', 'c-locks');
}

/** The folders of <linux/...> and <asm/...> headers, which resolve to the shim. */
const SHIM_FOLDERS = ['linux', 'asm'] as const;

function shimTree(): { files: Record<string, string>; folders: Record<string, Record<string, string>> } {
  const dir = shimDir();
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir)) if (f.endsWith('.h')) files[f] = readFileSync(join(dir, f), 'utf8');
  const folders: Record<string, Record<string, string>> = {};
  for (const folder of SHIM_FOLDERS) {
    const headers: Record<string, string> = (folders[folder] = {});
    for (const f of readdirSync(join(dir, folder))) headers[f] = readFileSync(join(dir, folder, f), 'utf8');
  }
  return { files, folders };
}

// The compiler's version is part of the key; read without loading the compiler.
let compilerVersion: string | undefined;
export function clangVersion(): string {
  if (compilerVersion === undefined) {
    const bundle = fileURLToPath(import.meta.resolve('@yowasp/clang'));
    const pkg = join(dirname(bundle), '..', 'package.json');
    compilerVersion = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  }
  return compilerVersion;
}

export function hashOf(source: string, shim: ReturnType<typeof shimTree>, compiler: string, extra: readonly string[] = []): string {
  const h = createHash('sha256');
  const part = (s: string) => h.update(`${s.length}:`).update(s);
  part(source);
  for (const [name, text] of Object.entries(shim.files).sort()) {
    part(name);
    part(text);
  }
  for (const folder of SHIM_FOLDERS) {
    for (const [name, text] of Object.entries(shim.folders[folder]!).sort()) {
      part(`${folder}/${name}`);
      part(text);
    }
  }
  for (const f of CLANG_FLAGS) part(f);
  for (const f of extra) part(f);
  part(compiler);
  return h.digest('hex');
}

/** Reads, hashes and (on a cache miss) compiles `path`; a compile error is a BadInputError of one line. */
export async function compileCLock(path: string, display = path, options: CompileOptions = {}): Promise<CompiledLock> {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BadInputError(`--lock: cannot read ${display}: ${(err as Error).message}`);
  }
  const shim = shimTree();
  const extra = options.plainAccesses ? PLAIN_ACCESS_FLAGS : [];
  const hash = hashOf(source, shim, clangVersion(), extra);
  const cached = join(cacheDir(), `${hash}.wasm`);
  try {
    return { wasm: new Uint8Array(readFileSync(cached)), hash, source, file: display, cached: true, plainAccesses: extra.length > 0 };
  } catch {
    // not cached yet
  }
  const wasm = await runCompiler(source, shim, display, extra);
  try {
    mkdirSync(cacheDir(), { recursive: true });
    const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, wasm);
    renameSync(tmp, cached); // atomic: a concurrent reader sees the whole module or none
  } catch {
    // an unwritable cache only costs the next run a compile
  }
  return { wasm, hash, source, file: display, cached: false, plainAccesses: extra.length > 0 };
}

async function runCompiler(
  source: string,
  shim: ReturnType<typeof shimTree>,
  display: string,
  extra: readonly string[],
): Promise<Uint8Array> {
  const files = { [SOURCE_NAME]: source, include: { ...shim.files, ...shim.folders }, 'sancov.syms': SANCOV.join('\n') + '\n' };
  return runClang(files, [...CLANG_FLAGS, ...extra, SOURCE_NAME], display, (file) => (file === SOURCE_NAME ? display : file));
}

/** A folder of the compiler's in-memory file system: file name to text, or a folder. */
export interface VirtualTree {
  [name: string]: string | VirtualTree;
}

/**
 * Runs clang on `files` with `args` (sources included) and returns the linked module; a
 * compile error is a BadInputError of one line, its file named by `nameOf`.
 */
export async function runClang(
  files: VirtualTree,
  args: readonly string[],
  display: string,
  nameOf: (file: string) => string,
): Promise<Uint8Array> {
  const { commands, runLLVM, Exit } = await import('@yowasp/clang');
  const quiet = () => {};
  // Loads the toolchain without its progress lines on stdout.
  await runLLVM(null as unknown as string[], {}, { fetchProgress: quiet });
  let diagnostics = '';
  const decoder = new TextDecoder();
  const collect = (bytes: Uint8Array | null) => {
    if (bytes) diagnostics += decoder.decode(bytes, { stream: true });
  };
  try {
    const out = (await commands.clang([...args, '-o', 'out.wasm'], files, {
      stdout: collect,
      stderr: collect,
      fetchProgress: quiet,
    })) as Record<string, unknown>;
    const wasm = out['out.wasm'];
    if (!(wasm instanceof Uint8Array)) throw new BadInputError(`${display}: the compiler produced no module`);
    return wasm;
  } catch (err) {
    if (err instanceof BadInputError) throw err;
    if (err instanceof Exit) throw new BadInputError(firstDiagnostic(diagnostics, display, nameOf));
    throw err;
  }
}

/** clang's first error as `file:line:col: message` (the linker's as `file: message`). */
export function firstDiagnostic(
  diagnostics: string,
  display: string,
  nameOf: (file: string) => string = (file) => (file === basename(SOURCE_NAME) ? display : file),
): string {
  const lines = diagnostics.split('\n');
  for (const line of lines) {
    const m = /^(.*?):(\d+):(\d+): (?:fatal )?error: (.*)$/.exec(line);
    if (m) {
      const file = nameOf(m[1]!.replace(/^\.\//, '')).replace(/^include\//, '<shim>/');
      return `${file}:${m[2]}:${m[3]}: ${m[4]}`;
    }
  }
  for (const line of lines) {
    const m = /^wasm-ld: error: (?:[^:]*\.o: )?(.*)$/.exec(line);
    if (m) return `${display}: ${m[1]}`;
  }
  const first = lines.find((l) => l.trim() !== '') ?? 'the compiler failed';
  return `${display}: ${first}`;
}
