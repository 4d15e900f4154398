// Single-threaded tests that show each busted lock's bug concretely, and that the correct
// designs (zspage-atomic-fixed, zspage-spinlock) do not have it. Interleavings are forced by hooks
// that run another "thread" (a second ops table on the same words) before a given atomic op.
import { describe, expect, it } from 'vitest';
import { VIOLATION_KINDS } from '../src/grading/vocabulary.js';
import { CATALOG, entriesOf } from '../src/locks/catalog.js';
import { FORGET_EVERY } from '../src/locks/busted/forgotten-unlock.js';
import { PATIENCE_SPINS } from '../src/locks/busted/impatient-trylock.js';
import type { LockAtomics, LockDesign, LockOps } from '../src/locks/contract.js';
import { checkLockDesign } from '../src/locks/registry.js';

const OP_NAMES = ['load', 'store', 'add', 'sub', 'and', 'or', 'xor', 'exchange', 'compareExchange', 'wait', 'notify'] as const;
type OpName = (typeof OP_NAMES)[number];
const WRITES: ReadonlySet<string> = new Set(['store', 'add', 'sub', 'and', 'or', 'xor', 'exchange', 'compareExchange']);
const realAtomics = Object.fromEntries(OP_NAMES.map((n) => [n, (Atomics[n] as (...a: unknown[]) => unknown).bind(Atomics)]));

/** Thrown when a call spins past the op bound: it would wait forever single-threaded. */
class Spins extends Error {}

interface Probe {
  atomics: LockAtomics;
  /** Every op made, in order. */
  calls: OpName[];
  /** The wait calls: would each have slept (value equal to the word)? */
  waits: { wouldSleep: boolean }[];
}

/** The real Atomics, with `before(op, n)` run before the n-th op (1-based), a spin bound, and waits that never sleep. */
function probe(before?: (op: OpName, n: number) => void, maxOps = 1000): Probe {
  const p: Probe = { atomics: {} as LockAtomics, calls: [], waits: [] };
  for (const name of OP_NAMES) {
    (p.atomics as unknown as Record<string, unknown>)[name] = (mem: Int32Array, i: number, ...rest: number[]) => {
      p.calls.push(name);
      if (p.calls.length > maxOps) throw new Spins(`more than ${maxOps} atomic ops`);
      before?.(name, p.calls.length);
      if (name === 'wait') {
        p.waits.push({ wouldSleep: realAtomics.load!(mem, i) === rest[0] });
        return 'timed-out';
      }
      return realAtomics[name]!(mem, i, ...rest);
    };
  }
  return p;
}

const AT = 3; // lock base inside the buffer: not 0, so absolute indexing shows
function memory(design: LockDesign): Int32Array {
  const mem = new Int32Array(new SharedArrayBuffer(4 * (AT + design.words + 2)));
  design.create(Atomics).init(mem, AT);
  return mem;
}
/** A second thread: its own ops table on the real Atomics. */
const other = (design: LockDesign): LockOps => design.create(Atomics);

const CORRECT = ['zspage-atomic-fixed', 'zspage-spinlock'].map((n) => CATALOG[n]!.design);
const busted = (name: string): LockDesign => CATALOG[name]!.design;

describe('the busted family of the catalog', () => {
  it('names, kinds and shapes', () => {
    for (const [name, b] of entriesOf('busted')) {
      expect(name).toBe(b.design.name);
      expect(name).toMatch(/^busted-/);
      expect(VIOLATION_KINDS).toContain(b.stress.expect);
      expect(checkLockDesign(b.design, name)).toBe(b.design);
      expect(b.summary.length).toBeGreaterThan(10);
    }
    expect(entriesOf('busted').length).toBeGreaterThanOrEqual(7);
  });

  it('each uses only the atomics it is given, never the global Atomics', () => {
    const saved = OP_NAMES.map((n) => [n, Atomics[n]] as const);
    try {
      for (const n of OP_NAMES) {
        (Atomics as unknown as Record<string, unknown>)[n] = () => {
          throw new Error(`global Atomics.${n} used`);
        };
      }
      for (const [, b] of entriesOf('busted')) {
        const mem = new Int32Array(new SharedArrayBuffer(4 * 20));
        const ops = b.design.create(probe().atomics);
        ops.init(mem, AT);
        ops.readLock(mem, AT);
        ops.readUnlock(mem, AT);
        if (ops.writeTrylock(mem, AT)) ops.writeUnlock(mem, AT);
      }
    } finally {
      for (const [n, f] of saved) (Atomics as unknown as Record<string, unknown>)[n] = f;
    }
  });
});

describe('busted-reader-ignores-writer', () => {
  const readWhileWriting = (d: LockDesign) => {
    const mem = memory(d);
    expect(other(d).writeTrylock(mem, AT)).toBe(true);
    d.create(probe().atomics).readLock(mem, AT); // must spin while the writer holds
  };
  it('a reader walks in on a writer', () => {
    expect(() => readWhileWriting(busted('busted-reader-ignores-writer'))).not.toThrow();
  });
  it.each(CORRECT)('$name: the reader waits (spins) for the writer', (d) => {
    expect(() => readWhileWriting(d)).toThrow(Spins);
  });
});

describe('busted-writer-ignores-readers', () => {
  const writeWhileReading = (d: LockDesign) => {
    const mem = memory(d);
    other(d).readLock(mem, AT);
    return d.create(Atomics).writeTrylock(mem, AT);
  };
  it('writeTrylock succeeds while a reader holds', () => {
    expect(writeWhileReading(busted('busted-writer-ignores-readers'))).toBe(true);
  });
  it.each(CORRECT)('$name: writeTrylock fails', (d) => {
    expect(writeWhileReading(d)).toBe(false);
  });
});

describe('busted-check-then-act', () => {
  /** Runs `first` with `second` slipped in just before first's first write: both may get in. */
  const race = (d: LockDesign, first: 'reader' | 'writer') => {
    const mem = memory(d);
    let slipped: boolean | null = null;
    const p = probe((op) => {
      if (slipped !== null || !WRITES.has(op)) return;
      if (first === 'reader') slipped = other(d).writeTrylock(mem, AT);
      else slipped = (other(d).readLock(mem, AT), true);
    });
    const ops = d.create(p.atomics);
    let firstIn: boolean;
    try {
      firstIn = first === 'reader' ? (ops.readLock(mem, AT), true) : ops.writeTrylock(mem, AT);
    } catch (err) {
      if (!(err instanceof Spins)) throw err;
      firstIn = false; // the reader waits for the writer that slipped in
    }
    return { slipped, firstIn };
  };
  const d = busted('busted-check-then-act');
  it('a writer slips in between the reader load and store: both inside', () => {
    expect(race(d, 'reader')).toEqual({ slipped: true, firstIn: true });
  });
  it('a reader slips in between the writer load and store: both inside', () => {
    expect(race(d, 'writer')).toEqual({ slipped: true, firstIn: true });
  });
  it.each(CORRECT)('$name: whoever slips in second stays out', (c) => {
    expect(race(c, 'reader')).toEqual({ slipped: true, firstIn: false });
    expect(race(c, 'writer')).toEqual({ slipped: true, firstIn: false });
  });
});

describe('busted-waiting-trylock', () => {
  /** A reader holds; it leaves only after the trylock has made 50 ops. */
  const trylockWithReader = (d: LockDesign) => {
    const mem = memory(d);
    const reader = other(d);
    reader.readLock(mem, AT);
    const p = probe((_op, n) => {
      if (n === 50) reader.readUnlock(mem, AT);
    });
    return { ok: d.create(p.atomics).writeTrylock(mem, AT), ops: p.calls.length };
  };
  it('writeTrylock spins until the reader leaves, then succeeds', () => {
    const r = trylockWithReader(busted('busted-waiting-trylock'));
    expect(r.ok).toBe(true);
    expect(r.ops).toBeGreaterThan(50);
  });
  it.each(CORRECT)('$name: writeTrylock fails at once', (d) => {
    const r = trylockWithReader(d);
    expect(r.ok).toBe(false);
    expect(r.ops).toBeLessThan(10);
  });
});

describe('busted-writer-sleeps', () => {
  const writerWaits = (d: LockDesign) => {
    const mem = memory(d);
    const p = probe();
    const ops = d.create(p.atomics);
    expect(ops.writeTrylock(mem, AT)).toBe(true);
    ops.writeUnlock(mem, AT);
    return p.waits;
  };
  it('the writer calls atomics.wait on a word that holds the expected value: a real sleep', () => {
    expect(writerWaits(busted('busted-writer-sleeps'))).toEqual([{ wouldSleep: true }]);
    const d = busted('busted-writer-sleeps');
    const mem = memory(d);
    const t0 = performance.now();
    expect(d.create(Atomics).writeTrylock(mem, AT)).toBe(true); // the real Atomics.wait: ~1 ms
    expect(performance.now() - t0).toBeGreaterThanOrEqual(0.5);
  });
  it.each(CORRECT)('$name: writers never call atomics.wait', (d) => {
    expect(writerWaits(d)).toEqual([]);
  });
});

describe('busted-forgotten-unlock', () => {
  const freeAfter = (d: LockDesign, pairs: number) => {
    const mem = memory(d);
    const ops = d.create(Atomics);
    for (let i = 0; i < pairs; i++) {
      ops.readLock(mem, AT);
      ops.readUnlock(mem, AT);
    }
    return other(d).writeTrylock(mem, AT);
  };
  const d = busted('busted-forgotten-unlock');
  it(`is fine for ${FORGET_EVERY - 1} read sections, then stays read-held`, () => {
    expect(freeAfter(d, FORGET_EVERY - 1)).toBe(true);
    expect(freeAfter(d, FORGET_EVERY)).toBe(false);
  });
  it.each(CORRECT)(`$name: free after ${FORGET_EVERY} read sections`, (c) => {
    expect(freeAfter(c, FORGET_EVERY)).toBe(true);
  });
});

describe('busted-read-unlock-clobbers', () => {
  const writeAfterOneOfTwoLeaves = (d: LockDesign) => {
    const mem = memory(d);
    const a = other(d);
    const b = other(d);
    a.readLock(mem, AT);
    b.readLock(mem, AT);
    a.readUnlock(mem, AT); // b still holds
    return other(d).writeTrylock(mem, AT);
  };
  it("one reader's unlock wipes the other's count: a writer gets in", () => {
    expect(writeAfterOneOfTwoLeaves(busted('busted-read-unlock-clobbers'))).toBe(true);
  });
  it.each(CORRECT)('$name: the writer stays out', (d) => {
    expect(writeAfterOneOfTwoLeaves(d)).toBe(false);
  });
});

describe('busted-writer-unlock-clobbers-readers', () => {
  /** A writer holds; it unlocks right after the reader's first op; then the reader leaves. */
  const unlockUnderAReader = (d: LockDesign) => {
    const mem = memory(d);
    const writer = other(d);
    expect(writer.writeTrylock(mem, AT)).toBe(true);
    const p = probe((_op, n) => {
      if (n === 2) writer.writeUnlock(mem, AT);
    });
    const reader = d.create(p.atomics);
    let readerIn = true;
    try {
      reader.readLock(mem, AT);
      reader.readUnlock(mem, AT);
    } catch (err) {
      if (!(err instanceof Spins)) throw err;
      readerIn = false;
    }
    return { readerIn, freeAfter: other(d).writeTrylock(mem, AT), word: mem[AT] };
  };
  it("writeUnlock wipes a backing-off reader's +1: the word ends at -1, locked for good", () => {
    expect(unlockUnderAReader(busted('busted-writer-unlock-clobbers-readers'))).toEqual({
      readerIn: false,
      freeAfter: false,
      word: -1,
    });
  });
  it.each(CORRECT)('$name: the reader gets in after the writer, and the lock ends free', (d) => {
    expect(unlockUnderAReader(d)).toMatchObject({ readerIn: true, freeAfter: true });
  });
});

describe('busted-reader-naps', () => {
  const readerWaitsForWriter = (d: LockDesign) => {
    const mem = memory(d);
    expect(other(d).writeTrylock(mem, AT)).toBe(true);
    const p = probe(undefined, 100);
    expect(() => d.create(p.atomics).readLock(mem, AT)).toThrow(Spins); // the writer never leaves here
    return p.waits.length;
  };
  it('a reader that finds a writer calls atomics.wait', () => {
    expect(readerWaitsForWriter(busted('busted-reader-naps'))).toBeGreaterThan(0);
  });
  it.each(CORRECT)('$name: the reader spins, never waits', (d) => {
    expect(readerWaitsForWriter(d)).toBe(0);
  });
});

describe('busted-reader-waits-readers', () => {
  /** A reader holds; a second readLock must get in at once (readers are blocked only by writers). */
  const readWhileReading = (d: LockDesign) => {
    const mem = memory(d);
    other(d).readLock(mem, AT);
    const p = probe(undefined, 100);
    d.create(p.atomics).readLock(mem, AT);
    return p.calls.length;
  };
  it('a second reader spins while the first holds', () => {
    expect(() => readWhileReading(busted('busted-reader-waits-readers'))).toThrow(Spins);
  });
  it.each(CORRECT)('$name: the second reader gets in within a few operations', (d) => {
    expect(readWhileReading(d)).toBeLessThan(10);
  });
});

describe('busted-impatient-trylock', () => {
  /** A reader holds throughout: the trylock must fail without waiting for it. */
  const trylockWithReader = (d: LockDesign) => {
    const mem = memory(d);
    other(d).readLock(mem, AT);
    const p = probe(undefined, 1e6);
    return { ok: d.create(p.atomics).writeTrylock(mem, AT), ops: p.calls.length };
  };
  it(`spins ${PATIENCE_SPINS} times for the reader, then gives up: it returns, but it waited`, () => {
    const r = trylockWithReader(busted('busted-impatient-trylock'));
    expect(r.ok).toBe(false);
    expect(r.ops).toBe(PATIENCE_SPINS);
  });
  it.each(CORRECT)('$name: writeTrylock fails at once', (d) => {
    expect(trylockWithReader(d).ops).toBeLessThan(10);
  });
});
