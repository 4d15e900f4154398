import type { Argv, CommandModule } from 'yargs';
import { resolveRunConfig, type RunOptions } from '../../coordinator/config.js';
import { runKernelRun } from '../../coordinator/kernel-run.js';
import { runStress } from '../../coordinator/run.js';
import { shardConfig } from '../../coordinator/shard.js';
import { streamLog } from '../../coordinator/stats.js';
import { runSuite, writeJunit } from '../../report/junit.js';
import type { CommandResult } from '../output.js';

export function runFlags<T>(y: Argv<T>) {
  return y
    .option('scenario', { type: 'string', describe: 'shipped scenario name or JSON file', default: 'default' })
    .option('lock', { type: 'string', describe: 'built-in lock name or lock module file (.mjs/.js)' })
    .option('duration', { type: 'number', describe: 'seconds (overrides the scenario)' })
    .option('seed', { type: 'number', describe: 'run seed (random if not given)' })
    .option('readers', { type: 'number', describe: 'reader workers' })
    .option('migrators', { type: 'number', describe: 'migrator workers' })
    .option('compactors', { type: 'number', describe: 'compactor workers' })
    .option('churners', { type: 'number', describe: 'churner workers' })
    .option('stat-interval', { type: 'number', describe: 'seconds between stats lines' })
    .option('out', { type: 'string', describe: 'results folder (default results/<run-id>)' })
    .option('keep-going', { type: 'boolean', describe: 'run to the end after a violation, counting' })
    // A valued flag given without its value is an error, not the scenario's value.
    .requiresArg(['scenario', 'lock', 'duration', 'seed', 'readers', 'migrators', 'compactors', 'churners', 'stat-interval', 'out']);
}

export const runCommand = (result: CommandResult): CommandModule => ({
  command: 'run',
  describe: 'stress a lock design against the zsmalloc model',
  builder: (y) =>
    runFlags(y)
      .option('shard', { type: 'string', describe: 'I/N: shard I of N runs seed --seed + I (docs/SOAK.md)' })
      .option('json', { type: 'boolean', describe: 'print only the summary JSON on stdout (progress goes to stderr)' })
      .option('junit', { type: 'string', describe: 'also write JUnit XML here: a test case per invariant' })
      .option('zsmalloc', { type: 'string', describe: "a kernel tree (or its mm/zsmalloc.c): the kernel's own zsmalloc, unchanged, is the pool" })
      .requiresArg(['zsmalloc'])
      .conflicts('zsmalloc', ['lock', 'shard'])
      .example('$0 run --scenario smoke', 'the zsmalloc access pattern for about 5 s')
      .example('$0 run --lock ./my-lock.mjs --duration 60 --seed 42 --junit results/junit.xml', 'your lock module for a minute, with JUnit XML')
      .example('$0 run --zsmalloc ~/linux', "the roles on your tree's mm/zsmalloc.c, as written"),
  handler: async (argv) => {
    const opts = argv as RunOptions & { shard?: string; json?: boolean; junit?: string; zsmalloc?: string };
    const log = streamLog(opts.json ? process.stderr : process.stdout);
    const outcome = opts.zsmalloc
      ? await runKernelRun(resolveRunConfig(opts), opts.zsmalloc, log)
      : await runStress(shardConfig(resolveRunConfig(opts), opts.shard, opts.seed), log);
    if (opts.junit) writeJunit(opts.junit, [runSuite(outcome.summary)]);
    if (opts.json) process.stdout.write(JSON.stringify(outcome.summary, null, 2) + '\n');
    result.code = outcome.exitCode;
  },
});
