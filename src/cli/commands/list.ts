import type { CommandModule } from 'yargs';
import { EXIT } from '../../grading/grade.js';
import { findingLine } from '../../locks/catalog-entry.js';
import { entriesOf } from '../../locks/catalog.js';
import { listScenarios } from '../../scenario/load.js';
import { say, type CommandResult } from '../output.js';

export const listCommand = (result: CommandResult): CommandModule => ({
  command: 'list',
  describe: 'list the shipped scenarios and built-in locks',
  builder: (y) => y.example('$0 list', 'scenario names for --scenario, lock names for --lock'),
  handler: () => {
    say('Scenarios:');
    for (const s of listScenarios()) say(`  ${s.name.padEnd(38)} ${s.description}`);
    say('Locks:');
    for (const [name, l] of entriesOf('kernel', 'busted')) {
      say(`  ${name.padEnd(38)} ${l.stress.expect ? `(fails: ${l.stress.expect}) ` : ''}${l.summary}`);
      if (l.finding) say(`  ${''.padEnd(38)} ${findingLine(name, l.finding)}`);
    }
    say('Weak-memory designs: explore --memory weak fails the busted ones (stress runs and --memory sc pass them all):');
    for (const [name, l] of entriesOf('weak')) {
      say(`  ${name.padEnd(38)} ${l.weak ? `(weak: ${l.weak}) ` : ''}${l.summary}`);
    }
    result.code = EXIT.pass;
  },
});
