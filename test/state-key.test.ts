import { describe, expect, it } from 'vitest';
import { CATALOG } from '../src/locks/catalog.js';
import { Run } from '../src/explorer/sim.js';
import { KEYED, UNKEYED, stateKey } from '../src/explorer/state-key.js';
import { fold } from '../src/explorer/spin-fold.js';
import { newThread } from '../src/explorer/sim-thread.js';

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
    const weak = new Run(design, ['RW', 'W'], false, () => 0);
    weak.run((pool, step) => (step < 5 ? pool[0] : undefined));
    expect(unlisted(weak.weak!, 'weak')).toEqual([]);
    expect(unlisted(weak.weak!.memory, 'memory')).toEqual([]);
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

/** `t`'s folded history after ops given as `obs` (a leading `!` a write; `@words` the words a plain op left). */
function folded(ops: string[]): string[] {
  const t = newThread(0, 'R', design.create({} as never) as never);
  for (const op of ops) {
    const write = op.startsWith('!');
    const [obs, words] = (write ? op.slice(1) : op).split('@');
    fold(t, obs!, words === undefined ? '' : `@${words}`, write);
  }
  return t.folded;
}

describe('a spinning call as state caching keys it (spin-fold.ts)', () => {
  it('removes a failed iteration: back at the earlier observation', () => {
    expect(folded(['cas1', 'load1', 'relax', 'load1'])).toEqual(['cas1', 'load1']);
    expect(folded(['cas1', 'load1', 'relax', 'load1', 'relax', 'load1', 'relax'])).toEqual(['cas1', 'load1', 'relax']);
    expect(folded(['cas1', 'load1', 'relax', 'load0', '!cas0'])).toEqual(['cas1', 'load1', 'relax', 'load0', '!cas0']);
  });

  it('keeps a re-read right after itself (atomic_cond_read_acquire), as the spin watch does', () => {
    expect(folded(['load0', 'load0'])).toEqual(['load0', 'load0']);
    expect(folded(['load0', 'load0', 'load0'])).toEqual(['load0', 'load0']);
  });

  it('folds nothing across a write', () => {
    expect(folded(['load1', '!store0', 'load1'])).toEqual(['load1', '!store0', 'load1']);
  });

  it('judges a plain design on the observation, keeping the earlier words', () => {
    expect(folded(['cas1@1,1', 'relax@1,1', 'cas1@1,2'])).toEqual(['cas1@1,1']);
    expect(folded(['cas1@1,1', 'cas10@1,2'])).toEqual(['cas1@1,1', 'cas10@1,2']);
  });

  it('one key for a call that probed a held spinlock three times and one that probed it four times', () => {
    // T0 takes the spinlock word, releases it and takes it again; T1 probes it in between
    const key = (schedule: number[], foldSpins: boolean) => {
      const run = new Run(design, ['R', 'R'], false);
      run.foldSpins = foldSpins;
      run.run((pool, step) => (step < schedule.length && pool.includes(schedule[step]!) ? schedule[step] : undefined));
      return `${run.threads[1]!.callOps}:${stateKey(run, true)}`;
    };
    const three = [0, 1, 1, 0, 0, 0, 0, 1];
    const four = [0, 1, 1, 1, 0, 0, 0, 0, 1];
    expect(key(three, true).replace(/^3:/, '')).toBe(key(four, true).replace(/^4:/, ''));
    expect(key(three, false).replace(/^3:/, '')).not.toBe(key(four, false).replace(/^4:/, ''));
  });
});
