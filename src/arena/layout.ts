// The one definition of the shared arena: every thread builds the same Layout from
// the same ArenaParams and reads the SharedArrayBuffer through it.
//
// Int32 regions (each starts on a 64-byte line):
//   header | pool lock | page allocator | zspage allocator | classes | zspages |
//   page descriptors | free page stack | free zspage stack | handles | workers | C stacks
// then the page frames, aligned to the page size. The whole arena is a shared
// WebAssembly memory (whole 64 KiB pages), so a lock compiled from C runs on it.

export const LINE_WORDS = 16; // one 64-byte cache line

/** Header words. */
export const HDR = {
  MAGIC: 0,
  STOP: 1, // non-zero: every role loop returns
  PAUSE: 2, // non-zero: roles park at their next operation boundary (stutter)
  PARKED: 3, // how many roles are parked
  EPOCH: 4, // bumped by the coordinator: roles flush their interval histograms
  VIOLATIONS: 5, // violations reported so far, all threads
  DEFERRED_FREE: 6, // zspages waiting for async_free_zspage()
  COMPACTING: 7, // pool->compaction_in_progress
  C_STACKS: 8, // C lock stacks handed out (see cStacks)
  CLOCK_MS: 9, // ms since the run started, as the coordinator last saw it: the flight recorder's clock
} as const;
export const ARENA_MAGIC = 0x7a737472; // "zstr"

/** Pool rwlock words (pool->lock), the harness's own. */
export const POOL = { STATE: 0, WRITERS_WAITING: 1, WAITERS: 2 } as const;
/** A spinlock plus a stack top: the page allocator and the zspage descriptor allocator. */
export const STACK = { LOCK: 0, TOP: 1 } as const;

/** Size-class descriptor words (struct size_class). */
export const CLS = {
  LOCK: 0,
  SIZE: 1,
  PAGES_PER_ZSPAGE: 2,
  OBJS_PER_ZSPAGE: 3,
  HUGE: 4,
  OBJS_ALLOCATED: 5, // ZS_OBJS_ALLOCATED
  OBJS_INUSE: 6, // ZS_OBJS_INUSE
  ZSPAGES: 7,
  FULLNESS_HEAD: 8, // NR_FULLNESS_GROUPS list heads (zspage index or -1)
  FULLNESS_COUNT: 20, // zspages per fullness group
} as const;
export const NR_FULLNESS_GROUPS = 12; // ZS_INUSE_RATIO_0, 10 .. 99 (10 groups), 100
export const CLASS_WORDS = 32;

/** Zspage descriptor words (struct zspage), then the shadow state, then the lock words. */
export const ZSP = {
  CLASS: 0, // class id, or -1 for a free descriptor
  INUSE: 1,
  FREEOBJ: 2, // first free object index, or -1
  FULLNESS: 3, // fullness group, or -1 while isolated
  PREV: 4,
  NEXT: 5,
  NR_PAGES: 6,
  MAGIC: 7,
  PAGES: 8, // chainSize page frame numbers
} as const;
export const ZSPAGE_MAGIC = 0x58;
/** Shadow held-state words, after the page chain (see invariants/shadow). */
export const SHADOW = {
  HOLDERS: 0, // who is inside the lock or waiting for it: the HOLDER fields
  OPS: 1, // lock operations in progress (low OPS_IN_BITS) and a count of their starts and ends (the rest)
  SLEEPERS: 2, // readers inside and asleep
  TRYLOCK_SEQ: 3, // numbers writeTrylock calls
} as const;
// HOLDERS and OPS are one 8-byte aligned little-endian 64-bit word (HOLDERS the low half), changed
// only by 64-bit atomic adds (invariants/shadow-core): a thread that enters or leaves the shadow
// as a lock operation starts or ends does both in one atomic operation.
export const SHADOW_WORDS = 4;
/**
 * SHADOW.HOLDERS: readers inside (between readLock's return and readUnlock's call), readers
 * inside a readLock call that found a writer inside, writers inside; 10 bits each (roles
 * allow 256 threads in all).
 * One word, so that one atomic add both moves a thread and shows it everybody else.
 */
export const HOLDER = { READER: 1, WAITING: 1 << 10, WRITER: 1 << 20 } as const;
export const readersIn = (holders: number) => holders & 0x3ff;
export const readersWaiting = (holders: number) => (holders >>> 10) & 0x3ff;
export const writersIn = (holders: number) => (holders >>> 20) & 0x3ff;
/** SHADOW.OPS: an operation adds OPS_ENTER as it starts and OPS_LEAVE as it ends. */
export const OPS_IN_BITS = 9; // up to 511 threads in lock operations on one zspage (roles allow 256)
export const OPS_IN_MASK = (1 << OPS_IN_BITS) - 1;
export const OPS_ENTER = (1 << OPS_IN_BITS) + 1;
export const OPS_LEAVE = (1 << OPS_IN_BITS) - 1;
/** ... and a reader falling asleep holding, or waking, adds OPS_EVENT. */
export const OPS_EVENT = 1 << OPS_IN_BITS;

/** Flight recorder: per worker a ring of its last FLIGHT_ENTRIES lock operations (invariants/flight-recorder). */
export const FLIGHT_ENTRIES = 32; // a power of two
export const FLIGHT = {
  OP: 0, // FLIGHT_OPS index + 1 (0: empty slot)
  STATUS: 1, // 0 in progress, 1 returned, 2 a writeTrylock that returned false
  ZSPAGE: 2,
  GEN: 3, // SHADOW.OPS >>> OPS_IN_BITS as the operation started: orders one zspage's operations
  GEN_END: 4, // ... and as it ended
  MS: 5, // HDR.CLOCK_MS as it started
  BEFORE: 6, // FLIGHT_LOCK_WORDS lock words as it started
  AFTER: 10, // ... and as it ended
} as const;
export const FLIGHT_LOCK_WORDS = 4;
export const FLIGHT_ENTRY_WORDS = LINE_WORDS;

/** Page descriptor words (struct zpdesc). */
export const PG = { OWNER: 0, HANDLE: 1, FIRST_OBJ_OFFSET: 2, LOCK: 3 } as const;
export const PAGE_DESC_WORDS = 4;

/** Handle table words: the handle slot (location) plus what the user wrote. */
export const HND = { LOCATION: 0, SIZE: 1, VERSION: 2 } as const;
export const HANDLE_WORDS = 4;
export const HANDLE_FREE = -1;

/** Worker words: one line of Int32 state, then Float64 counters on their own lines. */
export const WRK = { PROGRESS: 0, STATE: 1, ZSPAGE: 2, PARKED: 3, TID: 4 } as const;
export const WORKER_COUNTERS = 32;
/** A C lock's stack, one per thread that runs lock code on the arena (workers, coordinator, spares). */
export const C_STACK_WORDS = 1024;
/** A C lock's static data (its globals): bytes [C_DATA_BASE, C_DATA_BASE + C_DATA_BYTES), right after the header. */
export const C_DATA_BASE = LINE_WORDS * 4;
export const C_DATA_BYTES = 960;
export const C_STACK_SPARES = 8; // the coordinator, the lock auditor and its restarts
export const WASM_PAGE_BYTES = 65536;
const WORKER_WORDS = LINE_WORDS + WORKER_COUNTERS * 2;

/** The lock-order graph every worker's lockdep shares (invariants/lockdep). */
export const LOCKDEP_CLASSES = 16; // lock classes, fixed and registered; a row of the graph is one Int32 bitmask
export const LOCKDEP_STACK = 8; // (class, site) pairs kept per dependency: the stack that first made it
export const LOCKDEP_EDGE_WORDS = 2 + 2 * LOCKDEP_STACK; // claim (worker + 1), depth, pairs
export const LOCKDEP = {
  OFF: 0, // set by the first report: lockdep turns itself off, as the kernel's does
  ROWS: LINE_WORDS, // row a, bit b: a dependency a -> b was seen
  KEYS: 2 * LINE_WORDS, // registered classes' keys (+1; 0 free)
  EDGES: 3 * LINE_WORDS, // LOCKDEP_CLASSES^2 dependency records
} as const;
export const LOCKDEP_WORDS = LOCKDEP.EDGES + LOCKDEP_CLASSES * LOCKDEP_CLASSES * LOCKDEP_EDGE_WORDS;

export interface ArenaParams {
  pageSize: number;
  pages: number;
  chainSize: number;
  classCount: number;
  lockWords: number;
  handles: number;
  workers: number;
}

export interface Layout {
  params: ArenaParams;
  pool: number;
  pageAlloc: number;
  zspageAlloc: number;
  classes: number;
  zspages: number;
  maxZspages: number;
  zspageWords: number;
  /** Offset of the shadow words inside a zspage descriptor. */
  shadowAt: number;
  /** Offset of the lock words inside a zspage descriptor. */
  lockAt: number;
  pageDescs: number;
  freePages: number;
  freeZspages: number;
  handles: number;
  workers: number;
  /** Worker 0's flight recorder ring (FLIGHT_ENTRIES entries of FLIGHT_ENTRY_WORDS). */
  flight: number;
  lockdep: number;
  /** Float64 index of worker 0's counters. */
  workerCounters: number;
  workerWords: number;
  /** Int32 index of the C lock stacks, and how many there are. */
  cStacks: number;
  cStackCount: number;
  /** Byte offset of page frame 0. */
  frames: number;
  totalBytes: number;
}

const lineUp = (words: number) => Math.ceil(words / LINE_WORDS) * LINE_WORDS;

const even = (words: number) => (words + 1) & ~1;

export function computeLayout(params: ArenaParams): Layout {
  let at = 0;
  const region = (words: number) => {
    const start = at;
    at += lineUp(words);
    return start;
  };
  const header = region(LINE_WORDS);
  void header;
  // at a fixed address (C_DATA_BASE), where every C lock module is linked to keep its static data
  const cData = region(C_DATA_BYTES / 4);
  void cData;
  const pool = region(LINE_WORDS);
  const pageAlloc = region(LINE_WORDS);
  const zspageAlloc = region(LINE_WORDS);
  const classes = region(params.classCount * CLASS_WORDS);
  // 8-byte aligned (descriptors start on a line and are an even number of words): SHADOW's 64-bit word
  const shadowAt = even(ZSP.PAGES + params.chainSize);
  // lock words 8-byte aligned: a C lock's atomic64_t is one 64-bit atomic
  const lockAt = even(shadowAt + SHADOW_WORDS);
  const zspageWords = even(lockAt + params.lockWords);
  const maxZspages = params.pages;
  const zspages = region(maxZspages * zspageWords);
  const pageDescs = region(params.pages * PAGE_DESC_WORDS);
  const freePages = region(params.pages);
  const freeZspages = region(maxZspages);
  const handles = region(params.handles * HANDLE_WORDS);
  const workers = region(params.workers * WORKER_WORDS);
  const flight = region(params.workers * FLIGHT_ENTRIES * FLIGHT_ENTRY_WORDS);
  const lockdep = region(LOCKDEP_WORDS);
  const cStackCount = params.workers + C_STACK_SPARES;
  const cStacks = region(cStackCount * C_STACK_WORDS);
  const frames = Math.ceil((at * 4) / params.pageSize) * params.pageSize;
  return {
    params,
    pool,
    pageAlloc,
    zspageAlloc,
    classes,
    zspages,
    maxZspages,
    zspageWords,
    shadowAt,
    lockAt,
    pageDescs,
    freePages,
    freeZspages,
    handles,
    workers,
    flight,
    lockdep,
    workerCounters: (workers + LINE_WORDS) / 2,
    workerWords: WORKER_WORDS,
    cStacks,
    cStackCount,
    frames,
    totalBytes: Math.ceil((frames + params.pages * params.pageSize) / WASM_PAGE_BYTES) * WASM_PAGE_BYTES,
  };
}
