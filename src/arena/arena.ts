import { C_STACK_WORDS, HDR, WASM_PAGE_BYTES, computeLayout, type ArenaParams, type Layout } from './layout.js';

/** Views of one shared arena, as every thread sees it. */
export interface Arena {
  sab: SharedArrayBuffer;
  /** The arena as a shared WebAssembly memory (its buffer is `sab`): a C lock runs on it. */
  memory: WebAssembly.Memory;
  layout: Layout;
  mem: Int32Array;
  f64: Float64Array;
  bytes: Uint8Array;
}

/** What a lock compiled to WebAssembly needs of the arena it runs on. */
export interface ArenaMemory {
  memory: WebAssembly.Memory;
  /** Hands this thread a stack of its own: the byte address of its top, and its size. */
  claimStack(): { top: number; bytes: number };
}

// Captured before any lock code runs (a stack is claimed from inside a lock's first call,
// when the global Atomics may be a stand-in for the instrumented ones).
const RAW_ATOMICS = Atomics;
// Keyed by the buffer a thread's views use: in a worker, memory.buffer is that thread's object.
const arenaMemories = new WeakMap<SharedArrayBuffer, ArenaMemory>();

/** The arena memory behind `buffer`, or undefined for memory that is not an arena's. */
export function arenaMemoryOf(buffer: ArrayBufferLike): ArenaMemory | undefined {
  return arenaMemories.get(buffer as SharedArrayBuffer);
}

export function createArena(params: ArenaParams): Arena {
  const layout = computeLayout(params);
  const pages = layout.totalBytes / WASM_PAGE_BYTES;
  return attachArena(new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }), params);
}

export function attachArena(memory: WebAssembly.Memory, params: ArenaParams): Arena {
  const layout = computeLayout(params);
  const sab = memory.buffer as unknown as SharedArrayBuffer;
  if (sab.byteLength !== layout.totalBytes) {
    throw new Error(`arena is ${sab.byteLength} bytes, layout needs ${layout.totalBytes}`);
  }
  const mem = new Int32Array(sab);
  arenaMemories.set(sab, {
    memory,
    claimStack() {
      const i = RAW_ATOMICS.add(mem, HDR.C_STACKS, 1);
      if (i >= layout.cStackCount) throw new Error(`the arena has ${layout.cStackCount} C lock stacks, all taken`);
      return { top: (layout.cStacks + (i + 1) * C_STACK_WORDS) * 4, bytes: C_STACK_WORDS * 4 };
    },
  });
  return {
    sab,
    memory,
    layout,
    mem,
    f64: new Float64Array(sab, 0, layout.frames / 8),
    bytes: new Uint8Array(sab),
  };
}
