// The coordinator: from a run's start (start.ts: the arena, one piscina worker per role),
// plays the roles and watches (stats, stutter audits, stall watchdog, violations), stops,
// merges, reports.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { HDR } from '../arena/layout.js';
import { errorMessage } from '../errors.js';
import { gradeRun } from '../grading/grade.js';
import type { Verdict, ViolationKind } from '../grading/vocabulary.js';
import { auditPool } from '../invariants/audit.js';
import type { ViolationSink } from '../invariants/violation.js';
import { packageRoot } from '../paths.js';
import { summarizeHistogram, type Summary } from '../records/summary.js';
import { HLOG_PART_FILE, hlogHeader, hlogIntervals } from '../records/hlog.js';
import { writeResults } from '../report/write.js';
import type { RoleResult, RoleTask, WorkerMessage } from '../roles/task.js';
import { flatParams, scenarioInput } from '../scenario/echo.js';
import { formatNs } from '../scenario/units.js';
import { Collector } from './collector.js';
import { coverageOf } from './coverage.js';
import type { RunConfig } from './config.js';
import { namedCounters, sumInto, workerCounters } from './counters.js';
import { describeWorkerFailure } from './faults.js';
import type { Shard } from './shard.js';
import { StopSignals } from './signals.js';
import { START_TIMEOUT_MS, startStress, type StressStart } from './start.js';
import { describeStuckLocks, idleLockWords } from './stuck-locks.js';
import { formatRecentOps, recentOps } from '../invariants/flight-recorder.js';
import { StatsPrinter, type Log } from './stats.js';
import { WatchClock } from './watch-clock.js';
import { StallWatchdog } from './watchdog.js';

export interface RunOutcome {
  summary: Summary;
  dir: string;
  exitCode: number;
}

/** After the stop flag, how long workers get to return before they are destroyed. */
const STOP_GRACE_MS = 2000;
const TICK_MS = 25;
/** Flight recorder lines printed for the first violation (summary.json and report.html hold them all). */
const RECENT_SHOWN = 24;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the stress run `cfg` describes. `started` is its start from startStress(), begun
 * earlier by a caller with other work first; without it the run starts itself.
 */
export async function runStress(cfg: RunConfig & { shard?: Shard }, log: Log, started?: Promise<StressStart>): Promise<RunOutcome> {
  const signals = new StopSignals((signal) => log(`zspage-stress: ${signal}: stopping and writing results (again: exit at once)`));
  try {
    return await watchedRun(cfg, log, signals, await (started ?? startStress(cfg)));
  } finally {
    signals.dispose();
  }
}

async function watchedRun(cfg: RunConfig & { shard?: Shard }, log: Log, signals: StopSignals, start: StressStart): Promise<RunOutcome> {
  const s = cfg.scenario;
  const { design, roles, roleIndex, labels, pool, setup, auditor } = start;
  const { zs, arena } = setup;
  const mem = arena.mem;
  const startedAt = new Date();
  const startEpochMs = Date.now();
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  const runId = `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${design.name}-${cfg.seed}`;
  const dir = cfg.out ?? join(process.cwd(), 'results', runId);

  const collector = new Collector();
  // The interval log grows as intervals complete, so a long soak can be followed (and a
  // killed one still leaves its intervals); run.hlog replaces it at the end.
  mkdirSync(dir, { recursive: true });
  // A lock compiled from source: the run keeps the very text it ran.
  const lockSource = design.source
    ? {
        file: basename(design.source.file),
        sha256: createHash('sha256').update(design.source.text).digest('hex'),
        build: design.source.hash,
      }
    : undefined;
  if (design.source) writeFileSync(join(dir, lockSource!.file), design.source.text);
  const hlogPart = join(dir, HLOG_PART_FILE);
  const version = packageVersion();
  writeFileSync(hlogPart, hlogHeader({ startedAt: startedAt.toISOString(), version, runId, lock: cfg.lockName, scenario: cfg.scenarioName, seed: cfg.seed }));
  let streamed = 0;
  const streamIntervals = () => {
    const complete = collector.completeIntervals(roles.length);
    if (complete <= streamed) return;
    appendFileSync(hlogPart, hlogIntervals(collector.intervals(Infinity).filter((i) => i.index >= streamed && i.index < complete)));
    streamed = complete;
  };
  const notes: string[] = [];
  const sink: ViolationSink = {
    report(kind: ViolationKind, message: string, zspage?: number, handle?: number) {
      Atomics.add(mem, HDR.VIOLATIONS, 1);
      const recent = zspage !== undefined && zspage >= 0 ? recentOps(mem, zs.L, labels, zspage) : [];
      collector.violations.push({
        kind,
        message,
        atMs: Math.round(elapsed()),
        by: 'coordinator',
        ...(zspage !== undefined && zspage >= 0 ? { zspage } : {}),
        ...(handle !== undefined && handle >= 0 ? { handle } : {}),
        ...(recent.length > 0 ? { recent } : {}),
      });
    },
  };

  const channels = roles.map(() => new MessageChannel());
  const results: (RoleResult | null)[] = roles.map(() => null);
  let harnessError: string | null = null;
  // Set once the stop grace is over: the rejections destroy() causes are not failures.
  let destroying = false;
  const watchdog = new StallWatchdog(zs, labels, s.stallTimeout / 1e6);
  const idleWords = idleLockWords(design);
  // A worker's error outside any task (an unhandled rejection in the lock module, say).
  pool.on('error', (err: unknown) => {
    harnessError ??= `a worker failed outside its task: ${errorMessage(err).split('\n', 1)[0]}`;
  });
  const tasks = roles.map((role, w) => {
    const { port1, port2 } = channels[w]!;
    port1.on('message', (m: WorkerMessage) => collector.accept(m));
    const task: RoleTask = {
      memory: arena.memory,
      params: setup.params,
      lock: cfg.lock,
      role,
      roleIndex: roleIndex[w]!,
      workerIndex: w,
      labels,
      seed: cfg.seed,
      scenario: s,
      stable: setup.stable,
      churnFirst: setup.churnFirst,
      churnEach: setup.churnEach,
      startEpochMs,
      port: port2,
    };
    return pool
      .run(task, { transferList: [port2] as never })
      .then((r: RoleResult) => {
        results[w] = r;
      })
      .catch((err: unknown) => {
        if (destroying) return;
        harnessError ??= describeWorkerFailure(labels[w]!, cfg.seed, watchdog.doing(w), err);
        results[w] = { intervals: -1 };
      });
  });

  const durationMs = s.duration / 1e6;
  const stats = new StatsPrinter(zs, roles, log, durationMs, startEpochMs);
  const audits = { count: 0, objects: 0, bytes: 0, lastMs: 0 };
  const violations = () => Atomics.load(mem, HDR.VIOLATIONS);
  const mustStop = () => harnessError !== null || signals.received !== null || (violations() > 0 && !cfg.keepGoing);
  let nextStat = s.statInterval / 1e6;
  let nextAudit = s.auditEvery > 0 ? s.auditEvery / 1e6 : Infinity;
  let stalled = false;
  /** The run reached its duration (no violation, signal or fault ended it first). */
  let completed = false;

  const audit = async () => {
    const r = auditPool(zs, await auditor.check(), sink);
    audits.count++;
    audits.objects += r.objects;
    audits.bytes += r.bytes;
    audits.lastMs = Math.round(elapsed());
  };

  // Stutter: park every worker, audit, let them go.
  // Parking deadlines, on a clock that does not run while the process is starved.
  const parking = new WatchClock();
  const stutter = async () => {
    Atomics.store(mem, HDR.PAUSE, 1);
    const deadline = parking.at(elapsed()) + s.stallTimeout / 1e6;
    while (Atomics.load(mem, HDR.PARKED) < roles.length && !mustStop() && parking.at(elapsed()) < deadline) await sleep(1);
    if (Atomics.load(mem, HDR.PARKED) >= roles.length) await audit();
    else if (!mustStop()) {
      stalled = true;
      sink.report(
        'stall',
        `stutter: ${watchdog.unparked().join(', ')} did not park within ${formatNs(s.stallTimeout)}; ${watchdog.heldState()}${describeStuckLocks(zs, idleWords)}`,
        watchdog.unparkedZspage(),
      );
    }
    Atomics.store(mem, HDR.PAUSE, 0);
    Atomics.notify(mem, HDR.PAUSE);
    // Until every worker has left, PARKED still counts it: the next stutter must not
    // mistake a worker on its way out for a parked one.
    const leave = parking.at(elapsed()) + s.stallTimeout / 1e6;
    while (Atomics.load(mem, HDR.PARKED) > 0 && !mustStop() && parking.at(elapsed()) < leave) await sleep(1);
  };

  try {
    while (!mustStop() && !stalled) {
      await sleep(TICK_MS);
      const t = elapsed();
      Atomics.store(mem, HDR.CLOCK_MS, Math.round(t));
      if (t >= durationMs) {
        completed = true;
        break;
      }
      stats.tick(t, violations());
      const stall = watchdog.check(t);
      if (stall) {
        stalled = true;
        sink.report('stall', stall + describeStuckLocks(zs, idleWords), watchdog.zspageOf(watchdog.stalledWorker));
        break;
      }
      if (t >= nextStat) {
        nextStat += s.statInterval / 1e6;
        streamIntervals();
        collector.epochStartMs.push(Math.round(t));
        Atomics.add(mem, HDR.EPOCH, 1);
        stats.print(t, violations());
      }
      if (auditor.startError) harnessError ??= auditor.startError;
      const waiting = watchdog.notStarted();
      // The audit's worker boots once every role's worker runs, not alongside them (bench: startup).
      if (waiting.length === 0) auditor.start();
      if (waiting.length > 0 && t >= START_TIMEOUT_MS) {
        harnessError ??= `${waiting.join(', ')} did not start within ${START_TIMEOUT_MS / 1000} s`;
      }
      // A stutter waits for every worker to park: not before they have all started (nor the audit's worker).
      if (t >= nextAudit && waiting.length === 0 && auditor.isReady) {
        nextAudit = t + s.auditEvery / 1e6;
        await stutter();
      }
    }
  } catch (err) {
    // The coordinator's own failure (an audit that threw, say) still stops the workers and writes results.
    harnessError ??= `the coordinator failed: ${errorMessage(err).split('\n', 1)[0]}`;
  }

  // Stop: wake sleepers and parked workers; destroy the ones that do not return.
  const cpuAtStop = watchdog.cpuNs();
  Atomics.store(mem, HDR.STOP, 1);
  Atomics.notify(mem, HDR.STOP);
  Atomics.notify(mem, HDR.PAUSE);
  const settled = await Promise.race([Promise.all(tasks).then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
  if (!settled) {
    const stuck = roles.flatMap((_, w) => (results[w] === null ? [w] : []));
    notes.push(`workers that did not stop within ${STOP_GRACE_MS} ms were destroyed: ${stuck.map((w) => labels[w]).join(', ')}`);
    // A worker stuck in lock code is the lock's failure (a deadlock that started late in the
    // run, say), and the workers stuck behind it (on the pool lock it holds) follow from it.
    // With none in lock code, the harness itself hung.
    const cpuInGrace = watchdog.cpuNs().map((ns, w) => ns - cpuAtStop[w]!);
    const why = (w: number) =>
      `${labels[w]} did not return within ${STOP_GRACE_MS} ms of the stop and was destroyed, ${watchdog.doing(w)}` +
      (Number.isNaN(cpuInGrace[w]) ? '' : ` (it ran ${(cpuInGrace[w]! / 1e6).toFixed(0)} ms of CPU in that time)`);
    const inLock = stuck.filter((w) => watchdog.inLockCode(w));
    if (inLock.length === 0) harnessError ??= why(stuck[0]!);
    else if (!stalled) {
      const behind = stuck.filter((w) => !inLock.includes(w)).map((w) => `${labels[w]} ${watchdog.doing(w)}`);
      for (const w of inLock) {
        const also = behind.length > 0 ? `; stuck behind it: ${behind.join('; ')}` : '';
        sink.report('stall', why(w) + also + describeStuckLocks(zs, idleWords), watchdog.zspageOf(w));
      }
    }
  }
  // Interval messages may trail the task results.
  for (let waited = 0; waited < 1000; waited += 5) {
    if (results.every((r, w) => r === null || r.intervals < 0 || collector.receivedFrom(w) >= r.intervals)) break;
    await sleep(5);
  }
  destroying = true;
  await pool.destroy();
  for (const c of channels) c.port1.close();
  const elapsedMs = Math.round(elapsed());
  if (settled && harnessError === null) {
    await audit().catch((err: unknown) => {
      harnessError ??= `the final audit failed: ${errorMessage(err).split('\n', 1)[0]}`;
    });
  } else notes.push('final audit skipped: not every worker returned');
  await auditor.close();

  const counters: Summary['counters'] = {};
  const workers = roles.map((role, w) => {
    const named = namedCounters(role, workerCounters(zs, w));
    sumInto((counters[role] ??= {}), named);
    return { label: labels[w]!, counters: named };
  });
  const total = violations();
  const interrupted = signals.received;
  if (harnessError === null && total === 0 && !interrupted && !completed) {
    harnessError = `the run ended after ${elapsedMs} ms of its ${durationMs} ms for no recorded reason`;
  }
  const { verdict, exitCode, ended } = gradeRun({ harnessError, violations: total, interrupted });
  if (harnessError) notes.unshift(harnessError);
  collector.violations.sort((a, b) => a.atMs - b.atMs);
  const metrics = Object.fromEntries(
    Object.entries(collector.totals)
      .filter(([, h]) => h.totalCount > 0)
      .map(([name, h]) => [name, summarizeHistogram(h)]),
  );
  const summary: Summary = {
    tool: 'zspage-stress',
    version,
    runId,
    verdict,
    ended,
    exitCode,
    seed: cfg.seed,
    lock: {
      name: design.name,
      ref: cfg.lockName,
      module: cfg.lock.builtin ? null : cfg.lock.ref,
      words: design.words,
      ...(lockSource ? { source: lockSource } : {}),
    },
    scenario: cfg.scenarioName,
    config: {
      scenario: scenarioInput(s),
      keepGoing: cfg.keepGoing,
      workers: roles.length,
      arenaBytes: arena.sab.byteLength,
      ...(cfg.shard ? { shard: cfg.shard } : {}),
    },
    startedAt: startedAt.toISOString(),
    elapsedMs,
    violations: collector.violations,
    violationCount: total,
    firstViolationMs: collector.violations[0]?.atMs ?? null,
    counters,
    workers,
    coverage: coverageOf(roles.map((_, w) => workerCounters(zs, w)), startEpochMs),
    metrics,
    audits,
    notes,
    rerun: `npx zspage-stress replay ${relative(process.cwd(), join(dir, 'summary.json')) || 'summary.json'}`,
  };
  stats.finish(elapsedMs, total);
  writeResults(dir, { summary, totals: collector.totals, intervals: collector.intervals(elapsedMs), timeline: stats.samples });
  rmSync(hlogPart, { force: true });
  for (const v of collector.violations.slice(0, 5)) log(`zspage-stress: VIOLATION ${v.kind} at ${v.atMs} ms: ${v.message}`);
  const explained = collector.violations.find((v) => v.recent && v.recent.length > 0);
  if (explained) {
    log(`zspage-stress: how it happened: the last lock operations on zspage ${explained.zspage} (${explained.kind} at ${explained.atMs} ms), in order:`);
    for (const line of formatRecentOps(explained.recent!.slice(-RECENT_SHOWN))) log(`zspage-stress:   ${line}`);
  }
  for (const n of notes) log(`zspage-stress: note: ${n}`);
  log(
    `zspage-stress: ${verdictText(verdict, interrupted)} ` +
      `(${total} violation${total === 1 ? '' : 's'}) ` +
      `lock=${cfg.lockName} scenario=${cfg.scenarioName} ${flatParams(scenarioInput(s)).join(' ')} keepGoing=${cfg.keepGoing}`,
  );
  log(`zspage-stress: results in ${dir}; rerun: ${summary.rerun}`);
  return { summary, dir, exitCode };
}

function verdictText(verdict: Verdict, signal: string | null): string {
  if (verdict === 'error') return 'HARNESS ERROR';
  if (verdict === 'interrupted') return `INTERRUPTED by ${signal}`;
  return verdict === 'fail' && signal ? `FAIL (interrupted by ${signal})` : verdict.toUpperCase();
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
