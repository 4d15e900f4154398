import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { EXIT } from '../../grading/grade.js';
import { compareHtml, compareText, loadRuns } from '../../report/compare.js';
import { writeAtomically } from '../../report/write.js';
import { say, type CommandResult } from '../output.js';

export const compareCommand = (result: CommandResult): CommandModule => ({
  command: 'compare <dirs..>',
  describe: 'compare results folders side by side: percentiles, counts, trylock failure rates',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, describe: 'results folders (each with summary.json and run.hlog)' })
      .option('out', { type: 'string', describe: 'where to write the HTML comparison', default: 'compare.html' })
      .example('$0 compare results/run-a results/run-b', 'percentiles of two runs side by side, and compare.html'),
  handler: (argv) => {
    const { dirs, out } = argv as unknown as { dirs: string[]; out: string };
    const runs = loadRuns(dirs);
    say(compareText(runs));
    const file = resolve(out);
    writeAtomically(file, compareHtml(runs));
    say(`\nzspage-stress: comparison in ${file}`);
    result.code = EXIT.pass;
  },
});
