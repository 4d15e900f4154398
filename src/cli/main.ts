// zspage-stress: the command line. Each command lives in commands/.
import yargs from 'yargs';
import { BadInputError, errorMessage } from '../errors.js';
import { EXIT } from '../grading/grade.js';
import { checkCommand } from './commands/check.js';
import { compareCommand } from './commands/compare.js';
import { exploreCommand } from './commands/explore.js';
import { listCommand } from './commands/list.js';
import { litmusCommand } from './commands/litmus.js';
import { mergeCommand } from './commands/merge.js';
import { replayCommand } from './commands/replay.js';
import { runCommand } from './commands/run.js';
import { selftestCommand } from './commands/selftest.js';
import { sweepCommand } from './commands/sweep.js';
import type { CommandResult } from './output.js';

export async function main(args: string[]): Promise<number> {
  const result: CommandResult = { code: EXIT.pass };
  const parser = yargs(args)
    .scriptName('zspage-stress')
    .usage('$0 <command> [options]')
    .command(runCommand(result))
    .command(listCommand(result))
    .command(mergeCommand(result))
    .command(compareCommand(result))
    .command(sweepCommand(result))
    .command(selftestCommand(result))
    .command(replayCommand(result))
    .command(exploreCommand(result))
    .command(litmusCommand(result))
    .command(checkCommand(result))
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    .version(false)
    .help()
    .fail((msg, err) => {
      // yargs reports some usage errors as a YError: bad input all the same. Some of its
      // messages take lines ("Invalid values:" then the argument, what was given, the choices): one line.
      if (err && err.name !== 'YError') throw err;
      throw new BadInputError((msg ?? err?.message ?? '').split('\n').map((l) => l.trim()).filter(Boolean).join(' '));
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    if (err instanceof BadInputError) {
      process.stderr.write(`zspage-stress: ${err.message.split('\n', 1)[0]}\n`);
      return EXIT.badInput;
    }
    process.stderr.write(`zspage-stress: harness error: ${errorMessage(err)}\n`);
    return EXIT.harness;
  }
  return result.code;
}
