// Results folders (the shards of one run, or repeats) merged into one record: the
// histograms summed from each run.hlog's encoded interval histograms (percentiles
// cannot be summed, counts can), counters, audits and violations added up, and the
// configurations compared, their differences noted.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { z } from 'zod';
import { BadInputError, errorMessage } from '../errors.js';
import { mergedExitCode, savedVerdict, worseEnding, worseVerdict } from '../grading/grade.js';
import type { Verdict } from '../grading/vocabulary.js';
import { newJsHistogram } from '../records/histogram.js';
import { HLOG_FILE } from '../records/hlog.js';
import { summarizeHistogram, type Summary } from '../records/summary.js';
import type { RunRecord } from '../records/run-record.js';
import { parseDuration } from '../scenario/units.js';
import { sumInto } from './counters.js';
import { mergeCoverage } from './coverage.js';

/** One results folder, read back. */
export interface SavedRun {
  dir: string;
  summary: Summary;
  /** run.hlog's interval histograms, their times relative to the run's start. */
  intervals: { tag: string; startMs: number; endMs: number; histogram: hdr.Histogram }[];
}

// The summary fields a merge reads; anything else passes through.
const savedSummary = z.looseObject({
  tool: z.literal('zspage-stress'),
  runId: z.string(),
  verdict: z.enum(['pass', 'fail', 'error', 'interrupted']),
  ended: z.enum(['completed', 'violation', 'harness-error', 'interrupted']),
  seed: z.number(),
  lock: z.looseObject({ name: z.string(), ref: z.string(), words: z.number() }),
  config: z.record(z.string(), z.unknown()),
  startedAt: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'expected a date'),
  elapsedMs: z.number(),
  violations: z.array(z.looseObject({ atMs: z.number(), by: z.string() })),
  violationCount: z.number(),
  counters: z.record(z.string(), z.record(z.string(), z.number())),
  workers: z.array(z.looseObject({ label: z.string() })),
  audits: z.object({ count: z.number(), objects: z.number(), bytes: z.number(), lastMs: z.number() }),
  notes: z.array(z.string()),
  rerun: z.string(),
});

export function loadSavedRun(dir: string): SavedRun {
  const read = (name: string, why: string) => {
    const file = join(dir, name);
    if (!existsSync(file)) throw new BadInputError(`merge: ${dir} has no ${name} (${why})`);
    return readFileSync(file, 'utf8');
  };
  let json: unknown;
  try {
    json = JSON.parse(read('summary.json', 'not a results folder, or a run that did not finish'));
  } catch (err) {
    if (err instanceof BadInputError) throw err;
    throw new BadInputError(`merge: ${dir}/summary.json is not valid JSON: ${errorMessage(err)}`);
  }
  const parsed = savedSummary.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadInputError(`merge: ${dir}/summary.json is not a zspage-stress summary ('${issue.path.join('.')}': ${issue.message})`);
  }
  const summary = parsed.data as unknown as Summary;
  const text = read(HLOG_FILE, 'the histograms a merge sums');
  const startMs = Date.parse(summary.startedAt);
  const intervals: SavedRun['intervals'] = [];
  try {
    const reader = new hdr.HistogramLogReader(text);
    for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
      intervals.push({ tag: h.tag, startMs: h.startTimeStampMsec - startMs, endMs: h.endTimeStampMsec - startMs, histogram: h });
    }
  } catch (err) {
    throw new BadInputError(`merge: ${dir}/${HLOG_FILE} cannot be read: ${errorMessage(err).split('\n', 1)[0]}`);
  }
  return { dir, summary, intervals };
}

/** What a merge records of each run it merged. */
interface MergedEntry {
  dir: string;
  runId: string;
  seed: number;
  ended: Summary['ended'];
  exitCode: number;
  elapsedMs: number;
  shard?: unknown;
}

// A merged folder can be merged again: it stands for the runs it lists.
const mergedEntries = (r: SavedRun): MergedEntry[] | undefined => r.summary.config.merged as MergedEntry[] | undefined;
const seedsOf = (r: SavedRun): number[] => mergedEntries(r)?.map((e) => e.seed) ?? [r.summary.seed];
/** How the merged record names a run: its seed, or for a merged folder its id. */
const runName = (r: SavedRun) => (mergedEntries(r) ? r.summary.runId : `seed ${r.summary.seed}`);

/** One record from several runs of the same lock; `now` names the merge. */
export function mergeRuns(input: SavedRun[], now = new Date()): RunRecord {
  const runs = [...input].sort((a, b) => a.summary.seed - b.summary.seed || a.summary.startedAt.localeCompare(b.summary.startedAt));
  checkMergeable(runs);
  const first = runs[0]!.summary;
  // Labels already tagged in a merged folder stay as they are.
  const tagged = (r: SavedRun, text: string) => (mergedEntries(r) ? text : `${text} seed ${r.summary.seed}`);
  const totals: Record<string, hdr.Histogram> = {};
  for (const r of runs) for (const i of r.intervals) (totals[i.tag] ??= newJsHistogram()).add(i.histogram);
  const counters: Summary['counters'] = {};
  for (const r of runs) for (const [role, c] of Object.entries(r.summary.counters)) sumInto((counters[role] ??= {}), c);
  const violations = runs.flatMap((r) => r.summary.violations.map((v) => ({ ...v, by: tagged(r, v.by) })));
  const firsts = runs.map((r) => r.summary.firstViolationMs).filter((ms): ms is number => ms !== null);
  const ended = runs.map((r) => r.summary.ended).reduce(worseEnding);
  // The worst of its parts.
  const verdictOf = (r: SavedRun): Verdict => savedVerdict(r.summary.verdict, r.summary.ended);
  const verdict = runs.map(verdictOf).reduce(worseVerdict);
  const worst = runs.find((r) => verdictOf(r) === verdict)!;
  const { shard: _shard, seeds: _seeds, merged: _merged, ...config } = first.config;
  const seeds = runs.flatMap(seedsOf);
  const notes = mergeNotes(runs, seeds);
  const intervals = mergeIntervals(runs, notes);
  const summary: Summary = {
    ...first,
    runId: `merged-${stamp(now)}-${first.lock.name}-${seeds.length}`,
    verdict,
    ended,
    exitCode: mergedExitCode(verdict, worst.summary.exitCode),
    scenario: [...new Set(runs.map((r) => r.summary.scenario))].join(', '),
    config: {
      ...config,
      seeds,
      merged: runs.flatMap(
        (r): MergedEntry[] =>
          mergedEntries(r) ?? [
            {
              dir: r.dir,
              runId: r.summary.runId,
              seed: r.summary.seed,
              ended: r.summary.ended,
              exitCode: r.summary.exitCode,
              elapsedMs: r.summary.elapsedMs,
              ...(r.summary.config.shard ? { shard: r.summary.config.shard } : {}),
            },
          ],
      ),
    },
    startedAt: runs.map((r) => r.summary.startedAt).sort()[0]!,
    // Run time summed over the runs, as the counters are: rates stay per-run averages.
    elapsedMs: runs.reduce((n, r) => n + r.summary.elapsedMs, 0),
    violations,
    violationCount: runs.reduce((n, r) => n + r.summary.violationCount, 0),
    firstViolationMs: firsts.length > 0 ? Math.min(...firsts) : null,
    counters,
    workers: runs.flatMap((r) => r.summary.workers.map((w) => ({ ...w, label: tagged(r, w.label) }))),
    coverage: mergeCoverage(runs.map((r) => r.summary.coverage)),
    metrics: Object.fromEntries(Object.entries(totals).map(([name, h]) => [name, summarizeHistogram(h)])),
    audits: {
      count: runs.reduce((n, r) => n + r.summary.audits.count, 0),
      objects: runs.reduce((n, r) => n + r.summary.audits.objects, 0),
      bytes: runs.reduce((n, r) => n + r.summary.audits.bytes, 0),
      lastMs: Math.max(...runs.map((r) => r.summary.audits.lastMs)),
    },
    notes: [...notes, ...runs.flatMap((r) => r.summary.notes.map((n) => `${runName(r)}: ${n}`))],
    rerun: worst.summary.rerun,
  };
  return { summary, totals, intervals, timeline: [] };
}

function checkMergeable(runs: SavedRun[]): void {
  if (runs.length === 0) throw new BadInputError('merge: name at least one results folder');
  const locks = new Map(runs.map((r) => [`${r.summary.lock.name} (${r.summary.lock.words} words)`, r.dir]));
  if (locks.size > 1) {
    throw new BadInputError(`merge: the folders ran different locks: ${[...locks].map(([lock, dir]) => `${lock} in ${dir}`).join(', ')}`);
  }
  const byId = new Map<string, string>();
  for (const r of runs) {
    const other = byId.get(r.summary.runId);
    if (other) throw new BadInputError(`merge: ${other} and ${r.dir} hold the same run (${r.summary.runId})`);
    byId.set(r.summary.runId, r.dir);
  }
}

/** What the reader of merged results must know: repeated seeds, differing configs. */
function mergeNotes(runs: SavedRun[], seeds: number[]): string[] {
  const notes = [`merged ${seeds.length} runs, seeds ${seeds.join(', ')}`];
  const repeated = [...new Set(seeds.filter((s, i) => seeds.indexOf(s) !== i))];
  if (repeated.length > 0) notes.push(`seeds run more than once (not independent samples): ${repeated.join(', ')}`);
  const flat = runs.map((r) => flatten(r.summary.config));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].filter((k) => !/^(shard\.|scenario\.seed$|seeds$|merged$)/.test(k));
  for (const key of keys.sort()) {
    const values = flat.map((f) => f[key] ?? '(unset)');
    if (new Set(values).size > 1) {
      notes.push(`config differs: ${key} = ${values.map((v, i) => `${v} (${runName(runs[i]!)})`).join(', ')}`);
    }
  }
  return notes;
}

function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = JSON.stringify(value);
  return out;
}

/**
 * Interval k of the merge sums interval k of every run (by start time over the stat
 * interval): one timeline relative to each run's start. Runs with differing stat
 * intervals have no common timeline: then only the totals are merged.
 */
function mergeIntervals(runs: SavedRun[], notes: string[]): RunRecord['intervals'] {
  const statMs = new Set(runs.map((r) => parseDuration(String((r.summary.config.scenario as { statInterval?: unknown })?.statInterval)) ?? NaN));
  const ms = [...statMs][0]! / 1e6;
  if (statMs.size > 1 || !(ms > 0)) {
    notes.push("no merged interval timeline: the runs' stat intervals differ or are unknown");
    return [];
  }
  const slots = new Map<number, RunRecord['intervals'][number]>();
  for (const r of runs) {
    for (const i of r.intervals) {
      const index = Math.round(i.startMs / ms);
      let slot = slots.get(index);
      if (!slot) slots.set(index, (slot = { index, startMs: i.startMs, endMs: i.endMs, metrics: {} }));
      slot.startMs = Math.min(slot.startMs, i.startMs);
      slot.endMs = Math.max(slot.endMs, i.endMs);
      (slot.metrics[i.tag] ??= newJsHistogram()).add(i.histogram);
    }
  }
  return [...slots.values()].sort((a, b) => a.index - b.index).map((s) => ({ ...s, startMs: Math.round(s.startMs), endMs: Math.round(s.endMs) }));
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
