// run.hlog.part of a run on the kernel's pool: it grows by the intervals every CPU has
// completed while the run goes on, so a long soak can be followed and a killed one still
// leaves its intervals (ResultsFolder does so for a model run); run.hlog replaces it at the end.
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HLOG_PART_FILE, hlogHeader, hlogIntervals, type HlogMeta } from '../records/hlog.js';
import type { Collector } from './collector.js';

export class StreamedHlog {
  private readonly file: string;
  private streamed = 0;

  constructor(
    dir: string,
    meta: HlogMeta,
    private readonly workers: number,
  ) {
    this.file = join(dir, HLOG_PART_FILE);
    writeFileSync(this.file, hlogHeader(meta));
  }

  /** Appends the intervals every CPU has completed since the last call. */
  stream(collector: Collector): void {
    const complete = collector.completeIntervals(this.workers);
    if (complete <= this.streamed) return;
    appendFileSync(this.file, hlogIntervals(collector.intervals(Infinity).filter((i) => i.index >= this.streamed && i.index < complete)));
    this.streamed = complete;
  }

  /** run.hlog is written: the growing log goes. */
  close(): void {
    rmSync(this.file, { force: true });
  }
}
