// The built-ins that port kernel code follow it statement by statement: the seed's v5 read
// lock keeps its loop (and its bug), each primitive records its kernel ordering, and what the
// registry says about a broken port is shown by its own schedule.
import { describe, expect, it } from 'vitest';
import { replay } from '../src/explorer/index.js';
import type { LockAtomics, LockDesign } from '../src/locks/contract.js';
import { findingLine } from '../src/locks/catalog-entry.js';
import { CATALOG, entriesOf } from '../src/locks/catalog.js';
import { cli } from './helpers.js';

const AT = 2;
const design = (name: string): LockDesign => CATALOG[name]!.design;

/** The real Atomics, recording each call as `op:order` (and `op:order/failureOrder` for a cmpxchg). */
function recording(): { atomics: LockAtomics; calls: string[] } {
  const calls: string[] = [];
  const atomics = {
    load: (m: Int32Array, i: number, o?: string) => (calls.push(`load:${o}`), Atomics.load(m, i)),
    store: (m: Int32Array, i: number, v: number, o?: string) => (calls.push(`store:${o}`), Atomics.store(m, i, v)),
    add: (m: Int32Array, i: number, v: number, o?: string) => (calls.push(`add:${o}`), Atomics.add(m, i, v)),
    sub: (m: Int32Array, i: number, v: number, o?: string) => (calls.push(`sub:${o}`), Atomics.sub(m, i, v)),
    compareExchange: (m: Int32Array, i: number, e: number, r: number, o?: string, f?: string) => (
      calls.push(`cmpxchg:${o}/${f}`), Atomics.compareExchange(m, i, e, r)
    ),
    plainLoad: (m: Int32Array, i: number) => (calls.push('plainLoad'), m[i]!),
    plainStore: (m: Int32Array, i: number, v: number) => void (calls.push('plainStore'), (m[i] = v)),
  } as unknown as LockAtomics;
  return { atomics, calls };
}

function callsOf(name: string, run: (ops: ReturnType<LockDesign['create']>, mem: Int32Array) => void): string[] {
  const mem = new Int32Array(new SharedArrayBuffer(32));
  const { atomics, calls } = recording();
  const ops = design(name).create(atomics);
  run(ops, mem);
  return calls;
}

describe("zspage-atomic: the seed's v5 functions as posted", () => {
  it('records the kernel orderings: read_acquire, try_cmpxchg_acquire, dec_return_release, set_release', () => {
    expect(callsOf('zspage-atomic', (o, m) => o.init(m, AT))).toEqual(['store:relaxed']);
    expect(callsOf('zspage-atomic', (o, m) => o.readLock(m, AT))).toEqual(['load:acquire', 'cmpxchg:acquire/relaxed']);
    expect(callsOf('zspage-atomic', (o, m) => o.readUnlock(m, AT))).toEqual(['sub:release']);
    expect(callsOf('zspage-atomic', (o, m) => o.writeTrylock(m, AT))).toEqual(['cmpxchg:acquire/relaxed']);
    expect(callsOf('zspage-atomic', (o, m) => o.writeUnlock(m, AT))).toEqual(['store:release']);
  });

  it('a failed try_cmpxchg updates old: the retry uses the value found', () => {
    const mem = new Int32Array(new SharedArrayBuffer(32));
    const seen: number[] = [];
    let raced = false;
    const atomics = {
      load: (m: Int32Array, i: number) => Atomics.load(m, i),
      compareExchange: (m: Int32Array, i: number, e: number, r: number) => {
        seen.push(e);
        if (!raced) (raced = true), Atomics.store(m, i, 5); // another reader got in first
        return Atomics.compareExchange(m, i, e, r);
      },
    } as unknown as LockAtomics;
    design('zspage-atomic').create(atomics).readLock(mem, AT);
    expect(seen).toEqual([0, 5]); // no second load: old came back from the failed cmpxchg
    expect(mem[AT]).toBe(6);
  });

  it("a reader that still reads -1 after cpu_relax() swaps -1 for 0: the `continue` goes to the cmpxchg", () => {
    const mem = new Int32Array(new SharedArrayBuffer(32));
    const seed = design('zspage-atomic').create(Atomics);
    expect(seed.writeTrylock(mem, AT)).toBe(true);
    seed.readLock(mem, AT); // returns at once: it does not wait for the writer
    expect(mem[AT]).toBe(0);
  });

  it('the corrected variant waits for the writer instead', () => {
    const mem = new Int32Array(new SharedArrayBuffer(32));
    const { atomics, calls } = recording();
    const fixed = design('zspage-atomic-fixed').create(atomics);
    expect(fixed.writeTrylock(mem, AT)).toBe(true);
    const spin = { ...atomics, load: (m: Int32Array, i: number) => (calls.length > 50 ? (Atomics.store(m, i, 0), 0) : atomics.load(m, i)) };
    design('zspage-atomic-fixed').create(spin).readLock(mem, AT);
    expect(calls.filter((c) => c.startsWith('cmpxchg')).length).toBe(2); // its trylock, then one once the word was 0
    expect(mem[AT]).toBe(1);
  });
});

describe('zspage-spinlock: 6.15 as landed', () => {
  it('spin_lock is an acquire cmpxchg, spin_unlock a release store, cnt plain accesses under it', () => {
    expect(callsOf('zspage-spinlock', (o, m) => o.init(m, AT))).toEqual(['plainStore', 'plainStore']);
    const section = ['cmpxchg:acquire/relaxed', 'plainLoad', 'plainStore', 'store:release'];
    expect(callsOf('zspage-spinlock', (o, m) => o.readLock(m, AT))).toEqual(section);
    expect(callsOf('zspage-spinlock', (o, m) => (o.readLock(m, AT), o.readUnlock(m, AT))).slice(4)).toEqual(section);
    expect(callsOf('zspage-spinlock', (o, m) => o.writeTrylock(m, AT))).toEqual(['cmpxchg:acquire/relaxed', 'plainLoad', 'plainStore']);
    expect(callsOf('zspage-spinlock', (o, m) => (o.writeTrylock(m, AT), o.writeUnlock(m, AT))).slice(3)).toEqual(['plainStore', 'store:release']);
    expect(callsOf('zspage-spinlock', (o, m) => (o.readLock(m, AT), o.writeTrylock(m, AT))).slice(4)).toEqual([
      'cmpxchg:acquire/relaxed',
      'plainLoad',
      'store:release',
    ]);
  });
});

describe('what the registry says about a broken port', () => {
  const broken = entriesOf('kernel', 'busted').filter(([, l]) => l.finding);

  it('the seed lock is listed as broken, with a schedule', () => {
    expect(broken.map(([n]) => n)).toContain('zspage-atomic');
    expect(CATALOG['zspage-atomic']!.stress.expect).toBe('exclusion');
    expect(CATALOG['zspage-atomic-fixed']!.stress.expect).toBeNull();
  });

  for (const [name, lock] of broken) {
    it(`${name}: its schedule fails the explorer with the rule it names`, async () => {
      const { failure } = await replay(lock.design, lock.finding!.schedule);
      expect(failure?.rule).toBe(lock.explorer.expect);
      expect(findingLine(name, lock.finding!)).toContain(`--lock ${name} --replay '${lock.finding!.schedule}'`);
    });
  }

  it('list prints it', () => {
    const r = cli(['list'], { out: false });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(findingLine('zspage-atomic', CATALOG['zspage-atomic']!.finding!));
  });

  it('a short stress run of the seed lock fails with its violation', () => {
    const r = cli(['run', '--lock', 'zspage-atomic', '--scenario', 'smoke', '--duration', '20', '--seed', '3']);
    expect(r.code).toBe(1);
    expect(['exclusion', 'integrity', 'stall', 'trylock-failed-free', 'audit']).toContain(r.summary().violations[0].kind);
  });
});
