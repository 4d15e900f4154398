// What the explorer on the kernel's code (src/coordinator/kernel-explore.ts) and its CPU
// workers (workers/kernel-explorer.ts) say to each other: one execution at a time.
import type { ViolationKind } from '../grading/vocabulary.js';
import type { KernelOp } from '../zsmalloc/program.js';

export interface KernelExploreInit {
  wasm: Uint8Array;
  cpu: number;
}

export interface KernelExecution {
  type: 'run';
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  pages: number;
  cpus: number;
  objectSlots: number;
  ops: KernelOp[];
  /** The page each object was on after the setup (the P<n> operation's target). */
  setupPfns: number[];
}

export type KernelExploreMessage =
  | { type: 'violation'; kind: ViolationKind; message: string }
  | { type: 'ran'; aborted: boolean };
