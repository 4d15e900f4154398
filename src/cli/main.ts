// zspage-stress: the command line. Each command lives in commands/.
import yargs from 'yargs';
import { BadInputError, errorMessage, EXIT } from '../errors.js';
import { listCommand } from './commands/list.js';
import { runCommand } from './commands/run.js';
import type { CommandResult } from './output.js';

export async function main(args: string[]): Promise<number> {
  const result: CommandResult = { code: EXIT.pass };
  const parser = yargs(args)
    .scriptName('zspage-stress')
    .usage('$0 <command> [options]')
    .command(runCommand(result))
    .command(listCommand(result))
    .demandCommand(1, 'name a command: run or list')
    .strict()
    .version(false)
    .help()
    .fail((msg, err) => {
      throw err ?? new BadInputError(msg);
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
