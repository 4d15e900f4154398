// Latency histograms (ns), recorded in the workers with WebAssembly histograms and
// shipped to the coordinator encoded, one interval at a time.
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
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
  if (wasmReady) return;
  const pako = histogramInflater();
  const jsInflate = pako?.inflate;
  // hdr-histogram-js inflates its WebAssembly with pako, which in a fresh worker runs
  // interpreted: this init took 20 ms of a worker's start-up CPU, 10 ms with the same
  // bytes inflated by node:zlib (docs/BENCHMARKS.md).
  if (pako) pako.inflate = (data) => inflateSync(data);
  try {
    hdr.initWebAssemblySync();
  } finally {
    if (pako) pako.inflate = jsInflate!;
  }
  wasmReady = true;
}

type Inflater = { inflate: (data: Uint8Array) => Uint8Array };

/**
 * The pako module hdr-histogram-js loaded, or null if it loaded none: it no longer uses
 * pako, or it is bundled with node:zlib in pako's place (the workers, rolldown.config.mjs).
 */
function histogramInflater(): Inflater | null {
  try {
    const fromHdr = createRequire(createRequire(import.meta.url).resolve('hdr-histogram-js'));
    const pako = fromHdr.cache[fromHdr.resolve('pako')]?.exports as Partial<Inflater> | undefined;
    return typeof pako?.inflate === 'function' ? (pako as Inflater) : null;
  } catch {
    return null;
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
