// What a crew's workers run. Each worker isolate builds exactly one spec, so every
// call site in it sees one lock and one atomics object (as in a real role worker).
import type { ArenaParams } from '../../src/arena/layout.js';
import type { Scenario } from '../../src/scenario/schema.js';

/** The atomics a lock gets: global Atomics, or the harness's own for that role (routed as the
 *  global Atomics around each call, as in a role worker; 'reader-unrouted' without that;
 *  'reader-global': the lock calls the global Atomics router, which forwards to the reader's). */
export type AtomicsKind = 'raw' | 'reader' | 'writer' | 'reader-unrouted' | 'reader-global';

export type CrewSpec =
  /** Raw Atomics floors: loops 'read' (CAS + sub) and 'write' (CAS + store). */
  | { kind: 'floor'; zspages: number[] }
  /** A lock's pairs on one zspage per worker: loops 'read' and 'write'. */
  | { kind: 'lock'; lock: string; atomics: AtomicsKind; zspages: number[] }
  /** readLock/readUnlock on random zspages in [0, span): loop 'cycle'. */
  | { kind: 'bare-reader'; lock: string; span: number; seed: number }
  /** The real reader role (runLoop + readerStep on the model's ops): loop 'cycle'. */
  | { kind: 'harness-reader'; lock: string; scenario: Scenario; stable: number; seed: number; flightRecorder?: false }
  /** zs_obj_read_begin/end on random handles, with or without the shadow hooks: loop 'cycle'. */
  | { kind: 'map'; lock: string; scenario: Scenario; stable: number; seed: number; hooks: 'none' | 'shadow' };

export interface CrewWorkerData {
  spec: CrewSpec;
  memory: WebAssembly.Memory;
  params: ArenaParams;
  ctl: SharedArrayBuffer;
  /** This worker's index in its crew, and its worker line in the arena. */
  index: number;
}
