// The weak-memory gate as a table (docs/WEAK-MEMORY.md):
//   node dist/bench/weak-gate.js [--iterations N] [--seeds S]
// 1. every litmus file in litmus/ against its Result line;
// 2. every weak-only lock variant: explore --memory sc (must pass) and --memory weak (must fail),
//    random and pct (depth 2, stale depth 2), iterations to the first failure over S seeds;
// 3. the correct designs: N iterations (default 100,000) of --memory weak, random and pct.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { explore, loadExplorerLock, type ExploreOptions, type ExploreResult } from '../src/explorer/index.js';
import { litmusTable, runLitmusFile } from '../src/explorer/litmus/litmus.js';
import type { LockDesign } from '../src/locks/contract.js';
import { CATALOG, entriesOf } from '../src/locks/catalog.js';
import { packageRoot } from '../src/paths.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const ITERATIONS = arg('iterations', 100_000);
const SEEDS = arg('seeds', 5);
const BASE: ExploreOptions = { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 10_000, seed: 1, staleDepth: 2 };
const say = (s: string) => process.stdout.write(s + '\n');

const dir = join(packageRoot(), 'litmus');
const results = readdirSync(dir)
  .filter((f) => f.endsWith('.litmus'))
  .map((f) => runLitmusFile(join(dir, f)));
say(`### Litmus tests (\`zspage-stress litmus litmus/*.litmus --markdown\`)\n`);
say(litmusTable(results));
say(`\n${results.length} tests: ${results.filter((r) => r.agrees).length} agree with their Result line under LKMM, ${results.filter((r) => r.agrees === false).length} disagree.\n`);

const found = (rs: ExploreResult[]) => {
  const hits = rs.filter((r) => r.failure).map((r) => r.failure!.iteration + 1);
  if (hits.length === 0) return `not found in ${rs[0]!.iterations} x ${rs.length}`;
  hits.sort((a, b) => a - b);
  const rules = [...new Set(rs.filter((r) => r.failure).map((r) => r.failure!.rule))].join(', ');
  return `${rules}: ${hits.length}/${rs.length} seeds, median ${hits[Math.floor(hits.length / 2)]}, worst ${hits[hits.length - 1]}`;
};
const seeds = async (design: LockDesign, o: ExploreOptions) => {
  const out: ExploreResult[] = [];
  for (let s = 1; s <= SEEDS; s++) out.push(await explore(design, { ...o, seed: s }));
  return out;
};

// The C variants, built as explore --memory weak builds them (plain accesses instrumented).
const C_DIR = join(packageRoot(), 'examples', 'weak-memory');
const C_BROKEN = ['relaxed-write-unlock.c', 'relaxed-read-lock.c', 'void-dec-read-unlock.c', 'relaxed-trylock.c', 'two-word-no-mb.c', 'spinlock-plain-fast-path.c'];
const C_CORRECT = [join(C_DIR, 'zspage-atomic-fixed.c'), join(C_DIR, 'two-word.c'), join(packageRoot(), 'examples', 'zspage-lock.c')];
const cLock = (path: string) => loadExplorerLock(path, packageRoot(), 'weak');

say(`### Weak-only lock variants (${SEEDS} seeds, at most ${BASE.iterations} iterations each; iterations to the first failure)\n`);
say('| lock | --memory sc, random and pct | --memory weak, random | --memory weak, pct (depth 2, stale depth 2) |');
say('|---|---|---|---|');
const variants: [string, LockDesign][] = entriesOf('weak')
  .filter(([, l]) => l.weak != null)
  .map(([name, l]) => [name, l.design]);
for (const f of C_BROKEN) variants.push([`examples/weak-memory/${f}`, await cLock(join(C_DIR, f))]);
for (const [name, design] of variants) {
  const l = { design };
  const sc = [...(await seeds(l.design, BASE)), ...(await seeds(l.design, { ...BASE, strategy: 'pct' }))];
  const scText = sc.some((r) => r.failure) ? `**fails**: ${found(sc)}` : `passes ${sc.length} x ${BASE.iterations}`;
  const random = await seeds(l.design, { ...BASE, memory: 'weak' });
  const pct = await seeds(l.design, { ...BASE, memory: 'weak', strategy: 'pct' });
  say(`| ${name} | ${scText} | ${found(random)} | ${found(pct)} |`);
}

say(`\n### Correct designs under --memory weak (${ITERATIONS} iterations, seed 1)\n`);
say('| lock | random | pct (depth 2, stale depth 2) |');
say('|---|---|---|');
const correct: [string, LockDesign][] = ['zspage-atomic-fixed', 'zspage-spinlock', 'zspage-two-word'].map((n) => [
  n,
  CATALOG[n]!.design,
]);
for (const path of C_CORRECT) correct.push([path.slice(packageRoot().length + 1), await cLock(path)]);
for (const [name, design] of correct) {
  const cells: string[] = [];
  for (const strategy of ['random', 'pct'] as const) {
    const r = await explore(design, { ...BASE, strategy, memory: 'weak', iterations: ITERATIONS });
    cells.push(r.failure ? `**FAIL ${r.failure.rule}** at ${r.failure.iteration}` : `pass (${Math.round(r.iterationsPerSecond)}/s)`);
  }
  say(`| ${name} | ${cells.join(' | ')} |`);
}
