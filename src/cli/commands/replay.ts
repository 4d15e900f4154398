import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { resolveRunConfig } from '../../coordinator/config.js';
import { runStress } from '../../coordinator/run.js';
import { BadInputError } from '../../errors.js';
import type { Summary } from '../../records/summary.js';
import { parseScenario } from '../../scenario/load.js';
import { say, type CommandResult } from '../output.js';

export const replayCommand = (result: CommandResult): CommandModule => ({
  command: 'replay <summary>',
  describe: 'rerun a run with the same configuration, lock and seed (a summary.json or its folder)',
  builder: (y) =>
    y
      .positional('summary', { type: 'string', demandOption: true })
      .option('out', { type: 'string', describe: 'results folder (default results/<run-id>)' })
      .example('$0 replay results/20261128-070407-zspage-spinlock-1/summary.json', 'rerun a run: same configuration, lock and seed'),
  handler: async (argv) => {
    const summary = readSummary(argv.summary as string);
    say(
      `zspage-stress: replaying ${summary.runId} (seed ${summary.seed}). Threads are scheduled by the OS, so a rerun ` +
        'is likely but not certain to fail the same way; `zspage-stress explore` replays an interleaving exactly.',
    );
    const lock = summary.lock.module ? fileURLToPath(summary.lock.module) : summary.lock.ref;
    const cfg = resolveRunConfig({
      loaded: { name: summary.scenario, file: argv.summary as string, scenario: parseScenario(summary.config.scenario, argv.summary as string) },
      lock,
      seed: summary.seed,
      keepGoing: summary.config.keepGoing === true,
      ...(argv.out ? { out: argv.out as string } : {}),
    });
    result.code = (await runStress(cfg, say)).exitCode;
  },
});

function readSummary(path: string): Summary {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'summary.json') : path;
  if (!existsSync(file)) throw new BadInputError(`replay: no such summary: ${path}`);
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Summary;
    if (typeof s.seed !== 'number' || !s.lock || !s.config?.scenario) throw new Error('missing seed, lock or config');
    return s;
  } catch (err) {
    throw new BadInputError(`replay: ${file} is not a zspage-stress summary: ${(err as Error).message}`);
  }
}
