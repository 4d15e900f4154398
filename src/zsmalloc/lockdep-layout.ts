// Lockdep's part of the kernel pool's arena (lockdep.ts): the lock classes every CPU
// registers by name, the dependency graph as one bitmask row per class, and per
// dependency the record of the first CPU that made it: the locks it held, each with the
// kernel function that took it, and its stack of kernel functions.

/** Lock classes; a row of the graph is one Int32 bitmask. */
export const KLD_CLASSES = 32;
/** Held locks kept per dependency record (the innermost ones). */
export const KLD_HELD = 8;
/** Kernel functions (wasm function indices) kept per dependency record's stack. */
export const KLD_FRAMES = 24;
/** A dependency record: [claim (cpu + 1), held count, (class << 8 | mode, func) pairs, frame count, frames]. */
export const KLD_REC = { CLAIM: 0, HELD: 1, PAIRS: 2, FRAMES: 2 + 2 * KLD_HELD, FRAME0: 3 + 2 * KLD_HELD } as const;
export const KLD_REC_WORDS = KLD_REC.FRAME0 + KLD_FRAMES;
/** OFF: set by the first report (lockdep turns itself off); KEYS/KINDS: a class's key and lock kind; ROWS: a -> b. */
export const KLD = {
  OFF: 0,
  KEYS: 16,
  KINDS: 16 + KLD_CLASSES,
  ROWS: 16 + 2 * KLD_CLASSES,
  RECS: 16 + 3 * KLD_CLASSES,
} as const;
export const KLOCKDEP_WORDS = KLD.RECS + KLD_CLASSES * KLD_CLASSES * KLD_REC_WORDS;
