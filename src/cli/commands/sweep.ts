import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { resolveRunConfig } from '../../coordinator/config.js';
import { runKernelRun } from '../../coordinator/kernel-run.js';
import { runStress } from '../../coordinator/run.js';
import { streamLog } from '../../coordinator/stats.js';
import { BadInputError } from '../../errors.js';
import { EXIT, sweepExitCode } from '../../grading/grade.js';
import { checkSweep, loadSweepFile, parseParamFlag, SWEEP_PARAMS, type Sweep } from '../../report/sweep-spec.js';
import { sweepPoint, sweepText, unexpectedFailures, writeSweep, type SweepPoint } from '../../report/sweep.js';
import { formatNs } from '../../scenario/units.js';
import { compileZsmalloc } from '../../zsmalloc/compile.js';
import type { CommandResult } from '../output.js';

interface SweepArgs {
  sweep?: string;
  lock?: string;
  zsmalloc?: string;
  param?: string;
  scenario?: string;
  duration?: number;
  seed?: number;
  out?: string;
}

/** The sweep file's grid, with the flags' overrides; flags alone need --lock and --param. */
function resolveSweep(a: SweepArgs): Sweep {
  const base: Sweep = a.sweep
    ? loadSweepFile(a.sweep)
    : { name: 'sweep', description: '', scenario: 'default', locks: [], param: '', values: [] };
  if (a.lock && a.zsmalloc) throw new BadInputError('sweep: --lock sweeps lock designs on the model, --zsmalloc kernel trees: give one of them');
  if (!a.sweep && (!(a.lock || a.zsmalloc) || !a.param)) throw new BadInputError('sweep: name a sweep file, or give --lock (or --zsmalloc) and --param');
  // --zsmalloc: the trees take the place of the sweep's locks
  const locks = a.lock ?? a.zsmalloc;
  return checkSweep({
    ...base,
    ...(a.scenario ? { scenario: a.scenario } : {}),
    ...(locks ? { locks: locks.split(',').map((l) => l.trim()) } : {}),
    ...(a.param ? parseParamFlag(a.param) : {}),
  });
}

const pointDir = (lock: string, param: string, value: string) =>
  `${basename(lock).replace(/\.m?js$/, '')}_${param}-${value}`.replace(/[^\w.-]/g, '-');

export const sweepCommand = (result: CommandResult): CommandModule => ({
  command: 'sweep [sweep]',
  describe: 'run a grid of locks x parameter values (keep-going at each point); table and plots of the trade-off',
  builder: (y) =>
    y
      .positional('sweep', { type: 'string', describe: 'shipped sweep (scenarios/sweeps/) or sweep JSON file' })
      .option('lock', { type: 'string', describe: 'locks, comma-separated' })
      .option('zsmalloc', { type: 'string', describe: "kernel trees (or mm/zsmalloc.c files), comma-separated, in place of locks: the kernel's own zsmalloc is the pool" })
      .option('param', { type: 'string', describe: `NAME=v1,v2,... (${Object.keys(SWEEP_PARAMS).join(', ')})` })
      .option('scenario', { type: 'string', describe: 'scenario each point runs (default: the sweep file\'s, else default)' })
      .option('duration', { type: 'number', describe: 'seconds per point (overrides the scenario)' })
      .option('seed', { type: 'number', describe: 'seed of every point (random if not given)' })
      .option('out', { type: 'string', describe: 'sweep folder (default results/sweep-<name>-<time>)' })
      .example('$0 sweep seed-story', "rwlock, the seed's atomic lock and the 6.15 lock, side by side")
      .example('$0 sweep --lock zspage-spinlock,./my-lock.mjs --param reader-hold=0,50us,1ms --duration 5', 'your lock against a built-in over reader hold times')
      .example('$0 sweep --zsmalloc ~/linux,~/linux-patched --param reader-hold=0,1ms --duration 5', 'your tree with and without your patch, side by side'),
  handler: async (argv) => {
    const a = argv as SweepArgs;
    const sweep = resolveSweep(a);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    const dir = resolve(a.out ?? join('results', `sweep-${sweep.name}-${stamp}`));
    const apply = SWEEP_PARAMS[sweep.param]!.apply;
    // Every point's config first, so a bad lock or scenario stops the sweep before it runs anything.
    let seed = a.seed;
    const grid = sweep.locks.flatMap((lock) =>
      sweep.values.map((value) => {
        const rel = pointDir(lock, sweep.param, value);
        const cfg = resolveRunConfig({
          scenario: sweep.scenario,
          ...(a.zsmalloc ? {} : { lock }),
          duration: a.duration,
          seed,
          keepGoing: true,
          out: join(dir, rel),
          patch: (s) => apply(s, value),
        });
        seed = cfg.seed;
        return { lock, value, rel, cfg };
      }),
    );
    const clash = grid.find((p, i) => grid.findIndex((q) => q.rel === p.rel) !== i);
    if (clash) throw new BadInputError(`sweep: two of ${sweep.locks.join(', ')} would share the results folder ${clash.rel}: give them different names`);
    // a tree that is not one, or does not compile, is bad input before any point runs
    if (a.zsmalloc) for (const tree of sweep.locks) await compileZsmalloc(tree);
    mkdirSync(dir, { recursive: true });
    const log = streamLog(process.stdout);
    const points: SweepPoint[] = [];
    let harnessError = false;
    for (const [k, p] of grid.entries()) {
      log(`zspage-stress: sweep point ${k + 1}/${grid.length}: ${a.zsmalloc ? 'zsmalloc' : 'lock'}=${p.lock} ${sweep.param}=${p.value}`);
      const outcome = a.zsmalloc ? await runKernelRun(p.cfg, p.lock, log) : await runStress(p.cfg, log);
      if (outcome.exitCode === EXIT.harness) harnessError = true;
      points.push(sweepPoint(outcome.summary, p.lock, p.value, p.rel));
    }
    writeSweep(dir, sweep, points, formatNs(grid[0]!.cfg.scenario.duration));
    log('');
    log(sweepText(sweep, points));
    log(`zspage-stress: sweep in ${dir} (sweep.csv, sweep.html)`);
    const bad = unexpectedFailures(points);
    for (const p of bad) log(`zspage-stress: FAIL where it must pass: lock=${p.lock} ${sweep.param}=${p.value}`);
    result.code = sweepExitCode(harnessError, bad.length);
  },
});
