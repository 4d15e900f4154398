// Chart data from histograms and counter samples.
import type { Histogram } from 'hdr-histogram-js';
import type { CounterSample, RunRecord } from '../records/run-record.js';

/** Points per decade of 1/(1-p) on the percentile axis. */
const PER_DECADE = 20;

/**
 * The percentile axis as HdrHistogram's plotter draws it: x = 1/(1-p), from 1 (p = 0)
 * up to the first point at or past `maxCount`, beyond which no histogram has resolution.
 */
export function percentileGrid(maxCount: number): number[] {
  const xs: number[] = [];
  for (let k = 0; ; k++) {
    const x = Number((10 ** (k / PER_DECADE)).toPrecision(6));
    xs.push(x);
    if (x >= maxCount) return xs;
  }
}

/** Latency at each grid point; the max where the histogram runs out of counts, null past it. */
export function percentileValues(h: Histogram, grid: number[]): (number | null)[] {
  let done = false;
  return grid.map((x) => {
    if (done) return null;
    if (x >= h.totalCount) {
      done = true;
      return h.maxValue;
    }
    return h.getValueAtPercentile(100 * (1 - 1 / x));
  });
}

export interface TimeSeries {
  /** Seconds since the start of the run. */
  x: number[];
  series: { label: string; values: (number | null)[]; dashed?: boolean }[];
}

/** Each stat interval's p99 and max of one metric, at the interval's end. */
export function intervalPercentiles(intervals: RunRecord['intervals'], metric: string): TimeSeries {
  const hs = intervals.map((i) => i.metrics[metric]);
  const at = (f: (h: Histogram) => number) => hs.map((h) => (h && h.totalCount > 0 ? f(h) : null));
  return {
    x: intervals.map((i) => i.endMs / 1000),
    series: [
      { label: 'p99', values: at((h) => h.getValueAtPercentile(99)) },
      // dashed: an interval of few samples has its p99 at its max, and p99 shows between the dashes
      { label: 'max', values: at((h) => h.maxValue), dashed: true },
    ],
  };
}

/** Per writer (a worker with trylock counters): successes and failures per second in each sample period. */
export function trylockRates(timeline: CounterSample[], labels: string[]) {
  return labels.flatMap((label, w) => {
    if (timeline[0]?.workers[w]?.trylockOk === undefined) return [];
    const perSecond = (key: string) =>
      timeline.map((s, k) => {
        const prev = k > 0 ? timeline[k - 1]! : { atMs: 0, workers: [] as Record<string, number>[] };
        const secs = (s.atMs - prev.atMs) / 1000;
        return secs > 0 ? ((s.workers[w]![key] ?? 0) - (prev.workers[w]?.[key] ?? 0)) / secs : null;
      });
    return [{ label, x: timeline.map((s) => s.atMs / 1000), successes: perSecond('trylockOk'), failures: perSecond('trylockFail') }];
  });
}
