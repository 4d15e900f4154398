// run.hlog: the HdrHistogram interval log (format 1.3), one tag per metric, one line
// per metric per stat interval, readable by HdrHistogram's HistogramLogProcessor.
import * as hdr from 'hdr-histogram-js';
import { newJsHistogram } from './histogram.js';
import type { RunRecord } from './run-record.js';

export const HLOG_FILE = 'run.hlog';
/** Grows by complete intervals while a run goes on; replaced by run.hlog at the end. */
export const HLOG_PART_FILE = 'run.hlog.part';

/** What the log's header says about its run. */
export interface HlogMeta {
  startedAt: string;
  version: string;
  runId: string;
  lock: string;
  scenario: string;
  seed: number;
}

/** Interval_Max as Java's writer logs nanosecond histograms by default: in milliseconds. */
const MAX_VALUE_UNIT_RATIO = 1e6;

export function hlogText(record: Pick<RunRecord, 'summary' | 'intervals'>): string {
  const { summary } = record;
  const meta = { ...summary, lock: summary.lock.ref };
  return hlogHeader(meta) + hlogIntervals(record.intervals);
}

export function hlogHeader(meta: HlogMeta): string {
  let text = '';
  const writer = new hdr.HistogramLogWriter((chunk) => (text += chunk));
  const startMs = Date.parse(meta.startedAt);
  writer.outputLogFormatVersion();
  // outputStartTime() would add a blank line after the comment.
  writer.outputComment(`[StartTime: ${(startMs / 1000).toFixed(3)} (seconds since epoch), ${meta.startedAt}]`);
  writer.outputComment('[Unit: ns] values are nanoseconds; Interval_Max is in milliseconds');
  writer.outputComment(`[zspage-stress ${meta.version} run ${meta.runId}: lock ${meta.lock}, scenario ${meta.scenario}, seed ${meta.seed}]`);
  writer.outputLegend();
  return text;
}

/** One line per metric per interval, in the order given. */
export function hlogIntervals(intervals: RunRecord['intervals']): string {
  let text = '';
  const writer = new hdr.HistogramLogWriter((chunk) => (text += chunk));
  for (const interval of intervals) {
    for (const [tag, h] of Object.entries(interval.metrics)) {
      if (!h || h.totalCount === 0) continue;
      h.tag = tag;
      writer.outputIntervalHistogram(h, interval.startMs / 1000, interval.endMs / 1000, MAX_VALUE_UNIT_RATIO);
    }
  }
  return text;
}

/** Per tag, the sum of its interval histograms: the whole run, read back from the log. */
export function readHlogTotals(text: string): Record<string, hdr.Histogram> {
  const reader = new hdr.HistogramLogReader(text);
  const totals: Record<string, hdr.Histogram> = {};
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    (totals[h.tag] ??= newJsHistogram()).add(h);
  }
  return totals;
}
