// Gathers what the workers send: interval histograms (merged per metric, kept per
// interval for the interval log) and violations. Intervals are kept encoded: about
// 1 KB each where a decoded histogram takes some 60 KB, so hours of 5 s intervals
// stay a few MB (docs/SOAK.md).
import * as hdr from 'hdr-histogram-js';
import { decodeHistogram, newJsHistogram } from '../records/histogram.js';
import type { Violation } from '../records/violation.js';
import { METRICS, type MetricName } from '../roles/metrics.js';
import type { EncodedMetrics, WorkerMessage } from '../roles/task.js';

export interface Interval {
  index: number;
  startMs: number;
  endMs: number;
  metrics: Partial<Record<MetricName, hdr.Histogram>>;
}

export class Collector {
  readonly totals: Record<MetricName, hdr.Histogram>;
  readonly violations: Violation[] = [];
  /** Interval k covers [epochStartMs[k], epochStartMs[k + 1]), the last one up to the end. */
  readonly epochStartMs: number[] = [0];
  private readonly byInterval = new Map<number, EncodedMetrics>();
  private readonly received = new Map<number, number>();
  /** Per worker, the highest interval it has sent. */
  private readonly lastInterval = new Map<number, number>();

  constructor() {
    this.totals = Object.fromEntries(METRICS.map((m) => [m, newJsHistogram()])) as Record<MetricName, hdr.Histogram>;
  }

  accept(message: WorkerMessage): void {
    if (message.type === 'violation') {
      this.violations.push(message.violation);
      return;
    }
    this.received.set(message.worker, (this.received.get(message.worker) ?? 0) + 1);
    this.lastInterval.set(message.worker, Math.max(message.interval, this.lastInterval.get(message.worker) ?? -1));
    this.addInterval(message.interval, message.metrics);
  }

  /** Interval messages received from a worker. */
  receivedFrom(worker: number): number {
    return this.received.get(worker) ?? 0;
  }

  private addInterval(index: number, metrics: EncodedMetrics): void {
    let slot = this.byInterval.get(index);
    if (!slot) this.byInterval.set(index, (slot = {}));
    for (const [name, encoded] of Object.entries(metrics) as [MetricName, string][]) {
      const h = decodeHistogram(encoded);
      this.totals[name].add(h);
      const merged = newJsHistogram();
      if (slot[name] !== undefined) merged.add(decodeHistogram(slot[name]));
      merged.add(h);
      slot[name] = hdr.encodeIntoCompressedBase64(merged);
    }
  }

  /** How many intervals, from the first, every one of `workers` has sent (and the coordinator closed). */
  completeIntervals(workers: number): number {
    let n = this.epochStartMs.length - 1;
    for (let w = 0; w < workers; w++) n = Math.min(n, (this.lastInterval.get(w) ?? -1) + 1);
    return n;
  }

  /** Interval histograms in time order; `endMs` is when the run's last interval ended. */
  intervals(endMs: number): Interval[] {
    return [...this.byInterval.keys()]
      .sort((a, b) => a - b)
      .map((index) => ({
        index,
        startMs: this.epochStartMs[index] ?? endMs,
        endMs: this.epochStartMs[index + 1] ?? endMs,
        metrics: decodedOnRead(this.byInterval.get(index)!),
      }));
  }
}

/** Each metric decoded afresh when read, so that writing thousands of intervals holds one at a time. */
function decodedOnRead(encoded: EncodedMetrics): Interval['metrics'] {
  const view: Interval['metrics'] = {};
  for (const [name, text] of Object.entries(encoded)) {
    Object.defineProperty(view, name, { enumerable: true, get: () => decodeHistogram(text) });
  }
  return view;
}
