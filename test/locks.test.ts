// Each built-in design's semantics, one thread, with the global Atomics or a
// bounded one that shows whether a call waits.
import { describe, expect, it } from 'vitest';
import { BoundedAtomics, SpinBudgetExceeded } from '../src/atomics/bounded.js';
import type { LockAtomics, LockDesign } from '../src/locks/contract.js';
import { CATALOG, entriesOf } from '../src/locks/catalog.js';

const AT = 3;
const fresh = (d: LockDesign, atomics: LockAtomics = Atomics) => {
  const mem = new Int32Array(new SharedArrayBuffer(64));
  const ops = d.create(atomics);
  ops.init(mem, AT);
  return { mem, ops };
};

describe.each(entriesOf('kernel', 'busted'))('%s', (_name, { design }) => {
  it('lets readers share and a writer in once they leave', () => {
    if (_name === 'busted-reader-waits-readers') {
      // Its bug: a second reader waits for the first to leave.
      const bounded = new BoundedAtomics(10_000);
      const { mem, ops } = fresh(design, bounded);
      ops.readLock(mem, AT);
      bounded.reset();
      expect(() => ops.readLock(mem, AT)).toThrow(SpinBudgetExceeded);
      return;
    }
    const { mem, ops } = fresh(design);
    ops.readLock(mem, AT);
    ops.readLock(mem, AT);
    ops.readUnlock(mem, AT);
    ops.readUnlock(mem, AT);
    expect(ops.writeTrylock(mem, AT)).toBe(true);
    ops.writeUnlock(mem, AT);
    ops.readLock(mem, AT);
    ops.readUnlock(mem, AT);
    expect(ops.writeTrylock(mem, AT)).toBe(true);
  });

  it('keeps a second writer out', () => {
    const bounded = new BoundedAtomics(10_000);
    const { mem, ops } = fresh(design, bounded);
    expect(ops.writeTrylock(mem, AT)).toBe(true);
    bounded.reset();
    // rwlock's "trylock" is write_lock(); 6.15's spins on the internal spinlock the first writer
    // keeps. Both wait only for an atomic writer (writers are serialized by the pool lock anyway).
    if (_name === 'rwlock' || _name === 'zspage-spinlock') expect(() => ops.writeTrylock(mem, AT)).toThrow(SpinBudgetExceeded);
    else expect(ops.writeTrylock(mem, AT)).toBe(false);
    bounded.reset();
    ops.writeUnlock(mem, AT);
    expect(ops.writeTrylock(mem, AT)).toBe(true);
  });

  it('stays within its words', () => {
    const { mem, ops } = fresh(design);
    ops.readLock(mem, AT);
    ops.readUnlock(mem, AT);
    ops.writeTrylock(mem, AT);
    const outside = [...mem.slice(0, AT), ...mem.slice(AT + design.words)];
    expect(outside.every((w) => w === 0)).toBe(true);
  });
});

describe('write trylock with a reader inside', () => {
  for (const name of ['zspage-atomic', 'zspage-atomic-fixed', 'zspage-spinlock', 'rwsem']) {
    it(`${name} fails at once`, () => {
      const bounded = new BoundedAtomics(100);
      const { mem, ops } = fresh(CATALOG[name]!.design, bounded);
      ops.readLock(mem, AT);
      bounded.reset();
      expect(ops.writeTrylock(mem, AT)).toBe(false);
    });
  }

  it('rwlock waits for the reader (write_lock, not a trylock)', () => {
    const bounded = new BoundedAtomics(10_000);
    const { mem, ops } = fresh(CATALOG.rwlock!.design, bounded);
    ops.readLock(mem, AT);
    bounded.reset();
    expect(() => ops.writeTrylock(mem, AT)).toThrow(SpinBudgetExceeded);
  });
});

describe('read lock with a writer inside', () => {
  const waits = (name: string) => {
    const calls: string[] = [];
    const recording = new Proxy(Atomics, {
      // only the global's methods: plainLoad/plainStore are absent, as on the global Atomics
      get: (target, prop: string) => !(prop in target) ? undefined : (...args: unknown[]) => {
        calls.push(prop);
        if (prop === 'wait') throw new Error('slept');
        if (calls.length > 1000) throw new Error('spun');
        return (target as any)[prop](...args);
      },
    }) as unknown as LockAtomics;
    const { mem, ops } = fresh(CATALOG[name]!.design, recording);
    ops.writeTrylock(mem, AT);
    return () => ops.readLock(mem, AT);
  };

  it('zspage designs spin and never sleep', () => {
    expect(waits('zspage-atomic-fixed')).toThrow('spun');
    expect(waits('zspage-spinlock')).toThrow('spun');
    expect(waits('rwlock')).toThrow('spun');
  });

  it('rwsem sleeps', () => {
    expect(waits('rwsem')).toThrow('slept');
  });
});

describe('zspage-spinlock', () => {
  it('keeps its internal spinlock held for the whole write section', () => {
    const { mem, ops } = fresh(CATALOG['zspage-spinlock']!.design);
    ops.writeTrylock(mem, AT);
    expect([mem[AT], mem[AT + 1]]).toEqual([1, -1]);
    ops.writeUnlock(mem, AT);
    expect([mem[AT], mem[AT + 1]]).toEqual([0, 0]);
  });
});
