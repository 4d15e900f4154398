import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { loadSavedRun, mergeRuns } from '../../coordinator/merge.js';
import { BadInputError } from '../../errors.js';
import { writeResults } from '../../report/write.js';
import { say, type CommandResult } from '../output.js';

export const mergeCommand = (result: CommandResult): CommandModule => ({
  command: 'merge <dirs..>',
  describe: 'merge results folders (shards, repeats) into one: histograms, counters and violations summed',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, describe: 'results folders (each with summary.json and run.hlog)' })
      .option('out', { type: 'string', requiresArg: true, describe: 'merged results folder (default results/<merge-id>)' })
      .example('$0 merge shard-0 shard-1 shard-2 shard-3 --out soak', 'sum the results of run --shard I/4 into one folder'),
  handler: (argv) => {
    const { dirs, out } = argv as unknown as { dirs: string[]; out?: string };
    const record = mergeRuns(dirs.map((d) => loadSavedRun(resolve(d))));
    const { summary } = record;
    const dir = resolve(out ?? join('results', summary.runId));
    if (dirs.some((d) => resolve(d) === dir)) throw new BadInputError('merge: --out must be a folder other than those merged');
    writeResults(dir, record);
    for (const n of summary.notes) say(`zspage-stress: note: ${n}`);
    const count = summary.violationCount;
    say(
      `zspage-stress: merged ${dirs.length} runs of ${summary.lock.name}: ${summary.verdict.toUpperCase()} ` +
        `(${count} violation${count === 1 ? '' : 's'}; ended ${summary.ended}) in ${(summary.elapsedMs / 1000).toFixed(1)} s of runs`,
    );
    say(`zspage-stress: results in ${dir}`);
    result.code = summary.exitCode;
  },
});
