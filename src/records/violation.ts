// One violation as a run records it: sent by a worker, kept in summary.json.
import type { ViolationKind } from '../grading/vocabulary.js';
import type { FlightOp } from '../invariants/flight-recorder.js';
import type { KernelFlightOp } from '../zsmalloc/flight.js';

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
  /** On the kernel's pool: every CPU's recent role steps and zspage-lock events, in order, as seen when reported (src/zsmalloc/flight.ts). */
  recentCalls?: KernelFlightOp[];
}
