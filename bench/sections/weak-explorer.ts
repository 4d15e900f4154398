// The explorer's weak-memory mode against its default: iterations per second of
// `explore --memory weak` beside `--memory sc`, on the same lock, options and seed, rounds
// alternating so that a disturbance hits both. Weak runs differ (loads read older values,
// spins last longer), so this is the cost a user sees, not only the model's bookkeeping.
import { explore, type ExploreOptions } from '../../src/explorer/index.js';
import { CATALOG } from '../../src/locks/catalog.js';
import { median } from '../lib/measure.js';
import { budget, type Row } from '../lib/report.js';

const LOCKS = ['zspage-atomic-fixed', 'zspage-spinlock', 'zspage-two-word'];
const OPTIONS: ExploreOptions = { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 2000, seed: 1 };
const ROUNDS = 5;
/** The design's estimate was about 2x per iteration; a third is where it stops being usable. */
const MIN_RATIO = 0.33;

const rate = (n: number) => `${Math.round(n)}/s`;

export async function weakExplorer(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const name of LOCKS) {
    const design = CATALOG[name]!.design;
    const sc: number[] = [];
    const weak: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      sc.push((await explore(design, { ...OPTIONS, seed: r + 1 })).iterationsPerSecond);
      weak.push((await explore(design, { ...OPTIONS, seed: r + 1, memory: 'weak' })).iterationsPerSecond);
    }
    const w = median(weak);
    const s = median(sc);
    const ratio = w / s;
    rows.push({
      section: 'weak-explorer',
      name: `explore --memory weak, ${name}`,
      measured: `weak ${rate(w)}`,
      against: `sc ${rate(s)}`,
      ratio,
      ...budget(`>= ${MIN_RATIO.toFixed(2)}x`, ratio >= MIN_RATIO, () => 'profile src/explorer/wmm/memory.ts (view copies on every release and mb)'),
      raw: { weakIterationsPerSecond: w, scIterationsPerSecond: s },
    });
  }
  return rows;
}
