// The control block a crew's main thread and its worker threads share: a phase
// generation to wake the crew, which loop to run, and each worker's result.
// The stop word is the arena's HDR.STOP, which the real role loop also obeys.
// Int32 words: GEN is bumped to start a phase, LOOP names its loop, READY and DONE
// count workers, QUIT ends them.
export const CTL = { GEN: 0, LOOP: 1, READY: 2, DONE: 3, QUIT: 4 } as const;
const HEADER_BYTES = 64;
const RESULT_BYTES = 24;

export const controlBytes = (workers: number) => HEADER_BYTES + workers * RESULT_BYTES;

/** One worker's result of the last phase: [operations, wall ms, thread CPU ms]. */
export const resultView = (ctl: SharedArrayBuffer, index: number) => new Float64Array(ctl, HEADER_BYTES + index * RESULT_BYTES, 3);

/** Every loop a crew may run, by index in CTL.LOOP. */
export const LOOP_NAMES = ['cycle', 'read', 'write'] as const;
export type LoopName = (typeof LOOP_NAMES)[number];
