// The import rules (.dependency-cruiser.cjs, `npm run lint:deps` in CI): the tree keeps them,
// every source file belongs to a layer, and a forbidden import or a circle fails the check.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Rule {
  name: string;
  from: { path?: string };
  to: { path?: string[] };
}
const rules = (createRequire(import.meta.url)(CONFIG) as { forbidden: Rule[] }).forbidden;

/** The dependency check as CI runs it (`npm run lint:deps`): its exit code and what it printed. */
function cruise(cwd: string, dirs: string[]): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, ...dirs, '--config', CONFIG], { cwd, encoding: 'utf8' });
  return { code: r.status, output: r.stdout + r.stderr };
}

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A scratch tree with the repository's tsconfig and the given files. */
function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'zspage-layers-'));
  scratchDirs.push(dir);
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => relative(ROOT, join(ROOT, dir, f)).replaceAll('\\', '/'));
}

describe('import layers', () => {
  it('the tree keeps them: no forbidden import, no circle', () => {
    const r = cruise(ROOT, ['src', 'workers']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('no dependency violations found');
  });

  it('every source file belongs to exactly one layer', () => {
    const layers = [...new Set(rules.filter((r) => r.name.startsWith('layer: ')).flatMap((r) => [r.from.path!, ...r.to.path!]))];
    for (const file of [...sourceFiles('src'), ...sourceFiles('workers')]) {
      expect(layers.filter((p) => new RegExp(p).test(file)), file).toHaveLength(1);
    }
  });

  it('fails a lock design that imports a check', () => {
    const dir = scratch({
      'src/invariants/shadow.ts': 'export const shadow = 1;\n',
      'src/locks/my-lock.ts': "import { shadow } from '../invariants/shadow.js';\nexport default shadow;\n",
    });
    const r = cruise(dir, ['src']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/error layer: locks: src\/locks\/my-lock\.ts → src\/invariants\/shadow\.ts/);
  });

  it('fails a lock design that imports the atomics interceptor', () => {
    const dir = scratch({
      'src/atomics/bounded.ts': 'export class BoundedAtomics {}\n',
      'src/locks/my-lock.ts': "import { BoundedAtomics } from '../atomics/bounded.js';\nexport default BoundedAtomics;\n",
    });
    const r = cruise(dir, ['src']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/error layer: locks: src\/locks\/my-lock\.ts → src\/atomics\/bounded\.ts/);
  });

  it('fails a report that imports the coordinator, even for a type', () => {
    const dir = scratch({
      'src/coordinator/stats.ts': 'export interface Sample { atMs: number }\n',
      'src/report/curves.ts': "import type { Sample } from '../coordinator/stats.js';\nexport const at = (s: Sample) => s.atMs;\n",
    });
    const r = cruise(dir, ['src']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/error layer: reports: src\/report\/curves\.ts → src\/coordinator\/stats\.ts/);
  });

  it('fails a role step that imports a pool, the model or the kernel pool, not the ops table', () => {
    const dir = scratch({
      'src/roles/pool.ts': 'export interface PoolOps { free(slot: number): void }\n',
      'src/model/alloc.ts': 'export const zsFree = (h: number) => h;\n',
      'src/zsmalloc/runtime.ts': 'export class KernelPool {}\n',
      'src/roles/churner.ts':
        "import type { PoolOps } from './pool.js';\nimport { zsFree } from '../model/alloc.js';\nimport { KernelPool } from '../zsmalloc/runtime.js';\n" +
        'export const step = (ops: PoolOps) => (ops.free(zsFree(1)), new KernelPool());\n',
    });
    const r = cruise(dir, ['src']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/error roles-drive-no-pool: src\/roles\/churner\.ts → src\/model\/alloc\.ts/);
    expect(r.output).toMatch(/error roles-drive-no-pool: src\/roles\/churner\.ts → src\/zsmalloc\/runtime\.ts/);
    expect(r.output).not.toMatch(/src\/roles\/churner\.ts → src\/roles\/pool\.ts/);
  });

  it('fails an import circle within one layer', () => {
    const dir = scratch({
      'src/report/a.ts': "import type { B } from './b.js';\nexport interface A { b: B }\n",
      'src/report/b.ts': "import type { A } from './a.js';\nexport interface B { a: A }\n",
    });
    const r = cruise(dir, ['src']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/error no-circular: src\/report\/a\.ts → /);
    expect(r.output).not.toMatch(/error layer:/);
  });
});
