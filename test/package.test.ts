// The npm package: what the tarball holds, that installing it runs no script, and that every
// command's --help shows examples. (.ci/install-test installs the tarball and runs it.)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

interface PackedFile {
  path: string;
}

/** The tarball's file list, from the dist/ the global setup built (no prepack: no second build). */
function packedFiles(): string[] {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const [pack] = JSON.parse(out) as [{ files: PackedFile[] }];
  return pack.files.map((f) => f.path);
}

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('the packed tarball', () => {
  const files = packedFiles();

  it('holds the compiled code of every source file, the workers, bin, scenarios, assets and the license', () => {
    const sources = walk('src');
    const compiled = sources
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => join('dist', f.replace(/\.ts$/, '.js')));
    // Anything under src/ that is not TypeScript is read at run time (report assets, C shim headers).
    const assets = sources.filter((f) => !f.endsWith('.ts'));
    const workers = walk('workers').map((f) => join('dist', f.replace(/\.ts$/, '.js')));
    const wanted = [
      ...compiled,
      ...workers,
      'bin/zspage-stress.js',
      ...walk('scenarios').filter((f) => f.endsWith('.json')),
      ...assets,
      'README.md',
      'LICENSE',
      'package.json',
    ];
    expect(wanted.filter((f) => !files.includes(f))).toEqual([]);
  });

  it('leaves out tests, benchmarks, TypeScript sources and source maps', () => {
    const unwanted = files.filter(
      (f) => /^(test|bench|dist\/bench|results|docs|litmus|examples|action|\.ci|\.github)\//.test(f) || /\.ts$|\.map$/.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it('has no script that runs when it is installed', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const onInstall = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => s in pkg.scripts);
    expect(onInstall).toEqual([]);
    expect(pkg.scripts.prepack).toMatch(/npm run build/);
  });

  it('ships the MIT license package.json names', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });
});

// A worker thread starts by loading its entry's whole module graph: shipped as one file
// (rolldown.config.mjs), it starts in about half the CPU time (node dist/bench/index.js startup).
it('ships each worker as one file that imports only Node and the C compiler', () => {
  const dir = join(ROOT, 'dist', 'workers');
  const shipped = readdirSync(dir).filter((f) => f.endsWith('.js'));
  expect(shipped.sort()).toEqual(readdirSync(join(ROOT, 'workers')).map((f) => f.replace(/\.ts$/, '.js')).sort());
  const imports = shipped.flatMap((f) =>
    [...readFileSync(join(dir, f), 'utf8').matchAll(/^import\b[^;]*?["']([^"']+)["'];$|\bimport\(\s*["']([^"']+)["']|require\(\s*["']([^"']+)["']/gm)].map((m) => `${f}: ${m[1] ?? m[2] ?? m[3]}`),
  );
  expect(imports.filter((i) => i.startsWith('role-worker.js: ')).length).toBeGreaterThan(0);
  const spec = (i: string) => i.slice(i.indexOf(': ') + 2);
  expect(imports.filter((i) => !isBuiltin(spec(i)) && spec(i) !== '@yowasp/clang')).toEqual([]);
});

describe('--help', () => {
  const help = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'bin/zspage-stress.js'), ...args, '--help'], { encoding: 'utf8', cwd: ROOT });
  const top = help();
  const commands = [...top.stdout.matchAll(/^ {2}zspage-stress (\w+)/gm)].map((m) => m[1]);

  it('lists the commands', () => {
    expect(top.status).toBe(0);
    expect(commands).toEqual(expect.arrayContaining(['run', 'list', 'explore', 'selftest', 'replay', 'compare', 'sweep', 'merge']));
  });

  it('shows examples of the command itself on every command', () => {
    const without = commands.filter((c) => {
      const r = help(c);
      const examples = r.stdout.split('\nExamples:\n')[1] ?? '';
      return r.status !== 0 || !new RegExp(`^ {2}zspage-stress ${c}\\b`, 'm').test(examples);
    });
    expect(without).toEqual([]);
  });
});

it('a copy without dist/ says in one line how to build it (exit 3), not a stack trace', () => {
  const copy = mkdtempSync(join(tmpdir(), 'zss-unbuilt-'));
  mkdirSync(join(copy, 'bin'));
  copyFileSync(join(ROOT, 'bin/zspage-stress.js'), join(copy, 'bin/zspage-stress.js'));
  copyFileSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
  const r = spawnSync(process.execPath, [join(copy, 'bin/zspage-stress.js'), 'list'], { encoding: 'utf8' });
  expect(r.status).toBe(3);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^zspage-stress: not built: \S+main\.js is missing \(run `npm run build` in \S+\)\n$/);
});

it('CI runs the install test and the action test', () => {
  const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
  expect(ci).toMatch(/^\.ci\/install-test\b/m);
  expect(ci).toMatch(/^node \.ci\/action-test\.mjs\b/m);
});
