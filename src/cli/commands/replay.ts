import type { CommandModule } from 'yargs';
import { replay } from '../../coordinator/replay.js';
import { say, type CommandResult } from '../output.js';

export const replayCommand = (result: CommandResult): CommandModule => ({
  command: 'replay <summary>',
  describe: "rerun a run with the same configuration, lock (or kernel tree) and seed (a summary.json or its folder), or a check's first failing part (its check.json or folder)",
  builder: (y) =>
    y
      .positional('summary', { type: 'string', demandOption: true })
      .option('out', { type: 'string', describe: 'results folder (default results/<run-id>)' })
      .option('zsmalloc', { type: 'string', describe: 'a run on a kernel tree: replay on this tree (its zsmalloc sources must be the same)' })
      .requiresArg(['out', 'zsmalloc'])
      .example('$0 replay results/20261128-070407-zspage-spinlock-1/summary.json', 'rerun a run: same configuration, lock and seed')
      .example('$0 replay results/check-20261206-174000-linux-7', "a check's first failing part, on the same kernel tree"),
  handler: async (argv) => {
    result.code = await replay({ record: argv.summary as string, out: argv.out as string | undefined, zsmalloc: argv.zsmalloc as string | undefined }, say);
  },
});
