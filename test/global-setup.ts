import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Builds dist/ as `npm run build` does: tsc, then the workers bundled (rolldown.config.mjs). */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`], { stdio: 'inherit' });
  execFileSync(process.execPath, [`${root}node_modules/rolldown/bin/cli.mjs`, '-c', `${root}rolldown.config.mjs`], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
