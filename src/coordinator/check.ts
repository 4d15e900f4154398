// check: one command that tells a lock author whether the lock is right, within a time budget.
//
// Parts, in order, each stopping at its own first failure:
//   explore               small programs (4 sections), 2..4 threads, random and PCT, round-robin:
//                         most protocol bugs fail within a few iterations, so this part is short
//   explore (weak)        side by side with it, the same under --memory weak, only for a lock
//                         that declares memory orderings: bugs of a missing release, acquire or
//                         barrier, which every other part (all SC) passes
//   stress: selftest mix  the bug-hunting scenario on real threads (hot objects, write delays)
//   stress: default mix   the zsmalloc access pattern as `run` has it
//   explore: exhaustive   when nothing failed: every execution of the default clients
//                         (check-verify.ts), under SC and under weak for a lock that declares
//                         orderings; `verified`, or `pass (not verified: budget)`
//   explore: deep         longer programs and deeper PCT for the rest of the budget (under
//                         --memory weak for a lock that declares orderings: it allows every
//                         SC execution too)
// The explorer goes first because it needs milliseconds where a stress run needs its workers
// started; bugs it cannot see (a forgotten unlock every few thousand calls) must not wait
// behind a long exploration, so its longer search comes last, and the first stress run's
// workers boot while the explorer runs. The explorer parts run in a worker
// (check-explore.ts): a lock call spinning on plain memory fails as a livelock.
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { checkExitCode, checkVerdictOfRun, SIGNAL_EXIT } from '../grading/grade.js';
import type { CheckVerdict } from '../grading/vocabulary.js';
import { formatTrace, type MemoryModel } from '../explorer/index.js';
import { formatRecentOps } from '../invariants/flight-recorder.js';
import { loadExplorerLock } from '../explorer/index.js';
import { lockSpecFor, type LockSpec } from '../locks/registry.js';
import type { ExploreConfig } from '../supervised/check-explorer-messages.js';
import { runExplorerPart } from './check-explore.js';
import { verifyPart } from './check-verify.js';
import { DEFAULT_CLIENTS } from '../explorer/clients.js';
import type { CheckPart, CheckPartName, CheckRecord, ProvedClient } from '../report/check.js';
import { checkPartLine, firstFailure } from '../report/check.js';
import type { Summary } from '../records/summary.js';
import { resolveRunConfig } from './config.js';
import { runStress } from './run.js';
import { discardStress, startStress, type StressStart } from './start.js';
import { StopSignals } from './signals.js';

export interface CheckOptions {
  /** Built-in name or lock file, as the user gave it (it goes into the replay commands). */
  lock: string;
  budgetMs: number;
  seed: number;
  out: string;
  /** Stop after the first failing part instead of running the others. */
  failFast: boolean;
  /** The exhaustive part's clients, one program per thread (default: DEFAULT_CLIENTS). */
  clients?: string[][];
}

/** Shares of the budget. The deep exploration gets what the others leave (and what the proof did not need). */
export const CHECK_SHARES = { explore: 0.01, selftest: 0.3, default: 0.25, verify: 0.4 } as const;
/**
 * The first explorations (SC and weak, side by side) are short whatever the budget: their
 * bugs show in milliseconds (weak-only ones within a few iterations, docs/WEAK-MEMORY.md),
 * and a bug only stress finds waits behind them. The deep part explores longer.
 */
const EXPLORE_MIN_MS = 100;
const EXPLORE_MAX_MS = 200;
/** A stress run spends about this long after its duration: stopping workers, the final audit, files. */
const STRESS_TAIL_MS = 400;
/** Stall timeout of the check's stress runs: a lock left held is reported within the part. */
const CHECK_STALL_NS = 2e9;
/** The shortest stress run worth starting: workers take a few hundred ms to start, seconds on a loaded machine. */
const MIN_STRESS_MS = 3000;

const QUICK: ExploreConfig[] = [2, 3, 4].flatMap((threads) => [
  { threads, ops: 4, strategy: 'random' as const, depth: 2 },
  { threads, ops: 4, strategy: 'pct' as const, depth: 2 },
]);
const DEEP: ExploreConfig[] = [2, 3, 4].flatMap((threads) => [
  { threads, ops: 8, strategy: 'random' as const, depth: 2 },
  { threads, ops: 8, strategy: 'pct' as const, depth: 3 },
]);

export type CheckLog = (line: string) => void;

export async function runCheck(opts: CheckOptions, log: CheckLog): Promise<CheckRecord> {
  const t0 = performance.now();
  const startEpochMs = Date.now();
  const now = () => performance.now() - t0;
  const spec = lockSpecFor(opts.lock);
  // Loaded here first: a lock that does not load is bad input, and a C lock's builds (plain,
  // and instrumented for weak memory and the exhaustive part) are compiled once, cached for the workers.
  await loadExplorerLock(opts.lock, process.cwd(), 'weak');
  const parts: CheckPart[] = [];
  const stop = () => opts.failFast && firstFailure(parts) !== undefined;
  const over = () => stop() || parts.some((p) => p.verdict === 'interrupted');
  const B = opts.budgetMs;
  const quickMs = Math.min(EXPLORE_MAX_MS, Math.max(EXPLORE_MIN_MS, B * CHECK_SHARES.explore));
  const stressMs = (mix: 'selftest' | 'default') => Math.max(MIN_STRESS_MS, B * CHECK_SHARES[mix] - STRESS_TAIL_MS);
  // The first stress run's workers boot while the explorer runs: once both explorer workers
  // have booted and explore, so that on a small machine their boot does not wait behind it.
  const hunting = stressConfig('selftest', stressMs('selftest'), opts);
  const early: { start: Promise<StressStart> | null; closed: boolean } = { start: null, closed: false };
  let exploring = 0;
  const startEarly = () => {
    if (++exploring < 2 || early.closed) return;
    early.start = startStress(hunting);
    early.start.catch(() => {}); // a start that fails is reported when its part runs
  };

  const done = (p: CheckPart | null) => {
    if (!p) return;
    parts.push(p);
    log(checkPartLine(p));
  };

  let ordered: boolean;
  try {
    // The two first explorations run side by side, each in its own worker.
    const [sc, weak] = await explorerPhase(log, (signals) =>
      Promise.all([
        explorePart('explore', spec, 'sc', QUICK, quickMs, opts, now, log, signals, startEarly),
        explorePart('explore (weak)', spec, 'weak', QUICK, quickMs, opts, now, log, signals, startEarly),
      ]),
    );
    early.closed = true;
    done(sc);
    ordered = weak !== null;
    // A lock that hung the explorer hangs its weak pass too: one livelock is enough.
    if (!(sc?.kind === 'livelock' && weak?.kind === 'livelock')) done(weak);
    for (const mix of ['selftest', 'default'] as const) {
      if (over()) break;
      const cfg = mix === 'selftest' ? hunting : stressConfig(mix, stressMs(mix), opts);
      const started = early.start ?? undefined;
      early.start = null;
      done(await stressPart(cfg, mix, now, startEpochMs, log, started));
    }
  } finally {
    early.closed = true;
    if (early.start) await early.start.then(discardStress, () => {});
  }
  let proved: ProvedClient[] = [];
  if (!over() && firstFailure(parts) === undefined) {
    const v = await provePart(spec, opts, ordered, Math.min(B * CHECK_SHARES.verify, Math.max(0, B - now())), now, log);
    done(v.part);
    proved = v.proved;
  } else if (!over()) log('check: explore: exhaustive: skipped: a part failed, there is nothing to prove');
  if (!over()) {
    const memory = ordered ? 'weak' : 'sc';
    done(await explorerPhase(log, (signals) => explorePart('explore: deep', spec, memory, DEEP, Math.max(0, B - now()), opts, now, log, signals)));
  }

  return checkRecord(opts, parts, proved, Math.round(now()));
}

/** The record of a check that ran `parts`: its verdict is its first failure's. */
function checkRecord(opts: CheckOptions, parts: CheckPart[], proved: ProvedClient[], elapsedMs: number): CheckRecord {
  const first = firstFailure(parts);
  const verdict: CheckVerdict = first?.verdict ?? 'pass';
  return {
    tool: 'zspage-stress',
    command: 'check',
    lock: opts.lock,
    seed: opts.seed,
    budgetMs: opts.budgetMs,
    elapsedMs,
    verdict,
    exitCode: checkExitCode(verdict, first?.exitCode),
    detectedAfterMs: first?.failedAfterMs ?? null,
    kind: first?.kind ?? null,
    part: first?.part ?? null,
    replay: first?.replay ?? null,
    verified: parts.some((p) => p.proof === 'verified'),
    clients: proved,
    parts,
  };
}

/** The exhaustive part (check-verify.ts): under SC, and under weak too for a lock that declares orderings. */
function provePart(spec: LockSpec, opts: CheckOptions, ordered: boolean, budgetMs: number, now: () => number, log: CheckLog) {
  const models: MemoryModel[] = ordered ? ['sc', 'weak'] : ['sc'];
  const clients = opts.clients ?? DEFAULT_CLIENTS.map((c) => c.split('/'));
  return explorerPhase(log, (signals) => verifyPart(spec, opts.lock, clients, models, budgetMs, now, log, signals, shellWord));
}

/** ^C during explorer parts ends them as interrupted (a second one exits at once). */
async function explorerPhase<T>(log: CheckLog, parts: (signals: StopSignals) => Promise<T>): Promise<T> {
  const signals = new StopSignals((signal) => log(`check: ${signal}: stopping`));
  try {
    return await parts(signals);
  } finally {
    signals.dispose();
  }
}

/**
 * Round-robin over the configurations in chunks until one fails or the time is up, in a
 * worker (check-explore.ts): a lock call that never returns is a livelock, not a hang.
 * The weak pass runs only for a lock that declares memory orderings (null otherwise).
 */
async function explorePart(
  part: CheckPartName,
  spec: LockSpec,
  memory: MemoryModel,
  configs: ExploreConfig[],
  budgetMs: number,
  opts: CheckOptions,
  now: () => number,
  log: CheckLog,
  signals: StopSignals,
  exploring?: () => void,
): Promise<CheckPart | null> {
  const start = now();
  const weak = memory === 'weak';
  const ran = `${configs[0]!.ops} sections, 2-4 threads, random+pct${weak ? ', memory weak' : ''}`;
  log(`check: ${part}: ${ran}, up to ${(budgetMs / 1000).toFixed(1)} s`);
  const base = { part, budgetMs, failedAfterMs: null, kind: null, message: null, replay: null, evidence: null };
  const elapsed = () => Math.round(now() - start);
  // ^C ends the part as interrupted (a second one exits at once).
  let r;
  try {
    r = await runExplorerPart(spec, memory, configs, opts.seed, budgetMs, weak, () => signals.received !== null, exploring);
  } catch (err) {
    const message = errorMessage(err).split('\n', 1)[0]!;
    return { ...base, ran, verdict: 'harness-error', elapsedMs: elapsed(), failedAfterMs: Math.round(now()), message };
  }
  if (r.kind === 'skipped') {
    log(`check: ${part}: skipped: the lock declares no memory orderings (every op is SC)`);
    return null;
  }
  if (r.kind === 'interrupted') {
    return { ...base, ran, verdict: 'interrupted', elapsedMs: elapsed(), failedAfterMs: Math.round(now()), exitCode: SIGNAL_EXIT[signals.received!], iterations: r.iterations };
  }
  if (r.kind === 'error') {
    return { ...base, ran, verdict: 'harness-error', elapsedMs: elapsed(), failedAfterMs: Math.round(now()), message: r.message, iterations: r.iterations };
  }
  const { failure: f, iterations, config: cfg } = r;
  if (!f || !cfg) return { ...base, ran: `${ran}, ${iterations} iterations`, verdict: 'pass', elapsedMs: elapsed(), iterations };
  const mem = cfg.memory === 'weak' ? ' --memory weak' : '';
  return {
    ...base,
    ran: `${cfg.threads} threads x ${cfg.ops} sections, ${cfg.strategy}, seed ${cfg.seed}${mem ? ', memory weak' : ''}, iteration ${f.iteration}`,
    verdict: 'fail',
    elapsedMs: elapsed(),
    failedAfterMs: Math.round(now()),
    kind: f.rule,
    message: f.message,
    replay: `zspage-stress explore --lock ${shellWord(opts.lock)}${mem} --replay '${f.schedule}'`,
    evidence: f.trace.length > 0 ? formatTrace(f.trace) : null,
    iterations,
  };
}

function stressConfig(mix: 'selftest' | 'default', durationMs: number, opts: CheckOptions) {
  return resolveRunConfig({
    scenario: mix,
    lock: opts.lock,
    seed: opts.seed,
    duration: durationMs / 1000,
    out: join(opts.out, mix),
    patch: (s) => {
      s.stallTimeout = Math.min(s.stallTimeout, CHECK_STALL_NS);
    },
  });
}

async function stressPart(
  cfg: ReturnType<typeof stressConfig>,
  mix: 'selftest' | 'default',
  now: () => number,
  startEpochMs: number,
  log: CheckLog,
  started?: Promise<StressStart>,
): Promise<CheckPart> {
  const part: CheckPartName = mix === 'selftest' ? 'stress: selftest mix' : 'stress: default mix';
  const start = now();
  const durationMs = cfg.scenario.duration / 1e6;
  log(`check: ${part}: up to ${(durationMs / 1000).toFixed(1)} s`);
  const { summary, dir } = await runStress(cfg, () => {}, started);
  const verdict = checkVerdictOfRun(summary.exitCode);
  const v = summary.violations[0];
  // Violations are timed from the run's own start (startedAt); the check started earlier.
  const runStartMs = Date.parse(summary.startedAt) - startEpochMs;
  const failedAfterMs =
    verdict === 'pass' ? null : verdict === 'fail' && summary.firstViolationMs !== null ? runStartMs + summary.firstViolationMs : Math.round(now());
  return {
    part,
    ran: `${summary.config.workers} workers`,
    verdict,
    budgetMs: durationMs,
    elapsedMs: Math.round(now() - start),
    failedAfterMs,
    kind: v?.kind ?? null,
    message: v?.message ?? (verdict === 'harness-error' ? (summary.notes[0] ?? 'harness error') : null),
    replay: verdict === 'pass' ? null : summary.rerun.replace(/^npx /, ''),
    evidence: verdict === 'pass' ? null : diagnosis(summary),
    exitCode: summary.exitCode,
    dir,
  };
}

/** Flight recorder lines shown for a stress failure (summary.json and report.html hold them all). */
const RECENT_SHOWN = 24;

/**
 * A stress failure's diagnosis: its first violations, the run's notes, and the flight
 * recorder's last operations on the zspage of the first violation that has them.
 */
function diagnosis(summary: Summary): string {
  const lines = summary.violations.slice(0, 3).map((v) => `${v.kind} at ${v.atMs} ms (${v.by}): ${v.message}`);
  if (summary.violationCount > 3) lines.push(`... ${summary.violationCount - 3} more`);
  lines.push(...summary.notes.map((n) => `note: ${n}`));
  const explained = summary.violations.find((v) => v.recent && v.recent.length > 0);
  if (explained) {
    const zspage = explained.zspage !== undefined ? ` on zspage ${explained.zspage}` : '';
    lines.push(`the last lock operations${zspage} before the ${explained.kind} (flight recorder), oldest first:`);
    lines.push(...formatRecentOps(explained.recent!.slice(-RECENT_SHOWN)).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

/** A lock path as a shell word (quoted when it has characters a shell would split or expand). */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
