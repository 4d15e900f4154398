import { describe, expect, it, vi } from 'vitest';
import { exploreExhaustive } from '../src/explorer/exhaustive.js';
import { loadExplorerLock } from '../src/explorer/index.js';
import { Run } from '../src/explorer/sim.js';
import { stateKey } from '../src/explorer/state-key.js';
import { WeakMemory } from '../src/explorer/wmm/memory.js';
import type { LockDesign } from '../src/locks/contract.js';
import type { MemoryModel } from '../src/explorer/types.js';
import { CATALOG } from '../src/locks/catalog.js';
import { ROOT } from './helpers.js';

// State caching keys the weak memory canonically (WeakMemory.canonical): it leaves out what no
// live thread can tell apart and renumbers what numbers the path; and it keys a C lock's call
// by the words its plain code read (LockDesign.plainReported). Sound means: two points of the
// execution tree with one key have the same futures. The test
// enumerates every execution (brute force), keys every point of each, and for every key that
// more than one point has, compares the points' sets of futures: every continuation (which
// thread steps, which message each load reads) with how it ends (rule, words, calls done).

interface Execution {
  schedule: number[];
  choices: number[];
}

/** Every execution of the client, by brute force. */
async function everyExecution(design: LockDesign, programs: string[], memory: MemoryModel): Promise<Execution[]> {
  const out: Execution[] = [];
  const r = await exploreExhaustive(design, programs, {
    memory,
    budgetMs: 60_000,
    reduce: false,
    keepGoing: true,
    onRun: (run) => out.push({ schedule: [...run.schedule], choices: [...(run.weak?.choices ?? [])] }),
  });
  expect(r.status).not.toBe('incomplete');
  return out;
}

/** Each point's key (before its step) and the end, of one execution replayed. */
type KeyOf = (run: Run) => string;
const KEY: KeyOf = (run) => stateKey(run, true);

function keysAlong(design: LockDesign, programs: string[], memory: MemoryModel, e: Execution, key: KeyOf): { keys: string[]; end: string } {
  const run = new Run(design, programs, false, memory === 'sc' ? null : (_n, step) => e.choices[step] ?? 0);
  run.foldSpins = true;
  const keys: string[] = [];
  run.atPoint = (step) => void (keys[step] = key(run));
  run.run((_, step) => e.schedule[step]);
  return { keys, end: `${run.failure?.rule ?? 'ok'} ${[...run.mem].join(',')} ${run.threads.map((t) => t.callsDone).join(',')}` };
}

/** Keys that points with different futures share (none when the key is sound). */
async function unsoundKeys(design: LockDesign, programs: string[], memory: MemoryModel = 'weak', key = KEY): Promise<number> {
  const executions = await everyExecution(design, programs, memory);
  // point (a prefix of steps and read choices) -> its futures; key -> its points
  const futures = new Map<string, Set<string>>();
  const points = new Map<string, Set<string>>();
  for (const e of executions) {
    const { keys, end } = keysAlong(design, programs, memory, e, key);
    const step = (i: number) => `${e.schedule[i]}.${e.choices[i] ?? 0}`;
    for (let i = 0; i < keys.length; i++) {
      const point = e.schedule.slice(0, i).map((_, j) => step(j)).join(' ');
      const future = `${e.schedule.slice(i).map((_, j) => step(i + j)).join(' ')} | ${end}`;
      if (!futures.has(point)) futures.set(point, new Set());
      futures.get(point)!.add(future);
      if (!points.has(keys[i]!)) points.set(keys[i]!, new Set());
      points.get(keys[i]!)!.add(point);
    }
  }
  let bad = 0;
  for (const ps of points.values()) {
    const [first, ...rest] = [...ps].map((p) => [...futures.get(p)!].sort().join('\n'));
    if (rest.some((f) => f !== first)) bad++;
  }
  return bad;
}

const CASES: [string, string][] = [
  ['zspage-atomic-fixed', 'RW/W'],
  ['zspage-atomic-fixed', 'R/W/W'],
  ['zspage-two-word', 'RW/W'],
  ['examples/weak-memory/two-word-no-mb.c', 'RW/W'],
  ['examples/weak-memory/relaxed-write-unlock.c', 'WR/R'],
  ['examples/zspage-lock.c', 'R/W'],
];

const load = async (name: string) => (name.includes('/') ? await loadExplorerLock(name, ROOT, 'weak') : CATALOG[name]!.design);

describe('where a thread is in its program', () => {
  // a failed trylock ends its section in one call: R/WWW reaches "2 calls done" after two
  // failed sections and after one that took and left the lock, with one section or two to go
  it('zspage-atomic-fixed R/WWW --memory sc: points with one key have the same futures', async () => {
    expect(await unsoundKeys(CATALOG['zspage-atomic-fixed']!.design, ['R', 'WWW'], 'sc')).toBe(0);
  });

  it('fires on a key without the section a thread is in (calls done alone)', async () => {
    const withoutSection: KeyOf = (run) => {
      const sections = run.threads.map((t) => t.section);
      for (const t of run.threads) t.section = -1;
      const k = stateKey(run, true);
      run.threads.forEach((t, i) => (t.section = sections[i]!));
      return k;
    };
    expect(await unsoundKeys(CATALOG['zspage-atomic-fixed']!.design, ['R', 'WWW'], 'sc', withoutSection)).toBeGreaterThan(0);
  });
});

/**
 * A lock that claims its spin loop keeps nothing (LockAtomics.loop) but counts the rounds and
 * writes the count after it: the claim is false, and a key that trusts it is unsound.
 */
const COUNTING_ROUNDS: LockDesign = {
  name: 'counting-rounds',
  words: 2,
  callsIndependent: true,
  create(atomics) {
    const lock = (mem: Int32Array, at: number) => {
      let rounds = 0;
      atomics.loop?.('enter');
      while (atomics.compareExchange(mem, at, 0, 1, 'acquire', 'relaxed') !== 0) rounds++;
      atomics.loop?.('leave');
      atomics.store(mem, at + 1, rounds);
    };
    const unlock = (mem: Int32Array, at: number) => void atomics.store(mem, at, 0, 'release');
    return {
      init: (mem, at) => void atomics.store(mem, at, 0),
      readLock: (mem, at) => {
        lock(mem, at);
        unlock(mem, at);
      },
      readUnlock: () => {},
      writeTrylock: (mem, at) => {
        lock(mem, at);
        return true;
      },
      writeUnlock: unlock,
    };
  },
};

describe("a loop that keeps nothing (LockAtomics.loop): the thread past it as if it won at once", () => {
  for (const client of ['R/W', 'W/R']) {
    it(`zspage-spinlock ${client} --memory sc: points with one key have the same futures`, async () => {
      expect(await unsoundKeys(CATALOG['zspage-spinlock']!.design, client.split('/'), 'sc')).toBe(0);
    });
  }

  it('fires on a lock whose loop keeps a count of its rounds', async () => {
    expect(await unsoundKeys(COUNTING_ROUNDS, ['W', 'R'], 'sc')).toBeGreaterThan(0);
  });
});

describe('a C lock keyed by the words its plain code read', () => {
  for (const client of ['RW/W', 'W/R']) {
    it(`examples/zspage-lock.c ${client} --memory sc: points with one key have the same futures`, async () => {
      const design = await loadExplorerLock('examples/zspage-lock.c', ROOT, 'sc', true);
      expect(design.plainReported).toBe(true);
      expect(await unsoundKeys(design, client.split('/'), 'sc')).toBe(0);
    });
  }

  // test/fixtures/c/plain-input.c: a reader acts on a flag it read plainly, so its call is two states
  it('test/fixtures/c/plain-input.c W/R --memory sc: the same, with the words read in the key', async () => {
    const design = await loadExplorerLock('test/fixtures/c/plain-input.c', ROOT, 'sc', true);
    expect(await unsoundKeys(design, ['W', 'R'], 'sc')).toBe(0);
  });

  it('fires on a build that does not report its plain accesses taken for one that does (no words at all in the key)', async () => {
    const plain = await loadExplorerLock('test/fixtures/c/plain-input.c', ROOT, 'sc');
    expect(plain.plainReported).toBe(false);
    expect(await unsoundKeys({ ...plain, plainReported: true }, ['W', 'R'], 'sc')).toBeGreaterThan(0);
  });
});

describe('the weak memory as state caching keys it', () => {
  for (const [name, client] of CASES) {
    it(`${name} ${client}: points with one key have the same futures`, async () => {
      expect(await unsoundKeys(await load(name), client.split('/'))).toBe(0);
    });
  }

  // a key too coarse merges points whose futures differ: here, where a thread's view decides what it may read
  const coarser: [string, (text: string) => string, string][] = [
    ['the views', (t) => t.replace(/@[^;]*;/g, ';').replace(/^[^\n]*/, ''), 'R/W/W'],
    ['everything', () => '', 'RW/W'],
  ];
  for (const [what, coarsen, client] of coarser) {
    it(`fires on a key that leaves out ${what}`, async () => {
      const canonical = WeakMemory.prototype.canonical;
      const spy = vi.spyOn(WeakMemory.prototype, 'canonical').mockImplementation(function (this: WeakMemory, valued, live, plainKeyed, unloaded) {
        return coarsen(canonical.call(this, valued, live, plainKeyed, unloaded));
      });
      try {
        expect(await unsoundKeys(await load('zspage-atomic-fixed'), client.split('/'))).toBeGreaterThan(0);
      } finally {
        spy.mockRestore();
      }
    });
  }
});
