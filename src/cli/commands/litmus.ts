import type { CommandModule } from 'yargs';
import { formatLitmusLine, litmusTable, runLitmusFile } from '../../explorer/litmus/litmus.js';
import { EXIT } from '../../grading/grade.js';
import { say, type CommandResult } from '../output.js';

export const litmusCommand = (result: CommandResult): CommandModule => ({
  command: 'litmus <files..>',
  describe: 'check C-litmus tests (the kernel memory model format) against the Linux-kernel memory model (LKMM)',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'FILE.litmus ...' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per file: test, expected, observed, agrees' })
      .option('markdown', { type: 'boolean', default: false, describe: 'print a Markdown table (for the docs)' })
      .example('$0 litmus ./SB+fencembonceonces.litmus', 'one test: its LKMM verdict against its Result: line, with a witness execution')
      .example('$0 litmus litmus/*.litmus --markdown', 'the litmus gate of this repository, as a Markdown table'),
  handler: (argv) => {
    const files = argv.files as string[];
    const results = files.map((f) => runLitmusFile(f)); // bad input in any file exits 2 before printing
    if (argv.markdown) say(litmusTable(results));
    for (const r of results) {
      if (argv.json) say(JSON.stringify(r));
      else if (!argv.markdown) say(formatLitmusLine(r));
    }
    const disagree = results.filter((r) => r.agrees === false).length;
    if (!argv.json && !argv.markdown) {
      const agree = results.filter((r) => r.agrees).length;
      const none = results.filter((r) => r.agrees === null).length;
      const without = none > 0 ? `, ${none} have no Result line` : '';
      say(`litmus: ${results.length} test(s): ${agree} agree, ${disagree} disagree with their Result line${without}`);
    }
    result.code = disagree > 0 ? EXIT.violation : EXIT.pass;
  },
});
