// zspage-stress: the command line.
import yargs, { type Argv } from 'yargs';
import { resolveRunConfig, type RunOptions } from '../coordinator/config.js';
import { runStress } from '../coordinator/run.js';
import { BadInputError, errorMessage, EXIT } from '../errors.js';
import { BUILTIN_LOCKS } from '../locks/registry.js';
import { listScenarios } from '../scenario/load.js';

const say = (line: string) => process.stdout.write(line + '\n');

function runFlags(y: Argv) {
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

async function runCommand(argv: RunOptions & { statInterval?: number; keepGoing?: boolean }): Promise<number> {
  const cfg = resolveRunConfig(argv);
  const outcome = await runStress(cfg, say);
  return outcome.exitCode;
}

function listCommand(): number {
  say('Scenarios:');
  for (const s of listScenarios()) say(`  ${s.name.padEnd(18)} ${s.description}`);
  say('Locks:');
  for (const [name, l] of Object.entries(BUILTIN_LOCKS)) say(`  ${name.padEnd(18)} ${l.correct ? '' : '(expected to fail) '}${l.summary}`);
  return EXIT.pass;
}

export async function main(args: string[]): Promise<number> {
  let code: number = EXIT.pass;
  const parser = yargs(args)
    .scriptName('zspage-stress')
    .usage('$0 <command> [options]')
    .command('run', 'stress a lock design against the zsmalloc model', runFlags, async (argv) => {
      code = await runCommand(argv as RunOptions);
    })
    .command('list', 'list the shipped scenarios and built-in locks', {}, () => {
      code = listCommand();
    })
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
  return code;
}

