import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { runKernelSelftest } from '../../coordinator/kernel-selftest.js';
import { formatRow, runSelftest, SELFTEST_HEADER, type SelftestRow } from '../../coordinator/selftest.js';
import { BadInputError } from '../../errors.js';
import { selftestExitCode } from '../../grading/grade.js';
import { BUILTIN_NAMES, CATALOG } from '../../locks/catalog.js';
import { lockSpecFor } from '../../locks/registry.js';
import { writeJunit, type JunitSuite } from '../../report/junit.js';
import { compileZsmalloc } from '../../zsmalloc/compile.js';
import { MUTATIONS } from '../../zsmalloc/mutations.js';
import { say, type CommandResult } from '../output.js';

export const selftestCommand = (result: CommandResult): CommandModule => ({
  command: 'selftest',
  describe: 'every correct built-in lock must pass, every broken one must be caught (stress run and explorer)',
  builder: (y) =>
    y
      .option('locks', { type: 'string', describe: 'comma-separated built-in locks or lock files (default: all built-ins)' })
      .option('duration', { type: 'number', default: 10, describe: 'seconds a correct lock must run clean' })
      .option('timeout', { type: 'number', default: 30, describe: 'seconds a broken lock gets to be caught' })
      .option('seed', { type: 'number', default: 1, describe: 'first seed' })
      .option('seeds', { type: 'number', default: 1, describe: 'seeds per lock (time to detect: median and worst over them)' })
      .option('explore-iterations', { type: 'number', default: 20000, describe: 'explorer iterations per lock' })
      .option('out', { type: 'string', describe: 'results folder (default results/selftest-<time>)' })
      .option('junit', { type: 'string', describe: 'also write JUnit XML: one test case per lock' })
      .option('zsmalloc', { type: 'string', describe: 'a kernel tree (or its mm/zsmalloc.c): it must pass, and each known zspage lock change to it must be caught' })
      .option('mutations', { type: 'string', describe: `--zsmalloc: the changes to make, comma-separated (default all: ${MUTATIONS.map((m) => m.name).join(', ')})` })
      .requiresArg(['zsmalloc', 'mutations'])
      .example('$0 selftest', 'every correct built-in passes, every broken one is caught')
      .example('$0 selftest --locks zspage-spinlock,rwlock --duration 5 --junit selftest.xml', 'two locks, with JUnit XML')
      .example('$0 selftest --zsmalloc ~/linux', 'your tree passes, and v5 lock, waiting trylock, unlocked compaction applied to it are caught'),
  handler: async (argv) => {
    const zsmalloc = argv.zsmalloc as string | undefined;
    const mutations = kernelMutations(zsmalloc, argv.mutations as string | undefined, argv.locks as string | undefined);
    const locks = argv.locks ? String(argv.locks).split(',') : [...BUILTIN_NAMES];
    // a lock file (a .c or .mjs module) must pass, as a correct built-in does
    if (!zsmalloc) for (const l of locks) if (!Object.hasOwn(CATALOG, l)) lockSpecFor(l);
    for (const flag of ['seeds', 'explore-iterations'] as const) {
      const v = argv[flag] as number;
      if (!Number.isInteger(v) || v < 1) throw new BadInputError(`--${flag}: expected a positive integer, got ${v}`);
    }
    for (const flag of ['duration', 'timeout'] as const) {
      const v = argv[flag] as number;
      if (!(v >= 0.1)) throw new BadInputError(`--${flag}: expected seconds, at least 0.1, got ${v}`);
    }
    const started = new Date();
    const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    const common = {
      duration: argv.duration as number,
      timeout: argv.timeout as number,
      seed: argv.seed as number,
      seeds: argv.seeds as number,
      out: (argv.out as string | undefined) ?? join(process.cwd(), 'results', `selftest-${stamp}`),
    };
    // a tree that is not one, or does not compile, is one line before the table starts
    if (zsmalloc) await compileZsmalloc(zsmalloc);
    say(zsmalloc ? SELFTEST_HEADER.replace('lock    ', 'change  ') : SELFTEST_HEADER);
    const { rows, interrupted } = zsmalloc
      ? await runKernelSelftest({ ...common, zsmalloc, ...(mutations ? { mutations } : {}) }, say)
      : await runSelftest({ ...common, locks, exploreIterations: argv['explore-iterations'] as number }, say);
    const wrong = rows.filter((r) => !r.stressOk || !r.explorerOk);
    const skipped = rows.filter((r) => r.skipped !== undefined).length;
    if (argv.junit) writeJunit(argv.junit as string, [selftestSuite(rows, started)]);
    say(`zspage-stress selftest: ${wrong.length === 0 ? 'PASS' : 'FAIL'}: ${rows.length - wrong.length}/${rows.length} ${zsmalloc ? 'rows' : 'locks'} as expected${skipped ? ` (${skipped} skipped: not for this version)` : ''}`);
    for (const r of wrong) say(`  wrong: ${formatRow(r)} (results in ${r.dir})`);
    if (interrupted !== null) say('zspage-stress selftest: INTERRUPTED: the locks not yet run have no verdict');
    result.code = selftestExitCode(wrong.length, interrupted);
  },
});

export function selftestSuite(rows: SelftestRow[], started: Date): JunitSuite {
  return {
    name: 'zspage-stress selftest',
    timestamp: started.toISOString(),
    timeSec: (Date.now() - started.getTime()) / 1000,
    properties: { seeds: rows[0]?.seeds.join(',') ?? '' },
    cases: rows.map((r) => {
      const c = { name: r.lock, classname: 'zspage-stress.selftest' };
      if (r.skipped !== undefined) return { ...c, skipped: { message: r.skipped } };
      if (r.stressOk && r.explorerOk) return c;
      // A run that ended in a harness error or a signal says nothing about the lock: an <error>, not a <failure>.
      const why = { message: formatRow(r), text: `results in ${r.dir}` };
      return r.found.some((f) => f === 'error' || f === 'interrupted') ? { ...c, error: why } : { ...c, failure: { type: 'selftest', ...why } };
    }),
  };
}

/** `--mutations` names checked; with `--zsmalloc` only, which has no `--locks`. */
function kernelMutations(zsmalloc: string | undefined, names: string | undefined, locks: string | undefined): string[] | undefined {
  if (!zsmalloc) {
    if (names !== undefined) throw new BadInputError('selftest: --mutations changes a kernel tree: give it with --zsmalloc PATH');
    return undefined;
  }
  if (locks !== undefined) throw new BadInputError('selftest: --zsmalloc tests a kernel tree, --locks lock designs: give one of them');
  if (names === undefined) return undefined;
  const list = names.split(',').map((n) => n.trim());
  for (const n of list) {
    if (!MUTATIONS.some((m) => m.name === n)) throw new BadInputError(`--mutations: no change '${n}' (known: ${MUTATIONS.map((m) => m.name).join(', ')})`);
  }
  return list;
}
