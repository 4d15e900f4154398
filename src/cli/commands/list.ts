import type { CommandModule } from 'yargs';
import { BUILTIN_LOCKS, findingLine } from '../../locks/registry.js';
import { WEAK_LOCKS } from '../../locks/weak/index.js';
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
    for (const [name, l] of Object.entries(BUILTIN_LOCKS)) {
      say(`  ${name.padEnd(38)} ${l.expect ? `(fails: ${l.expect}) ` : ''}${l.summary}`);
      if (l.finding) say(`  ${''.padEnd(38)} ${findingLine(name, l.finding)}`);
    }
    say('Weak-memory designs: explore --memory weak fails the busted ones (stress runs and --memory sc pass them all):');
    for (const [name, l] of Object.entries(WEAK_LOCKS)) {
      say(`  ${name.padEnd(38)} ${l.weakRule ? `(weak: ${l.weakRule}) ` : ''}${l.summary}`);
    }
    result.code = 0;
  },
});
