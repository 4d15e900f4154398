// A crew: worker threads that all run the same spec, started once and then driven
// phase by phase from the main thread (so A/B phases interleave without respawning).
import { Worker } from 'node:worker_threads';
import { HDR } from '../../src/arena/layout.js';
import type { Arena } from '../../src/arena/arena.js';
import { compiledPath } from '../../src/paths.js';
import { CTL, controlBytes, LOOP_NAMES, resultView, type LoopName } from './control.js';
import type { CrewSpec, CrewWorkerData } from './spec.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Copies of every crew, taking turns phase by phase: the same loop optimized in two
 * isolates ran 10-35 % apart here, and one isolate's luck must not decide a figure.
 */
export const COPIES = 2;

/** One phase: operations per wall-clock second summed over the crew, and each worker's per CPU second. */
export interface PhaseResult {
  opsPerSec: number;
  perWorkerCpu: number[];
}

/** One set of `count` worker threads with its control block. */
class Copy {
  readonly ctl: Int32Array;
  private gen = 0;

  constructor(
    readonly sab: SharedArrayBuffer,
    readonly workers: Worker[],
  ) {
    this.ctl = new Int32Array(sab);
  }

  static start(arena: Arena, spec: CrewSpec, count: number): Copy {
    const ctl = new SharedArrayBuffer(controlBytes(count));
    const workers = Array.from({ length: count }, (_, index) => {
      const workerData: CrewWorkerData = { spec, memory: arena.memory, params: arena.layout.params, ctl, index };
      const w = new Worker(compiledPath('bench', 'workers', 'crew-worker.js'), { workerData });
      w.on('error', (err) => {
        console.error(`bench worker (${spec.kind}) failed: ${err.stack ?? err}`);
        process.exit(3);
      });
      return w;
    });
    return new Copy(ctl, workers);
  }

  wake(loop: LoopName | null): void {
    if (loop === null) Atomics.store(this.ctl, CTL.QUIT, 1);
    else Atomics.store(this.ctl, CTL.LOOP, LOOP_NAMES.indexOf(loop));
    Atomics.store(this.ctl, CTL.DONE, 0);
    Atomics.store(this.ctl, CTL.GEN, ++this.gen);
    Atomics.notify(this.ctl, CTL.GEN);
  }
}

export class Crew {
  private turn = 0;

  private constructor(
    private readonly arena: Arena,
    private readonly copies: Copy[],
  ) {}

  static async start(arena: Arena, spec: CrewSpec, count: number): Promise<Crew> {
    const copies = Array.from({ length: COPIES }, () => Copy.start(arena, spec, count));
    for (const c of copies) while (Atomics.load(c.ctl, CTL.READY) < count) await sleep(2);
    return new Crew(arena, copies);
  }

  /** Runs `loop` on every worker of the next copy for about `ms` milliseconds. */
  async run(loop: LoopName, ms: number): Promise<PhaseResult> {
    const { mem } = this.arena;
    const copy = this.copies[this.turn++ % this.copies.length]!;
    Atomics.store(mem, HDR.STOP, 0);
    copy.wake(loop);
    await sleep(ms);
    Atomics.store(mem, HDR.STOP, 1);
    Atomics.notify(mem, HDR.STOP);
    while (Atomics.load(copy.ctl, CTL.DONE) < copy.workers.length) await sleep(1);
    const results = copy.workers.map((_, i) => resultView(copy.sab, i));
    const opsPerSec = results.reduce((sum, [ops, wall]) => sum + (ops! / wall!) * 1000, 0);
    // A worker that got no CPU in the phase has no rate to give.
    return { opsPerSec, perWorkerCpu: results.filter(([, , cpu]) => cpu! > 0).map(([ops, , cpu]) => (ops! / cpu!) * 1000) };
  }

  async close(): Promise<void> {
    const exits = this.copies.flatMap((c) => c.workers.map((w) => new Promise((r) => w.once('exit', r))));
    for (const c of this.copies) c.wake(null);
    await Promise.all(exits);
  }
}
