// The zsmalloc pool as one thread sees it: views of the arena, the class table, the
// lock under test and the hooks the invariants attach to (as lockdep attaches to
// the kernel's zspage lock).
import type { Arena } from '../arena/arena.js';
import { CLASS_WORDS, HANDLE_WORDS, HND, PAGE_DESC_WORDS, PG, ZSP, CLS, type Layout } from '../arena/layout.js';
import type { LockOps } from '../locks/contract.js';
import { newCoverage } from './coverage.js';
import type { Cpu } from './kernel-locks.js';
import type { ModelledKernel } from './kernel-version.js';
import type { ClassTable } from './size-class.js';
// The harness's own atomics, not the router a lock module sees as the global (atomics-router).
import { RAW_ATOMICS as Atomics } from '../locks/atomics-router.js';

/** Called before and after every zspage lock operation; implemented by invariants/shadow and the roles' timers. */
export interface ZspageLockHooks {
  readBegin(z: number): void;
  readAcquired(z: number): void;
  readReleasing(z: number): void;
  readReleased(z: number): void;
  trylockBegin(z: number): void;
  trylockEnd(z: number, ok: boolean): void;
  writeReleasing(z: number): void;
  writeReleased(z: number): void;
}

export const NO_HOOKS: ZspageLockHooks = {
  readBegin() {},
  readAcquired() {},
  readReleasing() {},
  readReleased() {},
  trylockBegin() {},
  trylockEnd() {},
  writeReleasing() {},
  writeReleased() {},
};

export interface Zs {
  /** The arena as shared WebAssembly memory (the shadow's core and a C lock run on it). */
  memory: WebAssembly.Memory;
  mem: Int32Array;
  bytes: Uint8Array;
  L: Layout;
  table: ClassTable;
  pageSize: number;
  /** Word index of page frame 0. */
  frameWords: number;
  pageWords: number;
  objBits: number;
  objMask: number;
  lock: LockOps;
  cpu: Cpu;
  hooks: ZspageLockHooks;
  /** Where kernel versions differ, the one modelled. */
  kernel: ModelledKernel;
  /** This thread's protocol-state counters (model/coverage). */
  coverage: Float64Array;
}

export function objIndexBits(table: ClassTable): number {
  return Math.max(1, Math.ceil(Math.log2(table.maxObjsPerZspage + 1)));
}

export function createZs(
  arena: Arena,
  table: ClassTable,
  lock: LockOps,
  cpu: Cpu,
  hooks: ZspageLockHooks,
  kernel: ModelledKernel = '6.15',
): Zs {
  const objBits = objIndexBits(table);
  return {
    memory: arena.memory,
    mem: arena.mem,
    bytes: arena.bytes,
    L: arena.layout,
    table,
    pageSize: table.pageSize,
    frameWords: arena.layout.frames >> 2,
    pageWords: table.pageSize >> 2,
    objBits,
    objMask: (1 << objBits) - 1,
    lock,
    cpu,
    hooks,
    kernel,
    coverage: newCoverage(),
  };
}

// Index helpers: each returns the Int32 index of a field.
export const clsAt = (zs: Zs, c: number, field: number) => zs.L.classes + c * CLASS_WORDS + field;
export const zspAt = (zs: Zs, z: number, field: number) => zs.L.zspages + z * zs.L.zspageWords + field;
export const zspLockAt = (zs: Zs, z: number) => zs.L.zspages + z * zs.L.zspageWords + zs.L.lockAt;
export const zspShadowAt = (zs: Zs, z: number) => zs.L.zspages + z * zs.L.zspageWords + zs.L.shadowAt;
export const pgAt = (zs: Zs, pfn: number, field: number) => zs.L.pageDescs + pfn * PAGE_DESC_WORDS + field;
export const hndAt = (zs: Zs, h: number, field: number) => zs.L.handles + h * HANDLE_WORDS + field;
/** Word index of the first word of a page frame. */
export const frameAt = (zs: Zs, pfn: number) => zs.frameWords + pfn * zs.pageWords;

// location_to_obj() / obj_to_location()
export const locationToObj = (zs: Zs, pfn: number, idx: number) => (pfn << zs.objBits) | idx;
export const objPfn = (zs: Zs, obj: number) => obj >>> zs.objBits;
export const objIdx = (zs: Zs, obj: number) => obj & zs.objMask;

export const zspageClass = (zs: Zs, z: number) => zs.mem[zspAt(zs, z, ZSP.CLASS)]!;
export const classSize = (zs: Zs, c: number) => zs.mem[clsAt(zs, c, CLS.SIZE)]!;

// handle_to_obj(): handles are read without the pool lock by the audit only.
export const handleToObj = (zs: Zs, h: number) => Atomics.load(zs.mem, hndAt(zs, h, HND.LOCATION));
// record_obj()
export const recordObj = (zs: Zs, h: number, obj: number) => Atomics.store(zs.mem, hndAt(zs, h, HND.LOCATION), obj);

// get_zspage()
export const pageOwner = (zs: Zs, pfn: number) => zs.mem[pgAt(zs, pfn, PG.OWNER)]!;
