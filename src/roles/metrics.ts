// Latency histograms (ns), recorded in the workers with WebAssembly histograms and
// shipped to the coordinator encoded, one interval at a time.
import * as hdr from 'hdr-histogram-js';

export const METRICS = [
  'reader-lock-wait', // zs_obj_read_begin(): pool read lock + zspage read lock
  'reader-hold', // from the read lock to the read unlock, sleep included
  'writer-trylock', // one writeTrylock call, migrators and compactors
  'writer-section', // write lock held: from writeTrylock's success to writeUnlock
  'migrate-op', // one zs_page_migrate() attempt
  'compact-op', // one zs_compact() pass
] as const;
export type MetricName = (typeof METRICS)[number];
export const METRIC = Object.fromEntries(METRICS.map((m, i) => [m, i])) as Record<MetricName, number>;

let wasmReady = false;
export function histogramRuntime(): void {
  if (!wasmReady) {
    hdr.initWebAssemblySync();
    wasmReady = true;
  }
}

export const newRecordingHistogram = () =>
  hdr.build({ useWebAssembly: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });

export class Metrics {
  readonly histograms: hdr.Histogram[];

  constructor() {
    histogramRuntime();
    this.histograms = METRICS.map(() => newRecordingHistogram());
  }

  record(metric: number, ns: number): void {
    this.histograms[metric]!.recordValue(ns < 1 ? 1 : ns);
  }

  /** Encodes the metrics recorded since the last call (those with any value) and starts afresh. */
  takeInterval(): Partial<Record<MetricName, string>> {
    const out: Partial<Record<MetricName, string>> = {};
    this.histograms.forEach((h, i) => {
      if (h.totalCount > 0) out[METRICS[i]!] = hdr.encodeIntoCompressedBase64(h);
      h.reset();
    });
    return out;
  }
}
