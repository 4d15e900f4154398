// What explorer/bounded.ts and its worker (workers/explorer.ts) say to each other.
import type { ExhaustiveResult } from '../explorer/types.js';
import type { ExploreFailure, ExploreOptions, ExploreResult, MemoryModel, Reduction, TraceStep } from '../explorer/types.js';
import type { LockSpec } from '../locks/registry.js';

export type ExplorerTask =
  | { kind: 'explore'; options: ExploreOptions }
  | { kind: 'exhaustive'; programs: string[]; memory: MemoryModel; budgetMs: number; reduction?: Reduction }
  | { kind: 'replay'; schedule: string; memory: MemoryModel };

export interface ExplorerWorkerData {
  lock: LockSpec;
  task: ExplorerTask;
  watch: SharedArrayBuffer;
}

export type ExplorerReply =
  | { explored: ExploreResult }
  | { replayed: { failure: ExploreFailure | null; trace: TraceStep[] } }
  | { exhausted: ExhaustiveResult }
  | { bad: string };
