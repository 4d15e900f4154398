import { describe, expect, it } from 'vitest';
import { CATALOG } from '../src/locks/catalog.js';
import { Run } from '../src/explorer/sim.js';
import { KEYED, UNKEYED, stateKey } from '../src/explorer/state-key.js';

const design = CATALOG['zspage-spinlock']!.design;

/** The fields of `o` the state key neither reads nor names as left out. */
function unlisted(o: object, part: keyof typeof KEYED): string[] {
  const listed = new Set<string>([...KEYED[part], ...UNKEYED[part]]);
  return Object.keys(o).filter((k) => !listed.has(k));
}

/** A run of `programs` following `schedule` (thread ids), then stopped. */
function runTo(programs: string[], schedule: number[]): Run {
  const run = new Run(design, programs, false);
  run.run((pool, step) => (step < schedule.length && pool.includes(schedule[step]!) ? schedule[step] : undefined));
  return run;
}

describe('the state key of state caching', () => {
  it('names every field of the run and its parts, keyed or left out with a reason', () => {
    const run = runTo(['RW', 'W'], [0, 0, 1, 1, 0]);
    expect(unlisted(run, 'run')).toEqual([]);
    for (const t of run.threads) expect(unlisted(t, 'thread')).toEqual([]);
    expect(unlisted(run.rules, 'rules')).toEqual([]);
    expect(unlisted(run.sleepers, 'sleepers')).toEqual([]);
    expect(unlisted(run.spin, 'spin')).toEqual([]);
  });

  it('fires on a field nobody listed', () => {
    const run = runTo(['R'], [0]);
    (run.threads[0] as unknown as Record<string, unknown>).tries = 3;
    expect(unlisted(run.threads[0]!, 'thread')).toEqual(['tries']);
  });

  it('one state, one key; another state, another key', () => {
    // the first compareExchange on the spinlock word wins: the two orders reach different states
    const a = runTo(['R', 'R'], [0, 1]);
    const b = runTo(['R', 'R'], [1, 0]);
    expect(stateKey(a, true)).not.toBe(stateKey(b, true));
    const c = runTo(['R', 'R'], [0, 0, 0, 0, 1]);
    const d = runTo(['R', 'R'], [0, 0, 0, 0, 1]);
    expect(stateKey(c, true)).toBe(stateKey(d, true));
    expect(stateKey(c, true)).not.toBe(stateKey(runTo(['R', 'R'], [0, 0, 0, 1, 0]), true));
  });

  it('changes with every field it says it keys', () => {
    const base = () => runTo(['RW', 'W'], [0, 1, 1]);
    const key = stateKey(base(), false);
    const changes: [string, (r: Run) => void][] = [
      ['mem', (r) => void (r.mem[2]! += 1)],
      ['sleepers', (r) => void r.sleepers.asleep.push(r.threads[1]!)],
      ['spin', (r) => void r.spin.changed(r.threads[0]!, 0, 0)],
      ['memo', (r) => void r.threads[0]!.memo.push({ op: 'load', index: 1, result: 0 })],
      ['callsDone', (r) => void (r.threads[0]!.callsDone += 1)],
      ['call', (r) => void (r.threads[1]!.call = 'writeUnlock')],
      ['callOps', (r) => void (r.threads[1]!.callOps += 1)],
      ['holds', (r) => void (r.threads[1]!.holds = 'write')],
      ['done', (r) => void (r.threads[1]!.done = true)],
      ['wait', (r) => void (r.threads[1]!.wait = { index: 1, timeout: false })],
      ['seen', (r) => void r.threads[1]!.seen.add('never-seen')],
      ['last', (r) => void (r.threads[1]!.last = 'x')],
      ['echoed', (r) => void (r.threads[1]!.echoed = !r.threads[1]!.echoed)],
      ['watched', (r) => void (r.threads[1]!.watched ^= 2)],
      ['stuck', (r) => void (r.threads[1]!.stuck = !r.threads[1]!.stuck)],
      ['fresh', (r) => void (r.threads[1]!.fresh ^= 1)],
      ['unsure', (r) => void (r.threads[1]!.unsure = !r.threads[1]!.unsure)],
      ['preempt', (r) => void (r.threads[1]!.preempt += 1)],
      ['cycle', (r) => void r.threads[1]!.cycle.set('x', 1)],
      ['cycling', (r) => void (r.threads[1]!.cycling = !r.threads[1]!.cycling)],
      ['pre', (r) => void r.threads[1]!.pre.push(new Int32Array(3))],
      ['post', (r) => void r.threads[1]!.post.push(new Int32Array(3))],
    ];
    for (const [what, change] of changes) {
      const r = base();
      change(r);
      expect(stateKey(r, false), what).not.toBe(key);
    }
  });

  it('keeps the idle count only when no thread can run (judge() resets it otherwise)', () => {
    const run = runTo(['RW', 'W'], [0, 1, 1]);
    const before = stateKey(run, false);
    run.rules.idle += 1;
    expect(stateKey(run, false)).toBe(before);
    for (const t of run.threads) t.stuck = true; // every thread spins on words nobody changed
    const spinning = stateKey(run, false);
    run.rules.idle += 1;
    expect(stateKey(run, false)).not.toBe(spinning);
  });
});
