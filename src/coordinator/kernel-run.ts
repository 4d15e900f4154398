// `run --zsmalloc PATH`: the scenario's roles on the kernel's own mm/zsmalloc.c instead of
// the model (kernel-stress.ts), graded and written as any run: summary.json in the results
// folder, the verdict line, the exit code.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gradeRun } from '../grading/grade.js';
import { summarizeHistogram, type Summary } from '../records/summary.js';
import { writeResults } from '../report/write.js';
import { flatParams, scenarioInput } from '../scenario/echo.js';
import { packageRoot } from '../paths.js';
import { formatKernelOps } from '../zsmalloc/flight.js';
import type { KernelRole } from '../zsmalloc/roles.js';
import { readZsmallocTree, sourcesHash } from '../zsmalloc/compile.js';
import type { KernelStressTuning } from '../zsmalloc/mutations.js';
import type { RunConfig } from './config.js';
import type { Collector } from './collector.js';
import { StreamedHlog } from './kernel-hlog.js';
import { runKernelStress, type KernelStressOptions } from './kernel-stress.js';
import type { RunOutcome } from './run-results.js';
import type { Log } from './stats.js';

const KPAGE = 4096;
/** The share of the kernel pool's migrations aimed at a page holding a stable object. */
const TARGETED_MIGRATIONS = 0.5;
/** Flight recorder lines printed for the first violation (summary.json and report.html hold them all). */
const RECENT_SHOWN = 24;

/** The scenario's roles and objects, as the kernel pool's stress takes them. */
export function kernelStressOptions(cfg: RunConfig, zsmalloc: string): KernelStressOptions {
  const s = cfg.scenario;
  const churners = s.churners.count;
  return {
    zsmalloc,
    durationMs: s.duration / 1e6,
    seed: cfg.seed,
    pages: Math.floor(s.arena.size / KPAGE),
    roles: { reader: s.readers.count, churner: churners, compactor: s.compactors.count, migrator: s.migrators.count },
    config: {
      stable: s.objects.stable,
      churnEach: churners > 0 ? Math.ceil(s.objects.churn / churners) : 0,
      // zram stores at most a page; the kernel pool keeps the scenario's range within it
      minSize: Math.min(s.objects.minSize, KPAGE),
      maxSize: Math.min(s.objects.maxSize, KPAGE),
      sleepFraction: s.readers.sleepFraction,
      hotObjects: s.readers.hotObjects,
      hotFraction: s.readers.hotFraction,
      // the model's migrators aim at hot objects' pages and at the zspage compaction frees
      // next (sparseFraction); here, at pages holding stable objects
      targetedMigrations: TARGETED_MIGRATIONS,
    },
    hold: s.readers.hold,
    pauses: { churner: s.churners.pause, compactor: s.compactors.pause, migrator: s.migrators.pause },
    keepGoing: cfg.keepGoing,
    statIntervalMs: s.statInterval / 1e6,
    auditEveryMs: s.auditEvery / 1e6,
    parkMs: s.stallTimeout / 1e6,
  };
}

/** `o` with a tuning's overrides (a selftest's setup that catches its mutation soon). */
export function tuned(o: KernelStressOptions, t: KernelStressTuning | undefined): KernelStressOptions {
  if (!t) return o;
  const hold = t.holdNs === undefined ? o.hold : { kind: 'fixed' as const, a: t.holdNs, b: t.holdNs };
  return { ...o, pages: t.pages ?? o.pages, roles: { ...o.roles, ...t.roles }, hold, config: { ...o.config, ...t.config } };
}

/** A run of the scenario's roles on `zsmalloc`; `tuning` (recorded, so replay repeats it) overrides the scenario's setup. */
export async function runKernelRun(cfg: RunConfig, zsmalloc: string, log: Log, tuning?: KernelStressTuning): Promise<RunOutcome> {
  const tree = readZsmallocTree(zsmalloc);
  const startedAt = new Date();
  const name = 'zsmalloc.c';
  const runId = `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-kernel-${cfg.seed}`;
  const dir = cfg.out ?? join(process.cwd(), 'results', runId);
  mkdirSync(dir, { recursive: true });
  const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const stress = tuned(kernelStressOptions(cfg, zsmalloc), tuning);
  const cpus = Object.values(stress.roles).reduce((n, k) => n + k, 0);
  const hlog = new StreamedHlog(dir, { startedAt: startedAt.toISOString(), version, runId, lock: zsmalloc, scenario: cfg.scenarioName, seed: cfg.seed }, cpus);
  const opts = { ...stress, onEpoch: (c: Collector) => hlog.stream(c) };
  log(`zspage-stress: ${tree.display} as the pool, ${Object.entries(opts.roles).map(([r, n]) => `${n} ${r}${n === 1 ? '' : 's'}`).join(', ')}, ${opts.durationMs / 1000} s, seed ${cfg.seed}`);
  const t0 = performance.now();
  let harnessError: string | null = null;
  let result: Awaited<ReturnType<typeof runKernelStress>> | null = null;
  try {
    result = await runKernelStress(opts);
  } catch (err) {
    if ((err as Error).name === 'BadInputError') throw err;
    harnessError = (err as Error).message;
  }
  const violations = result?.violations ?? [];
  const { verdict, exitCode, ended } = gradeRun({ harnessError, violations: violations.length, interrupted: null });
  const counters: Summary['counters'] = {};
  const workers = Object.entries(result?.counters ?? {}).map(([label, c]) => {
    const role = label.replace(/#.*/, '') as KernelRole;
    const named = { ...c } as unknown as Record<string, number>;
    const sum = (counters[role] ??= {});
    for (const [k, v] of Object.entries(named)) sum[k] = (sum[k] ?? 0) + v;
    return { label, counters: named };
  });
  const summary: Summary = {
    tool: 'zspage-stress',
    version,
    runId,
    verdict,
    ended,
    exitCode,
    seed: cfg.seed,
    lock: {
      name: 'zsmalloc.c (its own zspage lock)',
      ref: zsmalloc,
      module: null,
      words: 0,
      source: { file: name, sha256: createHash('sha256').update(tree.source).digest('hex'), build: result?.compiled.hash ?? '' },
    },
    scenario: cfg.scenarioName,
    config: {
      scenario: scenarioInput(cfg.scenario),
      keepGoing: cfg.keepGoing,
      zsmalloc: { path: zsmalloc, sha256: sourcesHash(tree), api: result?.compiled.api ?? null, stubs: result?.stubs ?? {}, ...(tuning ? { tuning } : {}) },
      workers: workers.length,
    },
    startedAt: startedAt.toISOString(),
    elapsedMs: Math.round(performance.now() - t0),
    violations: violations.map((v) => ({ kind: v.kind, message: v.message, atMs: v.atMs, by: v.by, ...(v.recent?.length ? { recentCalls: v.recent } : {}) })),
    violationCount: violations.length,
    firstViolationMs: violations[0]?.atMs ?? null,
    counters,
    workers,
    coverage: { allStartedMs: null, counts: {}, firstHitMs: {} },
    metrics: Object.fromEntries(Object.entries(result?.totals ?? {}).map(([name, h]) => [name, summarizeHistogram(h)])),
    audits: result?.audits ?? { count: 0, objects: 0, bytes: 0, lastMs: 0 },
    notes: [
      ...(harnessError ? [harnessError] : []),
      ...(result && result.audited === null ? ['the final audit did not run: a worker did not finish its step'] : []),
    ],
    rerun: tuning ? `npx zspage-stress replay ${dir}` : `npx zspage-stress run --zsmalloc ${zsmalloc} --scenario ${cfg.scenarioName} --seed ${cfg.seed}`,
  };
  writeResults(dir, { summary, totals: result?.totals ?? {}, intervals: result?.intervals ?? [], timeline: [] });
  hlog.close();
  tellKernelRun(log, summary, cfg, zsmalloc, dir, tuning);
  return { summary, dir, exitCode };
}

/** The run's last lines: its first violations, how the first explained one happened, notes, verdict. */
function tellKernelRun(log: Log, summary: Summary, cfg: RunConfig, zsmalloc: string, dir: string, tuning?: KernelStressTuning): void {
  const { verdict } = summary;
  for (const v of summary.violations.slice(0, 5)) log(`zspage-stress: VIOLATION ${v.kind} at ${v.atMs} ms by ${v.by}: ${v.message}`);
  const explained = summary.violations.find((v) => v.recentCalls && v.recentCalls.length > 0);
  if (explained) {
    log(`zspage-stress: how it happened: the last role steps and zspage-lock events (${explained.kind} at ${explained.atMs} ms), in order:`);
    for (const line of formatKernelOps(explained.recentCalls!.slice(-RECENT_SHOWN))) log(`zspage-stress:   ${line}`);
  }
  for (const n of summary.notes) log(`zspage-stress: note: ${n}`);
  const total = summary.violationCount;
  log(
    `zspage-stress: ${verdict === 'error' ? 'HARNESS ERROR' : verdict.toUpperCase()} (${total} violation${total === 1 ? '' : 's'}) ` +
      `zsmalloc=${zsmalloc} scenario=${cfg.scenarioName} ${kernelParams(cfg).join(' ')} keepGoing=${cfg.keepGoing}` +
      (tuning ? ` tuning=${JSON.stringify(tuning)}` : ''),
  );
  log(`zspage-stress: results in ${relative(process.cwd(), dir) || dir}; rerun: ${summary.rerun}`);
}

/** The scenario's values a kernel run used: not its model lock or kernel version (the tree is both). */
const kernelParams = (cfg: RunConfig) => flatParams(scenarioInput(cfg.scenario)).filter((p) => !/^(lock|kernel)=/.test(p));
