import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder, from wherever this module was loaded (src/ or dist/src/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** Compiled worker scripts live under dist/: the package ships it; in a clone `npm run build` makes it (`npm start`, `npm test` and `npm pack` build first). */
export function compiledPath(...parts: string[]): string {
  return join(packageRoot(), 'dist', ...parts);
}

export const scenariosDir = () => join(packageRoot(), 'scenarios');
