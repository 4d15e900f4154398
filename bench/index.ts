// `npm run bench`: every benchmark section, one table, bench/results.json.
// `node dist/bench/index.js [section ...]` runs only the sections named (results.partial.json);
// with --merge their rows replace the same rows of bench/results.json (and join it if new).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import type { Rounds } from './lib/measure.js';
import { progress } from './lib/progress.js';
import type { BenchResults } from './lib/bench-tables.js';
import { printTable, type Row } from './lib/report.js';
import { arenaScale } from './sections/arena-scale.js';
import { cAtomicWidths } from './sections/c-atomic-widths.js';
import { cLocks } from './sections/c-locks.js';
import { lockdepCost } from './sections/lockdep.js';
import { kernelLockdepCost } from './sections/kernel-lockdep.js';
import { kernelFlightCost } from './sections/kernel-flight.js';
import { explorerSpeed } from './sections/explorer.js';
import { exhaustive } from './sections/exhaustive.js';
import { kernelPool } from './sections/kernel-pool.js';
import { litmus } from './sections/litmus.js';
import { lockPairs } from './sections/lock-pairs.js';
import { readerCycles, readerGrowth } from './sections/reader-cycles.js';
import { startup } from './sections/startup.js';
import { weakExplorer } from './sections/weak-explorer.js';

/**
 * Phases long enough that a thread's cold start after waiting (caches another tenant
 * filled) is a small part of them; rounds enough that a disturbed one moves the median
 * little, and even, so that both copies of a crew (lib/crew) run as often.
 */
const ROUNDS: Rounds = { rounds: 8, ms: 80 };
/** The reader cycle's layers differ by less than one phase's noise: longer phases. */
const LAYER_ROUNDS: Rounds = { rounds: 8, ms: 120 };

const SECTIONS: Record<string, () => Promise<Row[]>> = {
  'lock-pairs': () => lockPairs(ROUNDS),
  'reader-cycles': () => readerCycles(LAYER_ROUNDS),
  'reader-growth': () => readerGrowth(ROUNDS),
  lockdep: () => lockdepCost(LAYER_ROUNDS),
  'kernel-lockdep': () => kernelLockdepCost(LAYER_ROUNDS),
  'kernel-flight': () => kernelFlightCost(LAYER_ROUNDS),
  'arena-scale': () => arenaScale(ROUNDS),
  startup: () => startup(),
  'c-locks': () => cLocks(ROUNDS),
  'c-atomic-widths': () => cAtomicWidths(ROUNDS),
  explorer: () => explorerSpeed(ROUNDS),
  'weak-explorer': () => weakExplorer(),
  exhaustive: () => exhaustive(),
  'kernel-pool': () => kernelPool(),
  litmus: async () => litmus(),
};

const merge = process.argv.includes('--merge');
const wanted = process.argv.slice(2).filter((a) => a !== '--merge');
for (const name of wanted) {
  if (!Object.hasOwn(SECTIONS, name)) {
    console.error(`bench: unknown section '${name}' (sections: ${Object.keys(SECTIONS).join(', ')})`);
    process.exit(2);
  }
}
const t0 = performance.now();
const load = [loadavg()[0]!];
const rows: Row[] = [];
for (const [name, run] of Object.entries(SECTIONS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const s0 = performance.now();
  rows.push(...(await run()));
  load.push(loadavg()[0]!);
  progress(`${name} took ${((performance.now() - s0) / 1000).toFixed(1)} s`);
}
const seconds = Math.round((performance.now() - t0) / 100) / 10;
console.log(`zspage-stress bench: node ${process.version}, ${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(' -> ')}`);
printTable(rows, (line) => console.log(line));
const file = join(packageRoot(), 'bench', wanted.length > 0 ? 'results.partial.json' : 'results.json');
const record = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadAverage: load, seconds, rounds: ROUNDS, rows };
writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
console.log(`bench: ${rows.length} figures in ${seconds} s; written to ${file}`);
if (merge && wanted.length > 0) {
  const full = join(packageRoot(), 'bench', 'results.json');
  const base = JSON.parse(readFileSync(full, 'utf8')) as BenchResults;
  mergeRows(base.rows, rows);
  base.updates = [...(base.updates ?? []), { date: record.date, sections: wanted, loadAverage: load, seconds }];
  writeFileSync(full, `${JSON.stringify(base, null, 2)}\n`);
  console.log(`bench: merged into ${full}; npm run docs renders docs/BENCHMARKS.md from it`);
}

/** Each new row replaces the row of the same name, or follows the last row of its section. */
function mergeRows(into: Row[], fresh: Row[]): void {
  for (const r of fresh) {
    const at = into.findIndex((x) => x.name === r.name);
    if (at >= 0) {
      into[at] = r;
      continue;
    }
    const last = into.map((x) => x.section).lastIndexOf(r.section);
    into.splice(last >= 0 ? last + 1 : into.length, 0, r);
  }
}
