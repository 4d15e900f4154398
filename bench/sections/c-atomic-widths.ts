// A C lock's read pair with its count in an atomic_long_t, and in an atomic64_t, against
// the same lock with an atomic_t (examples/inc-unless-negative.c, the type changed and
// nothing else), side by side through the harness's reader atomics in alternating rounds.
// atomic_long_t is atomic_t on wasm32 (long is 32 bits); atomic64_t crosses into
// JavaScript as a BigInt and runs on a BigInt64Array.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { Crew } from '../lib/crew.js';
import { figure, interleave, ratio, type Measured, type Rounds } from '../lib/measure.js';
import { progress } from '../lib/progress.js';
import { budget, rate, type Row } from '../lib/report.js';
import { buildWorld } from '../lib/world.js';

const EXAMPLE = 'examples/inc-unless-negative.c';
/** The bar: an atomic_long_t read pair costs at most 1.5x the atomic_t one. */
const LONG_BUDGET = 1 / 1.5;
/** atomic64_t: each call carries BigInts across the boundary; no more than 3x the cost. */
const WIDE_BUDGET = 1 / 3;

/** The example with its atomic_t and atomic_ calls (atomic_ + a letter) and its int switched to another width. */
function variant(text: string, prefix: string, int: string): string {
  return text.replace(/\batomic_(?=[a-z])/g, `${prefix}_`).replace(/\bint unlocked\b/, `${int} unlocked`);
}

export async function cAtomicWidths(rounds: Rounds): Promise<Row[]> {
  const text = readFileSync(join(packageRoot(), EXAMPLE), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'zss-bench-widths-'));
  try {
    const files = {
      int: join(dir, 'atomic.c'),
      long: join(dir, 'atomic-long.c'),
      wide: join(dir, 'atomic64.c'),
    };
    writeFileSync(files.int, text);
    writeFileSync(files.long, variant(text, 'atomic_long', 'long'));
    writeFileSync(files.wide, variant(text, 'atomic64', 's64'));
    progress('C atomics: atomic_long_t and atomic64_t read pairs against atomic_t');
    const world = buildWorld('zspage-spinlock', { arena: '1MiB', stable: 64, minSize: 4, maxSize: 4 });
    const zspages = [0];
    const crew = (lock: string) => Crew.start(world.arena, { kind: 'lock', lock, atomics: 'reader', zspages }, 1);
    const [ci, cl, cw] = [await crew(files.int), await crew(files.long), await crew(files.wide)];
    const [mi, ml, mw] = (await interleave(
      [
        { name: 'atomic_t', crew: ci, loop: 'read' },
        { name: 'atomic_long_t', crew: cl, loop: 'read' },
        { name: 'atomic64_t', crew: cw, loop: 'read' },
      ],
      rounds,
    )) as [Measured, Measured, Measured];
    await Promise.all([ci.close(), cl.close(), cw.close()]);
    const row = (name: string, m: Measured, bar: number, why: string): Row => {
      const x = ratio(m, mi, 'cpu');
      return {
        section: 'C lock',
        name: `${EXAMPLE} read pair with ${name}, 1 thread, harness atomics`,
        measured: `${rate(figure(m, 'cpu'))} per thread`,
        against: `atomic_t ${rate(figure(mi, 'cpu'))}`,
        ratio: x,
        raw: { opsPerCpuSec: figure(m, 'cpu'), atomicOpsPerCpuSec: figure(mi, 'cpu'), ratio: x },
        ...budget(`>= ${bar.toFixed(2)}x`, x >= bar, () => why),
      };
    };
    return [
      row('atomic_long_t', ml, LONG_BUDGET, 'atomic_long_t should compile to the very calls atomic_t does'),
      row('atomic64_t', mw, WIDE_BUDGET, 'each 64-bit call converts BigInts at the WebAssembly boundary'),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
