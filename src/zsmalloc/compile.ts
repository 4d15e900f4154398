// The kernel's own mm/zsmalloc.c compiled unchanged to WebAssembly with the harness
// around it (harness.c includes it), against our kernel shim (include/), in-process
// with the npm clang the C locks use, cached by the content hash of everything read.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { C_DATA_BASE } from '../arena/layout.js';
import { BadInputError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { cacheDir as lockCacheDir, clangVersion, runClang, shimDir as lockShimDir, type VirtualTree } from '../locks/c/compile.js';
import { apiFlags, fallbackHeader, zsmallocApi, type ZsmallocApi } from './version.js';

/** The headers mm/zsmalloc.c (6.1 to mainline) and zpdesc.h include; each resolves to the shim. */
const LINUX_HEADERS = [
  'module', 'kernel', 'sched', 'bitops', 'errno', 'highmem', 'string', 'slab', 'pgtable', 'cpumask', 'cpu',
  'vmalloc', 'preempt', 'spinlock', 'sprintf', 'shrinker', 'types', 'debugfs', 'zpool', 'migrate', 'wait',
  'pagemap', 'fs', 'local_lock', 'scatterlist', 'workqueue', 'mm', 'gfp', 'atomic', 'lockdep', 'list',
  'printk', 'compiler', 'bug', 'err', 'page-flags', 'mmzone', 'percpu', 'smp', 'cpuhotplug', 'memcontrol',
];
const ASM_HEADERS = ['tlbflush', 'barrier', 'page'];
const STUB = '#include <zsk_kernel.h>\n#ifndef pr_fmt\n#define pr_fmt(fmt) fmt\n#endif\n';

const CLANG_FLAGS: readonly string[] = [
  '--target=wasm32',
  '-std=gnu11',
  '-O2',
  '-matomics',
  '-mbulk-memory',
  '-nostdlib',
  '-ffreestanding',
  '-fno-builtin',
  // as the kernel's Makefile builds it
  '-fno-strict-aliasing',
  '-fno-strict-overflow',
  '-fno-delete-null-pointer-checks',
  '-Iinclude',
  '-include',
  'zsk_kernel.h',
  '-DZSH_SOURCE="mm/zsmalloc.c"',
  '-Werror=implicit-function-declaration',
  '-Werror=incompatible-pointer-types',
  '-Werror=int-conversion',
  '-Wl,--no-entry,--import-memory,--shared-memory,--max-memory=4294967296,-z,stack-size=0',
  `-Wl,--global-base=${C_DATA_BASE}`,
  '-Wl,--export=__stack_pointer,--export=__data_end,--export=__wasm_init_tls,--export=__tls_size,--export=__tls_align,--export=__tls_base',
];

/**
 * KASAN on every plain load and store of zsmalloc.c (harness.c's __sanitizer_cov_*
 * callbacks), beside the checks always built in. On by default: it costs a kernel pool
 * operation about a sixth more (`node dist/bench/index.js kernel-lockdep`).
 */
const KASAN_FULL_FLAGS: readonly string[] = ['-fsanitize-coverage=edge,trace-loads,trace-stores', '-DZSH_KASAN_FULL'];

export interface ZsmallocCompileOptions {
  /** Check every plain access against the page frames' state (KASAN_FULL_FLAGS); default true. */
  kasanFull?: boolean;
}

export interface CompiledPool {
  wasm: Uint8Array;
  hash: string;
  api: ZsmallocApi;
  /** The zsmalloc.c as the user named it (for messages). */
  file: string;
  cached: boolean;
}

export interface PoolSources {
  source: string;
  zpdesc: string | null;
  header: string | null;
  display: string;
}

/** `path`: a kernel tree, or an mm/zsmalloc.c (zpdesc.h beside it, include/linux/zsmalloc.h above it). */
export function readZsmallocTree(path: string): PoolSources {
  let file = resolve(path);
  try {
    if (statSync(file).isDirectory()) file = join(file, 'mm', 'zsmalloc.c');
  } catch {
    throw new BadInputError(`--zsmalloc: no such file or directory: ${path}`);
  }
  if (!existsSync(file)) throw new BadInputError(`--zsmalloc: ${path} has no mm/zsmalloc.c`);
  const maybe = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : null);
  return {
    source: readFileSync(file, 'utf8'),
    zpdesc: maybe(join(dirname(file), 'zpdesc.h')),
    header: maybe(join(dirname(file), '..', 'include', 'linux', 'zsmalloc.h')),
    display: file === resolve(path) ? path : join(path, 'mm', 'zsmalloc.c'),
  };
}

/** The content hash of the files `--zsmalloc` reads (zsmalloc.c, zpdesc.h, zsmalloc.h): which tree a run was on. */
export function sourcesHash(src: PoolSources): string {
  const h = createHash('sha256');
  for (const text of [src.source, src.zpdesc, src.header]) h.update(text === null ? '-' : `${text.length}:`).update(text ?? '');
  return h.digest('hex');
}

const readHeaders = (dir: string) =>
  Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.h')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

function fileTree(src: PoolSources, api: ZsmallocApi): VirtualTree {
  const here = join(packageRoot(), 'src', 'zsmalloc');
  const linux: VirtualTree = Object.fromEntries(LINUX_HEADERS.map((h) => [`${h}.h`, STUB]));
  linux.sched = { 'mm.h': STUB };
  linux['zsmalloc.h'] = src.header ?? fallbackHeader(src.source, api);
  const mm: VirtualTree = { 'zsmalloc.c': src.source };
  if (src.zpdesc !== null) mm['zpdesc.h'] = src.zpdesc;
  return {
    ...readHeaders(here),
    'harness.c': readFileSync(join(here, 'harness.c'), 'utf8'),
    mm,
    include: {
      ...readHeaders(lockShimDir()),
      ...readHeaders(join(here, 'include')),
      linux,
      asm: Object.fromEntries(ASM_HEADERS.map((h) => [`${h}.h`, STUB])),
    },
  };
}

function hashTree(tree: VirtualTree, flags: readonly string[]): string {
  const h = createHash('sha256');
  const part = (s: string) => h.update(`${s.length}:`).update(s);
  const walk = (t: VirtualTree, prefix: string) => {
    for (const name of Object.keys(t).sort()) {
      const v = t[name]!;
      part(prefix + name);
      if (typeof v === 'string') part(v);
      else walk(v, `${prefix}${name}/`);
    }
  };
  walk(tree, '');
  for (const f of flags) part(f);
  part(clangVersion());
  return h.digest('hex');
}

/** Compiles (or takes from the cache) the pool built from `path`; bad input is one line. */
export async function compileZsmalloc(path: string, opts: ZsmallocCompileOptions = {}): Promise<CompiledPool> {
  const src = readZsmallocTree(path);
  const api = zsmallocApi(src.source, src.display);
  const tree = fileTree(src, api);
  const flags = [...CLANG_FLAGS, ...apiFlags(api), ...(opts.kasanFull !== false ? KASAN_FULL_FLAGS : [])];
  const hash = hashTree(tree, flags);
  const dir = join(dirname(lockCacheDir()), 'zsmalloc');
  const cached = join(dir, `${hash}.wasm`);
  if (existsSync(cached)) return { wasm: new Uint8Array(readFileSync(cached)), hash, api, file: src.display, cached: true };
  const nameOf = (file: string) => (file === 'mm/zsmalloc.c' ? src.display : file);
  const wasm = await runClang(tree, [...flags, 'harness.c'], src.display, nameOf);
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, wasm);
    renameSync(tmp, cached);
  } catch {
    // an unwritable cache only costs the next run a compile
  }
  return { wasm, hash, api, file: src.display, cached: false };
}
