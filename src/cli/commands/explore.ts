import type { CommandModule } from 'yargs';
import {
  declaresOrderings,
  DEFAULT_EXPLORE_OPTIONS,
  formatTrace,
  loadExplorerLock,
  type ExploreOptions,
  type MemoryModel,
} from '../../explorer/index.js';
import { exploreBounded, replayBounded } from '../../explorer/bounded.js';
import { EXIT } from '../../grading/grade.js';
import { parseClients } from '../../explorer/clients.js';
import type { Reduction } from '../../explorer/types.js';
import { BadInputError } from '../../errors.js';
import { EXHAUSTIVE_OPTIONS, exhaustiveCommand } from './explore-exhaustive.js';
import { KERNEL_EXPLORE_OPTIONS, kernelExploreCommand } from './explore-kernel.js';
import { lockSpecFor } from '../../locks/registry.js';
import { say, type CommandResult } from '../output.js';

export const exploreCommand = (result: CommandResult): CommandModule => ({
  command: 'explore',
  describe: 'deterministic interleavings of the lock protocol under a controlled scheduler',
  builder: (y) =>
    y
      .option('lock', { type: 'string', describe: 'built-in lock name or lock module file' })
      .option('threads', { type: 'number', default: DEFAULT_EXPLORE_OPTIONS.threads })
      .option('ops', { type: 'number', default: DEFAULT_EXPLORE_OPTIONS.ops, describe: 'lock sections per thread' })
      .option('strategy', { choices: ['random', 'pct'] as const, default: DEFAULT_EXPLORE_OPTIONS.strategy })
      .option('depth', { type: 'number', default: DEFAULT_EXPLORE_OPTIONS.depth, describe: 'PCT bug depth' })
      .option('iterations', { type: 'number', default: DEFAULT_EXPLORE_OPTIONS.iterations })
      .option('seed', { type: 'number', default: DEFAULT_EXPLORE_OPTIONS.seed })
      .option('memory', {
        choices: ['sc', 'weak'] as const,
        default: 'sc',
        describe:
          'sc: every op sequentially consistent; weak: the orderings the lock declares (release/acquire/relaxed, LK-RA), ' +
          'with the data-race rule. Stronger than the kernel model in known cases (no load buffering, stores to a word ' +
          'ordered as they run, no dependencies, 8 stores kept per word): it may miss such bugs, it does not invent any',
      })
      .option('stale-depth', { type: 'number', default: 1, describe: 'weak memory, PCT: loads per run that read an older value' })
      .option('replay', { type: 'string', describe: 'a schedule printed by a failing exploration: rerun it exactly' })
      .options(EXHAUSTIVE_OPTIONS)
      .options(KERNEL_EXPLORE_OPTIONS)
      .conflicts('zsmalloc', 'lock')
      .example('$0 explore --lock ./my-lock.mjs --strategy pct --iterations 20000', 'search interleavings of your lock for a bug')
      .example('$0 explore --lock zspage-atomic-fixed --exhaustive --clients RR/WW/WW', 'every execution of one client: verified or a failing schedule')
      .example('$0 explore --zsmalloc ~/linux --program R0s/M0/F1 --strategy pct', "a reader, a migration and a free on your tree's zsmalloc.c, at every kernel call")
      .example("$0 explore --lock rwlock --replay 'RWRR/RRRR/RRWW@1x2,0,2,0,2,1,0,1,2x2,0,1,0,1x2,0x2'", 'rerun a printed failing schedule, step by step'),
  handler: async (argv) => {
    if (argv.zsmalloc !== undefined) return kernelExploreCommand(argv, result);
    if (argv.lock === undefined) throw new BadInputError('explore: name what to explore: --lock NAME|FILE or --zsmalloc PATH');
    const design = await loadExplorerLock(argv.lock as string, process.cwd(), argv.memory as MemoryModel, argv.exhaustive as boolean);
    // Lock code runs in a worker: a call that never returns is a failure, not a hang.
    const spec = lockSpecFor(argv.lock as string);
    if (argv.exhaustive) {
      if (argv.replay !== undefined) throw new BadInputError('explore: --exhaustive and --replay cannot be combined');
      const budget = argv.budget as number;
      if (!(budget > 0)) throw new BadInputError(`explore: --budget must be a positive number of seconds, got ${String(budget)}`);
      const clients = parseClients(argv.clients as string);
      return exhaustiveCommand(design, spec, argv.lock as string, clients, argv.memory as MemoryModel, budget, argv.reduction as Reduction, result);
    }
    if (argv.replay !== undefined) {
      const { failure, trace } = await replayBounded(spec, argv.replay as string, argv.memory as MemoryModel);
      if (trace.length > 0) say(formatTrace(trace));
      say(failure ? `explore: ${design.name}: FAIL ${failure.rule}: ${failure.message}` : `explore: ${design.name}: the schedule runs clean`);
      result.code = failure ? EXIT.violation : EXIT.pass;
      return;
    }
    const options: ExploreOptions = {
      threads: argv.threads as number,
      ops: argv.ops as number,
      strategy: argv.strategy as ExploreOptions['strategy'],
      depth: argv.depth as number,
      iterations: argv.iterations as number,
      seed: argv.seed as number,
      memory: argv.memory as MemoryModel,
      staleDepth: argv.staleDepth as number,
    };
    if (options.memory === 'weak' && !declaresOrderings(design)) {
      say(`explore: ${design.name} declares no memory orderings (every op is SC): --memory weak adds only the data-race check`);
    }
    const r = await exploreBounded(spec, options);
    const rate = `${r.iterations} iterations in ${(r.elapsedMs / 1000).toFixed(1)} s (${Math.round(r.iterationsPerSecond)}/s)`;
    if (!r.failure) {
      say(`explore: ${design.name}: PASS: ${rate}, ${options.threads} threads x ${options.ops} sections, ${options.strategy}, seed ${options.seed}, memory ${options.memory}`);
      result.code = EXIT.pass;
      return;
    }
    const f = r.failure;
    if (f.trace.length > 0) say(formatTrace(f.trace));
    say(`explore: ${design.name}: FAIL ${f.rule} at iteration ${f.iteration}: ${f.message}`);
    say(`explore: ${rate}`);
    const mem = options.memory === 'weak' ? ' --memory weak' : '';
    say(`explore: replay with: zspage-stress explore --lock ${argv.lock as string}${mem} --replay '${f.schedule}'`);
    result.code = EXIT.violation;
  },
});

