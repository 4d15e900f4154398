// What coordinator/check-explore.ts and its worker (workers/check-explorer.ts) say to each other.
import type { ExploreFailure, ExploreOptions, MemoryModel } from '../explorer/types.js';
import type { LockSpec } from '../locks/registry.js';

export type ExploreConfig = Pick<ExploreOptions, 'threads' | 'ops' | 'strategy' | 'depth'>;

export interface CheckExplorerData {
  lock: LockSpec;
  memory: MemoryModel;
  configs: ExploreConfig[];
  seed: number;
  /** Exploration time, from the worker's start of exploring (loading the lock is not counted). */
  budgetMs: number;
  /** Explore only if the lock declares memory orderings (declaresOrderings); else reply skipped. */
  onlyIfOrdered: boolean;
  watch: SharedArrayBuffer;
  watchSize: Pick<ExploreOptions, 'threads' | 'ops'>;
}

export type CheckExplorerMessage =
  | { chunk: { config: number; seed: number }; iterations?: number }
  | { skipped: true }
  | { done: { iterations: number; failure: ExploreFailure | null; config: number; seed: number } }
  | { error: string; iterations: number };
