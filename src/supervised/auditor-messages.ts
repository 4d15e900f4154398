// What coordinator/lock-auditor.ts and its worker (workers/lock-auditor.ts) share.
import type { ArenaParams } from '../arena/layout.js';
import type { LockSpec } from '../locks/registry.js';

/** Atomic operations one lock call may take on an idle lock before it counts as hung. */
export const LOCK_CALL_BUDGET = 1_000_000;
/** Slots of the status words the worker shares. */
export const AUDITOR = { ZSPAGE: 0, WORDS: 1 } as const;

export interface AuditorData {
  /** The arena (a C lock runs on it as WebAssembly memory). */
  memory: WebAssembly.Memory;
  params: ArenaParams;
  lock: LockSpec;
  status: SharedArrayBuffer;
}

export type AuditorMessage = { ready: true } | { problems: [number, string][] };
