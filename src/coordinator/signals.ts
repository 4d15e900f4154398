// SIGINT and SIGTERM during a run: the first asks the run to stop and write what it
// has (marked interrupted); a second one exits at once. Installed for one run only.
import { SIGNAL_EXIT, type StopSignal } from '../grading/grade.js';

export class StopSignals {
  /** The first signal received, or null. */
  received: StopSignal | null = null;
  private readonly handlers: [StopSignal, () => void][];

  constructor(onFirst: (signal: StopSignal) => void, exit: (code: number) => never = process.exit) {
    this.handlers = (Object.keys(SIGNAL_EXIT) as StopSignal[]).map((signal) => [
      signal,
      () => {
        if (this.received !== null) exit(SIGNAL_EXIT[signal]);
        this.received = signal;
        onFirst(signal);
      },
    ]);
    for (const [signal, handler] of this.handlers) process.on(signal, handler);
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
  }
}
