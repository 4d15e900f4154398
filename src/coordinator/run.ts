// The coordinator: from a run's start (start.ts: the arena, one piscina worker per role),
// plays the roles and watches (stats, stutter audits, stall watchdog, violations), stops,
// merges, reports. A run goes in steps: the results folder (run-results.ts), the roles
// started, the watch with its stutter audits, the stop, then grading and output.
import { MessageChannel } from 'node:worker_threads';
import { HDR } from '../arena/layout.js';
import { errorMessage } from '../errors.js';
import { auditPool } from '../invariants/audit.js';
import { recentOps } from '../invariants/flight-recorder.js';
import type { ViolationSink } from '../invariants/violation.js';
import type { Summary } from '../records/summary.js';
import type { RoleResult, RoleTask, WorkerMessage } from '../roles/task.js';
import { formatNs } from '../scenario/units.js';
import { Collector } from './collector.js';
import type { RunConfig } from './config.js';
import { describeWorkerFailure } from './faults.js';
import { ResultsFolder, summarizeRun, tellRun, type RunOutcome } from './run-results.js';
import type { Shard } from './shard.js';
import { StopSignals } from './signals.js';
import { START_TIMEOUT_MS, startStress, type StressStart } from './start.js';
import { StatsPrinter, type Log } from './stats.js';
import { describeStuckLocks, idleLockWords } from './stuck-locks.js';
import { WatchClock } from './watch-clock.js';
import { StallWatchdog } from './watchdog.js';

/** After the stop flag, how long workers get to return before they are destroyed. */
const STOP_GRACE_MS = 2000;
const TICK_MS = 25;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the stress run `cfg` describes. `started` is its start from startStress(), begun
 * earlier by a caller with other work first; without it the run starts itself.
 */
export async function runStress(cfg: RunConfig & { shard?: Shard }, log: Log, started?: Promise<StressStart>): Promise<RunOutcome> {
  const signals = new StopSignals((signal) => log(`zspage-stress: ${signal}: stopping and writing results (again: exit at once)`));
  try {
    return await new WatchedRun(cfg, log, signals, await (started ?? startStress(cfg))).run();
  } finally {
    signals.dispose();
  }
}

/** One run's watch, from its roles' start to its results. */
class WatchedRun {
  private readonly startEpochMs = Date.now();
  private readonly t0 = performance.now();
  private readonly collector = new Collector();
  private readonly folder: ResultsFolder;
  private readonly mem: Int32Array;
  private readonly sink: ViolationSink;
  private readonly watchdog: StallWatchdog;
  private readonly idleWords: ReturnType<typeof idleLockWords>;
  private readonly stats: StatsPrinter;
  private readonly durationMs: number;
  private readonly notes: string[] = [];
  private readonly audits = { count: 0, objects: 0, bytes: 0, lastMs: 0 };
  /** Stutter parking deadlines, on a clock that does not run while the process is starved. */
  private readonly parking = new WatchClock();
  private readonly channels: MessageChannel[];
  private readonly results: (RoleResult | null)[];
  private tasks: Promise<void>[] = [];
  private harnessError: string | null = null;
  /** Set once the stop grace is over: the rejections destroy() causes are not failures. */
  private destroying = false;
  private stalled = false;
  /** The run reached its duration (no violation, signal or fault ended it first). */
  private completed = false;

  constructor(
    private readonly cfg: RunConfig & { shard?: Shard },
    private readonly log: Log,
    private readonly signals: StopSignals,
    private readonly start: StressStart,
  ) {
    const { design, roles, labels, setup } = start;
    this.folder = new ResultsFolder(cfg, design, this.collector, roles.length);
    this.mem = setup.arena.mem;
    this.sink = { report: (kind, message, zspage, handle) => this.report(kind, message, zspage, handle) };
    this.channels = roles.map(() => new MessageChannel());
    this.results = roles.map(() => null);
    this.watchdog = new StallWatchdog(setup.zs, labels, cfg.scenario.stallTimeout / 1e6);
    this.idleWords = idleLockWords(design);
    this.durationMs = cfg.scenario.duration / 1e6;
    this.stats = new StatsPrinter(setup.zs, roles, log, this.durationMs, this.startEpochMs);
  }

  async run(): Promise<RunOutcome> {
    this.startRoles();
    await this.watch();
    const settled = await this.stop();
    return this.finish(settled);
  }

  private elapsed = () => performance.now() - this.t0;
  private violations = () => Atomics.load(this.mem, HDR.VIOLATIONS);
  private mustStop = () => this.harnessError !== null || this.signals.received !== null || (this.violations() > 0 && !this.cfg.keepGoing);

  private report(kind: Parameters<ViolationSink['report']>[0], message: string, zspage?: number, handle?: number): void {
    Atomics.add(this.mem, HDR.VIOLATIONS, 1);
    const recent = zspage !== undefined && zspage >= 0 ? recentOps(this.mem, this.start.setup.zs.L, this.start.labels, zspage) : [];
    this.collector.violations.push({
      kind,
      message,
      atMs: Math.round(this.elapsed()),
      by: 'coordinator',
      ...(zspage !== undefined && zspage >= 0 ? { zspage } : {}),
      ...(handle !== undefined && handle >= 0 ? { handle } : {}),
      ...(recent.length > 0 ? { recent } : {}),
    });
  }

  /** One piscina task per role, each with its own port for interval messages. */
  private startRoles(): void {
    const { cfg, start } = this;
    const { roles, roleIndex, labels, pool, setup } = start;
    // A worker's error outside any task (an unhandled rejection in the lock module, say).
    pool.on('error', (err: unknown) => {
      this.harnessError ??= `a worker failed outside its task: ${errorMessage(err).split('\n', 1)[0]}`;
    });
    this.tasks = roles.map((role, w) => {
      const { port1, port2 } = this.channels[w]!;
      port1.on('message', (m: WorkerMessage) => this.collector.accept(m));
      const task: RoleTask = {
        memory: setup.arena.memory,
        params: setup.params,
        lock: cfg.lock,
        role,
        roleIndex: roleIndex[w]!,
        workerIndex: w,
        labels,
        seed: cfg.seed,
        scenario: cfg.scenario,
        stable: setup.stable,
        churnFirst: setup.churnFirst,
        churnEach: setup.churnEach,
        startEpochMs: this.startEpochMs,
        port: port2,
      };
      return pool
        .run(task, { transferList: [port2] as never })
        .then((r: RoleResult) => {
          this.results[w] = r;
        })
        .catch((err: unknown) => {
          if (this.destroying) return;
          this.harnessError ??= describeWorkerFailure(labels[w]!, cfg.seed, this.watchdog.doing(w), err);
          this.results[w] = { intervals: -1 };
        });
    });
  }

  /** Ticks until the duration, a violation, a stall, a fault or a signal: stats, stall checks, stutter audits. */
  private async watch(): Promise<void> {
    const s = this.cfg.scenario;
    const { mem, watchdog, stats, start } = this;
    let nextStat = s.statInterval / 1e6;
    let nextAudit = s.auditEvery > 0 ? s.auditEvery / 1e6 : Infinity;
    try {
      while (!this.mustStop() && !this.stalled) {
        await sleep(TICK_MS);
        const t = this.elapsed();
        Atomics.store(mem, HDR.CLOCK_MS, Math.round(t));
        if (t >= this.durationMs) {
          this.completed = true;
          break;
        }
        stats.tick(t, this.violations());
        const stall = watchdog.check(t);
        if (stall) {
          this.stalled = true;
          this.sink.report('stall', stall + describeStuckLocks(start.setup.zs, this.idleWords), watchdog.zspageOf(watchdog.stalledWorker));
          break;
        }
        if (t >= nextStat) {
          nextStat += s.statInterval / 1e6;
          this.folder.streamIntervals();
          this.collector.epochStartMs.push(Math.round(t));
          Atomics.add(mem, HDR.EPOCH, 1);
          stats.print(t, this.violations());
        }
        if (start.auditor.startError) this.harnessError ??= start.auditor.startError;
        const waiting = watchdog.notStarted();
        // The audit's worker boots once every role's worker runs, not alongside them (bench: startup).
        if (waiting.length === 0) start.auditor.start();
        if (waiting.length > 0 && t >= START_TIMEOUT_MS) {
          this.harnessError ??= `${waiting.join(', ')} did not start within ${START_TIMEOUT_MS / 1000} s`;
        }
        // A stutter waits for every worker to park: not before they have all started (nor the audit's worker).
        if (t >= nextAudit && waiting.length === 0 && start.auditor.isReady) {
          nextAudit = t + s.auditEvery / 1e6;
          await this.stutter();
        }
      }
    } catch (err) {
      // The coordinator's own failure (an audit that threw, say) still stops the workers and writes results.
      this.harnessError ??= `the coordinator failed: ${errorMessage(err).split('\n', 1)[0]}`;
    }
  }

  private async audit(): Promise<void> {
    const r = auditPool(this.start.setup.zs, await this.start.auditor.check(), this.sink);
    this.audits.count++;
    this.audits.objects += r.objects;
    this.audits.bytes += r.bytes;
    this.audits.lastMs = Math.round(this.elapsed());
  }

  /** Stutter: park every worker, audit, let them go. */
  private async stutter(): Promise<void> {
    const { mem, parking, elapsed } = this;
    const workers = this.start.roles.length;
    const stallMs = this.cfg.scenario.stallTimeout / 1e6;
    Atomics.store(mem, HDR.PAUSE, 1);
    const deadline = parking.at(elapsed()) + stallMs;
    while (Atomics.load(mem, HDR.PARKED) < workers && !this.mustStop() && parking.at(elapsed()) < deadline) await sleep(1);
    if (Atomics.load(mem, HDR.PARKED) >= workers) await this.audit();
    else if (!this.mustStop()) {
      this.stalled = true;
      this.sink.report(
        'stall',
        `stutter: ${this.watchdog.unparked().join(', ')} did not park within ${formatNs(this.cfg.scenario.stallTimeout)}; ${this.watchdog.heldState()}${describeStuckLocks(this.start.setup.zs, this.idleWords)}`,
        this.watchdog.unparkedZspage(),
      );
    }
    Atomics.store(mem, HDR.PAUSE, 0);
    Atomics.notify(mem, HDR.PAUSE);
    // Until every worker has left, PARKED still counts it: the next stutter must not
    // mistake a worker on its way out for a parked one.
    const leave = parking.at(elapsed()) + stallMs;
    while (Atomics.load(mem, HDR.PARKED) > 0 && !this.mustStop() && parking.at(elapsed()) < leave) await sleep(1);
  }

  /** Stop: wake sleepers and parked workers; destroy the ones that do not return. Whether every worker returned. */
  private async stop(): Promise<boolean> {
    const { mem, watchdog, results } = this;
    const cpuAtStop = watchdog.cpuNs();
    Atomics.store(mem, HDR.STOP, 1);
    Atomics.notify(mem, HDR.STOP);
    Atomics.notify(mem, HDR.PAUSE);
    const settled = await Promise.race([Promise.all(this.tasks).then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!settled) this.destroyed(results.flatMap((r, w) => (r === null ? [w] : [])), cpuAtStop);
    // Interval messages may trail the task results.
    for (let waited = 0; waited < 1000; waited += 5) {
      if (results.every((r, w) => r === null || r.intervals < 0 || this.collector.receivedFrom(w) >= r.intervals)) break;
      await sleep(5);
    }
    this.destroying = true;
    await this.start.pool.destroy();
    for (const c of this.channels) c.port1.close();
    return settled;
  }

  /**
   * Workers that did not return within the grace. One stuck in lock code is the lock's failure
   * (a deadlock that started late in the run, say), and the workers stuck behind it (on the pool
   * lock it holds) follow from it. With none in lock code, the harness itself hung.
   */
  private destroyed(stuck: number[], cpuAtStop: number[]): void {
    const { watchdog } = this;
    const { labels, setup } = this.start;
    this.notes.push(`workers that did not stop within ${STOP_GRACE_MS} ms were destroyed: ${stuck.map((w) => labels[w]).join(', ')}`);
    const cpuInGrace = watchdog.cpuNs().map((ns, w) => ns - cpuAtStop[w]!);
    const why = (w: number) =>
      `${labels[w]} did not return within ${STOP_GRACE_MS} ms of the stop and was destroyed, ${watchdog.doing(w)}` +
      (Number.isNaN(cpuInGrace[w]) ? '' : ` (it ran ${(cpuInGrace[w]! / 1e6).toFixed(0)} ms of CPU in that time)`);
    const inLock = stuck.filter((w) => watchdog.inLockCode(w));
    if (inLock.length === 0) this.harnessError ??= why(stuck[0]!);
    else if (!this.stalled) {
      const behind = stuck.filter((w) => !inLock.includes(w)).map((w) => `${labels[w]} ${watchdog.doing(w)}`);
      for (const w of inLock) {
        const also = behind.length > 0 ? `; stuck behind it: ${behind.join('; ')}` : '';
        this.sink.report('stall', why(w) + also + describeStuckLocks(setup.zs, this.idleWords), watchdog.zspageOf(w));
      }
    }
  }

  /** The final audit, then grading, the results written and the last lines told. */
  private async finish(settled: boolean): Promise<RunOutcome> {
    const elapsedMs = Math.round(this.elapsed());
    if (settled && this.harnessError === null) {
      await this.audit().catch((err: unknown) => {
        this.harnessError ??= `the final audit failed: ${errorMessage(err).split('\n', 1)[0]}`;
      });
    } else this.notes.push('final audit skipped: not every worker returned');
    await this.start.auditor.close();
    const total = this.violations();
    const interrupted = this.signals.received;
    if (this.harnessError === null && total === 0 && !interrupted && !this.completed) {
      this.harnessError = `the run ended after ${elapsedMs} ms of its ${this.durationMs} ms for no recorded reason`;
    }
    const { cfg, start, folder, collector, startEpochMs, notes, audits } = this;
    const ending = { cfg, start, folder, collector, startEpochMs, elapsedMs, notes, audits, interrupted };
    const summary: Summary = summarizeRun({ ...ending, harnessError: this.harnessError, violations: total });
    this.stats.finish(elapsedMs, total);
    folder.write(summary, this.stats.samples, elapsedMs);
    tellRun(this.log, cfg, summary, folder.dir, interrupted);
    return { summary, dir: folder.dir, exitCode: summary.exitCode };
  }
}
