// A stress run's results folder: opened as the run starts (the lock's source, the interval
// log that grows as intervals complete), and at the end the run graded, written and told.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { gradeRun } from '../grading/grade.js';
import type { Verdict } from '../grading/vocabulary.js';
import { formatRecentOps } from '../invariants/flight-recorder.js';
import type { LockDesign } from '../locks/contract.js';
import { HLOG_PART_FILE, hlogHeader, hlogIntervals } from '../records/hlog.js';
import { summarizeHistogram, type Summary } from '../records/summary.js';
import { writeResults } from '../report/write.js';
import type { RoleName } from '../roles/task.js';
import { flatParams, scenarioInput } from '../scenario/echo.js';
import { packageRoot } from '../paths.js';
import type { Collector } from './collector.js';
import type { RunConfig } from './config.js';
import { coverageOf } from './coverage.js';
import { namedCounters, sumInto, workerCounters } from './counters.js';
import type { Shard } from './shard.js';
import type { StopSignal } from '../grading/grade.js';
import type { Log, StatsPrinter } from './stats.js';
import type { StressStart } from './start.js';

export interface RunOutcome {
  summary: Summary;
  dir: string;
  exitCode: number;
}

/** Flight recorder lines printed for the first violation (summary.json and report.html hold them all). */
const RECENT_SHOWN = 24;

export class ResultsFolder {
  readonly startedAt = new Date();
  readonly runId: string;
  readonly dir: string;
  readonly version = packageVersion();
  /** A lock compiled from source: the run keeps the very text it ran. */
  readonly lockSource: Summary['lock']['source'];
  private readonly hlogPart: string;
  private streamed = 0;

  constructor(
    cfg: RunConfig,
    design: LockDesign,
    private readonly collector: Collector,
    private readonly workers: number,
  ) {
    this.runId = `${this.startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${design.name}-${cfg.seed}`;
    this.dir = cfg.out ?? join(process.cwd(), 'results', this.runId);
    mkdirSync(this.dir, { recursive: true });
    this.lockSource = design.source
      ? {
          file: basename(design.source.file),
          sha256: createHash('sha256').update(design.source.text).digest('hex'),
          build: design.source.hash,
        }
      : undefined;
    if (design.source) writeFileSync(join(this.dir, this.lockSource!.file), design.source.text);
    // The interval log grows as intervals complete, so a long soak can be followed (and a
    // killed one still leaves its intervals); run.hlog replaces it at the end.
    this.hlogPart = join(this.dir, HLOG_PART_FILE);
    const meta = { startedAt: this.startedAt.toISOString(), version: this.version, runId: this.runId, lock: cfg.lockName, scenario: cfg.scenarioName, seed: cfg.seed };
    writeFileSync(this.hlogPart, hlogHeader(meta));
  }

  /** Appends the intervals every worker has completed since the last call. */
  streamIntervals(): void {
    const complete = this.collector.completeIntervals(this.workers);
    if (complete <= this.streamed) return;
    appendFileSync(this.hlogPart, hlogIntervals(this.collector.intervals(Infinity).filter((i) => i.index >= this.streamed && i.index < complete)));
    this.streamed = complete;
  }

  /** Writes the whole record; run.hlog replaces the growing log. */
  write(summary: Summary, timeline: StatsPrinter['samples'], elapsedMs: number): void {
    writeResults(this.dir, { summary, totals: this.collector.totals, intervals: this.collector.intervals(elapsedMs), timeline });
    rmSync(this.hlogPart, { force: true });
  }
}

/** How the run went, as the steps before the end left it. */
export interface RunEnding {
  cfg: RunConfig & { shard?: Shard };
  start: StressStart;
  folder: ResultsFolder;
  collector: Collector;
  startEpochMs: number;
  elapsedMs: number;
  harnessError: string | null;
  violations: number;
  interrupted: StopSignal | null;
  notes: string[];
  audits: Summary['audits'];
}

/** The run's summary, graded (grading/grade.ts). */
export function summarizeRun(e: RunEnding): Summary {
  const { cfg, start, folder, collector } = e;
  const { design, roles, labels, setup } = start;
  const { zs, arena } = setup;
  const counters: Summary['counters'] = {};
  const workers = roles.map((role: RoleName, w) => {
    const named = namedCounters(role, workerCounters(zs, w));
    sumInto((counters[role] ??= {}), named);
    return { label: labels[w]!, counters: named };
  });
  const { verdict, exitCode, ended } = gradeRun({ harnessError: e.harnessError, violations: e.violations, interrupted: e.interrupted });
  if (e.harnessError) e.notes.unshift(e.harnessError);
  collector.violations.sort((a, b) => a.atMs - b.atMs);
  const metrics = Object.fromEntries(
    Object.entries(collector.totals)
      .filter(([, h]) => h.totalCount > 0)
      .map(([name, h]) => [name, summarizeHistogram(h)]),
  );
  return {
    tool: 'zspage-stress',
    version: folder.version,
    runId: folder.runId,
    verdict,
    ended,
    exitCode,
    seed: cfg.seed,
    lock: {
      name: design.name,
      ref: cfg.lockName,
      module: cfg.lock.builtin ? null : cfg.lock.ref,
      words: design.words,
      ...(folder.lockSource ? { source: folder.lockSource } : {}),
    },
    scenario: cfg.scenarioName,
    config: {
      scenario: scenarioInput(cfg.scenario),
      keepGoing: cfg.keepGoing,
      workers: roles.length,
      arenaBytes: arena.sab.byteLength,
      ...(cfg.shard ? { shard: cfg.shard } : {}),
    },
    startedAt: folder.startedAt.toISOString(),
    elapsedMs: e.elapsedMs,
    violations: collector.violations,
    violationCount: e.violations,
    firstViolationMs: collector.violations[0]?.atMs ?? null,
    counters,
    workers,
    coverage: coverageOf(roles.map((_, w) => workerCounters(zs, w)), e.startEpochMs),
    metrics,
    audits: e.audits,
    notes: e.notes,
    rerun: `npx zspage-stress replay ${relative(process.cwd(), join(folder.dir, 'summary.json')) || 'summary.json'}`,
  };
}

/** The run's last lines: its first violations, how the first explained one happened, notes, verdict. */
export function tellRun(log: Log, cfg: RunConfig, summary: Summary, dir: string, signal: StopSignal | null): void {
  const total = summary.violationCount;
  for (const v of summary.violations.slice(0, 5)) log(`zspage-stress: VIOLATION ${v.kind} at ${v.atMs} ms: ${v.message}`);
  const explained = summary.violations.find((v) => v.recent && v.recent.length > 0);
  if (explained) {
    log(`zspage-stress: how it happened: the last lock operations on zspage ${explained.zspage} (${explained.kind} at ${explained.atMs} ms), in order:`);
    for (const line of formatRecentOps(explained.recent!.slice(-RECENT_SHOWN))) log(`zspage-stress:   ${line}`);
  }
  for (const n of summary.notes) log(`zspage-stress: note: ${n}`);
  log(
    `zspage-stress: ${verdictText(summary.verdict, signal)} ` +
      `(${total} violation${total === 1 ? '' : 's'}) ` +
      `lock=${cfg.lockName} scenario=${cfg.scenarioName} ${flatParams(scenarioInput(cfg.scenario)).join(' ')} keepGoing=${cfg.keepGoing}`,
  );
  log(`zspage-stress: results in ${dir}; rerun: ${summary.rerun}`);
}

function verdictText(verdict: Verdict, signal: string | null): string {
  if (verdict === 'error') return 'HARNESS ERROR';
  if (verdict === 'interrupted') return `INTERRUPTED by ${signal}`;
  return verdict === 'fail' && signal ? `FAIL (interrupted by ${signal})` : verdict.toUpperCase();
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
