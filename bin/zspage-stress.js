#!/usr/bin/env node
// The command runs the compiled code in dist/: a packed or installed copy ships it,
// a clone of the repository builds it (npm run build, or npm start, which builds first).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`zspage-stress: not built: ${fileURLToPath(entry)} is missing (run \`npm run build\` in ${root})\n`);
  process.exit(3);
}
const { main } = await import(entry.href);
process.exit(await main(process.argv.slice(2)));
