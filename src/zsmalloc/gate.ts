// The explorer's hold on a CPU running the kernel's code: at every kernel call (each atomic,
// spinlock step, sleep, page-lock wait) the CPU stops at a point until the scheduler lets it
// run to its next one. Between two points a CPU runs alone, so one schedule (the sequence of
// picks) is one execution, replayed exactly. Each CPU waits on its own status word, which
// the scheduler sets to RUNNING for the CPU it picks.
export const GATE = {
  /** Set by the scheduler: every CPU unwinds at its next kernel call. */
  ABORT: 0,
  /** Per CPU (from STATUS): RUNNING, AT_POINT, DONE. */
  STATUS: 1,
} as const;
/** SLEEPING: at a point in a sleep (a reader's hold): the scheduler lets the others run first. */
export const CPU_STATE = { RUNNING: 0, AT_POINT: 1, DONE: 2, SLEEPING: 3 } as const;
export const gateWords = (cpus: number) => GATE.STATUS + cpus + 1;

/** The scheduler ended the execution (a violation elsewhere, or the step bound). */
export class ExecutionAborted extends Error {}

export class Gate {
  private readonly ctl: Int32Array;
  private readonly status: number;

  constructor(control: SharedArrayBuffer, cpu: number) {
    this.ctl = new Int32Array(control);
    this.status = GATE.STATUS + cpu;
  }

  /** A kernel call is about to run: wait until the scheduler picks this CPU. */
  point(state: number = CPU_STATE.AT_POINT): void {
    const ctl = this.ctl;
    Atomics.store(ctl, this.status, state);
    Atomics.notify(ctl, this.status);
    while (Atomics.load(ctl, this.status) === state) Atomics.wait(ctl, this.status, state);
    if (Atomics.load(ctl, GATE.ABORT) !== 0) throw new ExecutionAborted('the scheduler ended the execution');
  }

  /** A sleep: a point at which the scheduler runs the others first. */
  sleep(): void {
    this.point(CPU_STATE.SLEEPING);
  }

  /** This CPU's program has ended: the scheduler never picks it again. */
  done(): void {
    Atomics.store(this.ctl, this.status, CPU_STATE.DONE);
    Atomics.notify(this.ctl, this.status);
  }
}

/** The scheduler's side: lets `cpu` run to its next point, and waits for it (false: it did not come back in `ms`). */
export function runToNextPoint(ctl: Int32Array, cpu: number, ms: number): boolean {
  const at = GATE.STATUS + cpu;
  Atomics.store(ctl, at, CPU_STATE.RUNNING);
  Atomics.notify(ctl, at);
  const deadline = performance.now() + ms;
  while (Atomics.load(ctl, at) === CPU_STATE.RUNNING) {
    const left = deadline - performance.now();
    if (left <= 0 || Atomics.wait(ctl, at, CPU_STATE.RUNNING, left) === 'timed-out') return Atomics.load(ctl, at) !== CPU_STATE.RUNNING;
  }
  return true;
}

/** Ends the execution: every CPU at a point, or arriving at one, unwinds. */
export function abortExecution(ctl: Int32Array, cpus: number): void {
  Atomics.store(ctl, GATE.ABORT, 1);
  for (let cpu = 1; cpu <= cpus; cpu++) {
    const at = GATE.STATUS + cpu;
    const state = Atomics.load(ctl, at);
    if ((state === CPU_STATE.AT_POINT || state === CPU_STATE.SLEEPING) && Atomics.compareExchange(ctl, at, state, CPU_STATE.RUNNING) === state) {
      Atomics.notify(ctl, at);
    }
  }
}
