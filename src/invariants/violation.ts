import type { FlightOp } from './flight-recorder.js';
import type { ViolationKind } from '../grading/vocabulary.js';

export interface Violation {
  kind: ViolationKind;
  message: string;
  /** Milliseconds since the run started. */
  atMs: number;
  /** Who saw it, e.g. "reader#2", or "coordinator". */
  by: string;
  zspage?: number;
  handle?: number;
  /** The flight recorder's last operations on `zspage` from every worker, in order, as seen when reported. */
  recent?: FlightOp[];
}

/** Where a thread reports what it saw. */
export interface ViolationSink {
  report(kind: ViolationKind, message: string, zspage?: number, handle?: number): void;
}
