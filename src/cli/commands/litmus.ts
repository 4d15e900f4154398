import type { CommandModule } from 'yargs';
import { formatLitmusLine, litmusTable, runLitmusFile } from '../../explorer/litmus/litmus.js';
import { EXIT } from '../../grading/grade.js';
import { say, type CommandResult } from '../output.js';

export const litmusCommand = (result: CommandResult): CommandModule => ({
  command: 'litmus <files..>',
  describe: 'run C-litmus tests (the kernel memory model format) exhaustively under the weak memory model',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'FILE.litmus ...' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per file: test, expected, observed, agrees' })
      .option('markdown', { type: 'boolean', default: false, describe: 'print a Markdown table (for the docs)' })
      .example('$0 litmus ./SB+fencembonceonces.litmus', 'one test: its outcomes under the weak model against its Result: line')
      .example('$0 litmus litmus/*.litmus --markdown', 'the litmus gate of this repository, as a Markdown table'),
  handler: (argv) => {
    const files = argv.files as string[];
    const results = files.map((f) => runLitmusFile(f)); // bad input in any file exits 2 before printing
    if (argv.markdown) say(litmusTable(results));
    for (const r of results) {
      if (argv.json) say(JSON.stringify(r));
      else if (!argv.markdown) say(formatLitmusLine(r));
    }
    const weaker = results.filter((r) => r.differs === 'weaker').length;
    if (!argv.json && !argv.markdown) {
      const agree = results.filter((r) => r.agrees).length;
      const stronger = results.filter((r) => r.differs === 'stronger').length;
      say(`litmus: ${results.length} test(s): ${agree} agree, ${stronger} stronger, ${weaker} weaker than expected`);
    }
    result.code = weaker > 0 ? EXIT.violation : EXIT.pass;
  },
});
