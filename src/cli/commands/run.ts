import type { Argv, CommandModule } from 'yargs';
import { resolveRunConfig, type RunOptions } from '../../coordinator/config.js';
import { runStress } from '../../coordinator/run.js';
import { say, type CommandResult } from '../output.js';

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
    .option('keep-going', { type: 'boolean', describe: 'run to the end after a violation, counting' });
}

export const runCommand = (result: CommandResult): CommandModule => ({
  command: 'run',
  describe: 'stress a lock design against the zsmalloc model',
  builder: (y) => runFlags(y),
  handler: async (argv) => {
    const outcome = await runStress(resolveRunConfig(argv as RunOptions), say);
    result.code = outcome.exitCode;
  },
});
