// The arena of a run on the kernel's pool: one shared WebAssembly memory holding the
// harness's header, the compiled zsmalloc's static data, the zspage-lock table the
// checks keep, lockdep's graph (lockdep-layout.ts), the CPUs' preemption epochs the stall
// watch reads, the flight recorder's rings (flight.ts), the object table, each CPU's stack,
// thread-local block and scratch pages, then mem_map[],
// the free page list and the page frames.
import { C_DATA_BASE, LINE_WORDS, WASM_PAGE_BYTES } from '../arena/layout.js';
import { KLOCKDEP_WORDS } from './lockdep-layout.js';

export const KPAGE_BYTES = 4096; // PAGE_SIZE in the shim (zsk_mm.h)
/** Static data of the compiled pool, from C_DATA_BASE (checked against __data_end). */
export const KDATA_BYTES = 256 * 1024;
export const KSTACK_BYTES = 64 * 1024;
/** A CPU's thread-local block: its per-CPU variables (checked against __tls_size). */
export const KTLS_BYTES = 16 * 1024;
/** A CPU's scratch: the object it writes, and zs_obj_read_begin()'s local copy. */
export const KSCRATCH_BYTES = 2 * KPAGE_BYTES;
export const KCPU_BYTES = KSTACK_BYTES + KTLS_BYTES + KSCRATCH_BYTES;
/** struct page in the shim: flags, lru, mapping, index, private, page_type, _refcount. */
export const KPAGE_DESC_BYTES = 32;
/** page->flags is its first word; PG_free (zsk_mm.h's enum pageflags): a page in the free list. */
export const KPAGE_FREE_FLAG = 1 << 9;
/** The zspage-lock table: by lock address, who holds it (HOLDER fields) and who sleeps in it. */
export const ZLOCK_SLOTS = 16384;
export const ZLOCK = { KEY: 0, HOLDERS: 1, SLEEPERS: 2 } as const;
export const ZLOCK_WORDS = 4;
/** The flight recorder: a sequence word (its own line), then per CPU a ring of entries (flight.ts). */
export const KFLIGHT_ENTRIES = 128; // a power of two
export const KFLIGHT_WORDS = 8;
/** The object table: per slot the kernel handle (0: none), the length and a version of its bytes. */
export const KOBJ = { HANDLE: 0, LEN: 1, VERSION: 2 } as const;
export const KOBJ_WORDS = 4;

export interface KernelLayout {
  pages: number;
  cpus: number;
  /** Int32 index of the zspage-lock table. */
  zlocks: number;
  /** Int32 index of lockdep's classes and dependency graph (KLD). */
  lockdep: number;
  /**
   * Int32 index of the stall watch's words: a sequence, then one word a CPU: 0 while it is
   * preemptible, else the sequence number its atomic section began with.
   */
  epochs: number;
  /** Int32 index of the flight recorder: its sequence word, then each CPU's ring. */
  flight: number;
  /** Int32 index of the object table, and its slots. */
  objects: number;
  objectSlots: number;
  /** Byte address of CPU 0's area (stack, then TLS, then scratch). */
  cpuBase: number;
  memMap: number;
  freePfns: number;
  /** Byte address of page frame 0 (page-aligned: its pfn is frames / KPAGE_BYTES). */
  frames: number;
  totalBytes: number;
}

const up = (n: number, to: number) => Math.ceil(n / to) * to;

export function kernelLayout(pages: number, cpus: number, objectSlots = 0): KernelLayout {
  const zlocksAt = up(C_DATA_BASE + KDATA_BYTES, LINE_WORDS * 4);
  const lockdepAt = zlocksAt + ZLOCK_SLOTS * ZLOCK_WORDS * 4;
  const epochsAt = up(lockdepAt + KLOCKDEP_WORDS * 4, LINE_WORDS * 4);
  const flightAt = up(epochsAt + (1 + cpus) * 4, LINE_WORDS * 4);
  const objectsAt = up(flightAt + (LINE_WORDS + cpus * KFLIGHT_ENTRIES * KFLIGHT_WORDS) * 4, LINE_WORDS * 4);
  const cpuBase = up(objectsAt + objectSlots * KOBJ_WORDS * 4, KPAGE_BYTES);
  const memMap = cpuBase + cpus * KCPU_BYTES;
  const freePfns = memMap + pages * KPAGE_DESC_BYTES;
  const frames = up(freePfns + pages * 4, KPAGE_BYTES);
  return {
    pages,
    cpus,
    zlocks: zlocksAt / 4,
    lockdep: lockdepAt / 4,
    epochs: epochsAt / 4,
    flight: flightAt / 4,
    objects: objectsAt / 4,
    objectSlots,
    cpuBase,
    memMap,
    freePfns,
    frames,
    totalBytes: up(frames + pages * KPAGE_BYTES, WASM_PAGE_BYTES),
  };
}

/** CPU `cpu`'s stack top, thread-local block and scratch, as byte addresses. */
export function cpuArea(L: KernelLayout, cpu: number): { stackTop: number; tls: number; scratch: number } {
  const base = L.cpuBase + cpu * KCPU_BYTES;
  return { stackTop: base + KSTACK_BYTES, tls: base + KSTACK_BYTES, scratch: base + KSTACK_BYTES + KTLS_BYTES };
}
