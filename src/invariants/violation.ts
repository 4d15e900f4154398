import type { ViolationKind } from '../grading/vocabulary.js';

/** Where a thread reports what it saw. */
export interface ViolationSink {
  report(kind: ViolationKind, message: string, zspage?: number, handle?: number): void;
}
