// Locks written in C: compiled in-process, run on the arena, judged by the same checks as
// JS locks. The examples/ files are docs/WRITING-A-LOCK.md's; test/fixtures/c holds more broken ones.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createArena } from '../src/arena/arena.js';
import { resolveRunConfig } from '../src/coordinator/config.js';
import { runStress } from '../src/coordinator/run.js';
import { explore, replay } from '../src/explorer/index.js';
import { compileCLock } from '../src/locks/c/compile.js';
import { loadCLock } from '../src/locks/c/load.js';
import type { LockAtomics, LockDesign, MemoryOrder } from '../src/locks/contract.js';
import { cli, ROOT, smallPool } from './helpers.js';
import { ZSP } from '../src/arena/layout.js';
import { boundedLockCheck } from '../src/invariants/audit.js';
import { BoundedAtomics } from '../src/atomics/bounded.js';
import { zspAt } from '../src/model/zs.js';

const file = (rel: string) => join(ROOT, rel);
const load = (rel: string) => loadCLock(pathToFileURL(file(rel)).href);
const tmp = mkdtempSync(join(tmpdir(), 'zss-c-'));

/** A C file of `body` plus the ops line, written to the temporary folder. */
function cFile(name: string, body: string): string {
  const path = join(tmp, name);
  writeFileSync(path, `${body}\nZSPAGE_LOCK_OPS(lk_init, lk_read_lock, lk_read_unlock, lk_write_trylock, lk_write_unlock);\n`);
  return pathToFileURL(path).href;
}

let good: LockDesign;
beforeAll(async () => {
  good = await load('examples/zspage-lock.c');
}, 180_000);

describe('compiling', () => {
  it('the example compiles to a design of its struct zspage size, and comes from the cache the second time', async () => {
    expect(good.words).toBe(2);
    expect(good.name).toBe('zspage-lock.c');
    expect(good.plainAccess).toBe(true);
    const again = await compileCLock(file('examples/zspage-lock.c'));
    expect(again.cached).toBe(true);
    expect(again.hash).toBe(good.source!.hash);
    expect(again.source).toBe(readFileSync(file('examples/zspage-lock.c'), 'utf8'));
  });

  it('a syntax error is one line, file:line:col: message', async () => {
    const err = await compileCLock(file('test/fixtures/c/syntax-error.c'), 'syntax-error.c').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('BadInputError');
    expect((err as Error).message).toMatch(/^syntax-error\.c:3:\d+: expected ';' after expression$/);
  });

  it('the contract: a missing ZSPAGE_LOCK_OPS line, static data, a struct over 64 bytes', async () => {
    const noOps = join(tmp, 'no-ops.c');
    writeFileSync(noOps, 'struct zspage { int x; };\nvoid f(struct zspage *z) { z->x = 0; }\n');
    await expect(loadCLock(pathToFileURL(noOps).href)).rejects.toThrow(/no ZSPAGE_LOCK_OPS/);
    const common = `
static void lk_init(struct zspage *z) { z->w[0] = 0; }
static void lk_read_lock(struct zspage *z) { (void)z; }
static void lk_read_unlock(struct zspage *z) { (void)z; }
static bool lk_write_trylock(struct zspage *z) { return z->w[0] == 0; }
static void lk_write_unlock(struct zspage *z) { (void)z; }`;
    await expect(loadCLock(cFile('big.c', `struct zspage { int w[17]; };${common}`))).rejects.toThrow(/struct zspage must fit in 64 bytes/);
    const counted = common.replace('z->w[0] = 0;', 'z->w[0] = inits[0]++;');
    await expect(loadCLock(cFile('data.c', `struct zspage { int w[1]; };\nint inits[300] = { 3 };${counted}`))).rejects.toThrow(
      /has 12\d\d bytes of static data; at most 960/,
    );
  }, 120_000);
});

/** Records every kernel call a C lock makes, on the real Atomics. */
function recorder(): { atomics: LockAtomics; calls: string[]; preempt: () => number; warnings: string[] } {
  const calls: string[] = [];
  const warnings: string[] = [];
  let preempt = 0;
  const rec =
    (name: string, arity: number) =>
    (...args: unknown[]) => {
      const order = args[arity] as MemoryOrder | undefined;
      calls.push(`${name}${order ? `:${order}` : ''}`);
      return (Atomics as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args.slice(0, arity));
    };
  const atomics: LockAtomics = {
    load: rec('load', 2) as LockAtomics['load'],
    store: rec('store', 3) as LockAtomics['store'],
    add: rec('add', 3) as LockAtomics['add'],
    sub: rec('sub', 3) as LockAtomics['sub'],
    and: rec('and', 3) as LockAtomics['and'],
    or: rec('or', 3) as LockAtomics['or'],
    xor: rec('xor', 3) as LockAtomics['xor'],
    exchange: rec('exchange', 3) as LockAtomics['exchange'],
    compareExchange: rec('compareExchange', 4) as LockAtomics['compareExchange'],
    wait: (m, i, v) => {
      calls.push(`wait:${Atomics.load(m, i) === v ? 'sleeps' : 'check'}:${preempt}`);
      return 'timed-out';
    },
    notify: rec('notify', 3) as LockAtomics['notify'],
    fence: (o) => void calls.push(`fence:${o}`),
    relax: () => void calls.push('relax'),
    preempt: (d) => (preempt += d),
    warn: (m) => void warnings.push(m),
  };
  return { atomics, calls, preempt: () => preempt, warnings };
}

describe('the kernel shim', () => {
  it('maps each primitive to an atomic op with its LKMM ordering; try_cmpxchg updates *old on failure', async () => {
    const d = await loadCLock(
      cFile(
        'shim.c',
        `#include <linux/atomic.h>
#include <linux/preempt.h>
#include <linux/delay.h>
#include <linux/bug.h>
struct zspage { atomic_t v; int out; };
static void lk_init(struct zspage *z) { atomic_set(&z->v, 5); }
static void lk_read_lock(struct zspage *z) {
	int old = 4;
	bool ok = atomic_try_cmpxchg_acquire(&z->v, &old, 9); /* fails: v is 5 */
	z->out = ok ? -1 : old;                                  /* 5 */
	atomic_inc(&z->v);                                       /* 6 */
	z->out += atomic_add_return(10, &z->v);                  /* 5 + 16 */
	z->out += atomic_read_acquire(&z->v) - READ_ONCE(z->v.counter); /* + 0 */
	smp_mb();
}
static void lk_read_unlock(struct zspage *z) {
	preempt_disable();
	might_sleep();
	preempt_enable();
	WARN_ON_ONCE(atomic_dec_return_release(&z->v) == 15);
	WARN_ON_ONCE(atomic_read(&z->v) == 15);
}
static bool lk_write_trylock(struct zspage *z) { return atomic_cmpxchg(&z->v, 15, -1) == 15; }
static void lk_write_unlock(struct zspage *z) { atomic_set_release(&z->v, 0); }`,
      ),
    );
    const r = recorder();
    const ops = d.create(r.atomics);
    const mem = new Int32Array(8);
    ops.init(mem, 3);
    expect(r.calls).toEqual(['store:relaxed']);
    r.calls.length = 0;
    ops.readLock(mem, 3);
    expect(r.calls).toEqual(['compareExchange:acquire', 'add:relaxed', 'add:seq_cst', 'load:acquire', 'load:relaxed', 'fence:seq_cst']);
    expect([mem[3], mem[4]]).toEqual([16, 21]);
    r.calls.length = 0;
    ops.readUnlock(mem, 3);
    expect(r.calls).toEqual(['wait:check:1', 'add:release', 'load:relaxed']);
    expect(r.preempt()).toBe(0);
    const shim = join(tmp, 'shim.c');
    expect(r.warnings).toEqual([`WARN_ON_ONCE at ${shim}:20`, `WARN_ON_ONCE at ${shim}:21`]);
    ops.readUnlock(mem, 3); // the same WARN_ON_ONCE lines again: reported once per ops table
    expect(r.warnings).toHaveLength(2);
    expect(ops.writeTrylock(mem, 3)).toBe(false); // v is 14
    mem[3] = 15;
    expect(ops.writeTrylock(mem, 3)).toBe(true);
    expect(mem[3]).toBe(-1);
  }, 120_000);

  it('spin_lock raises preempt_count until spin_unlock; the example holds it across the write section', () => {
    const r = recorder();
    const ops = good.create(r.atomics);
    const mem = new Int32Array(4);
    ops.init(mem, 1);
    expect(ops.writeTrylock(mem, 1)).toBe(true);
    expect(r.preempt()).toBe(1);
    expect([mem[1], mem[2]]).toEqual([1, -1]);
    ops.writeUnlock(mem, 1);
    expect(r.preempt()).toBe(0);
    expect(r.warnings).toEqual([]);
    ops.readLock(mem, 1);
    expect(ops.writeTrylock(mem, 1)).toBe(false);
    expect(r.preempt()).toBe(0);
  });

  it('on the arena the struct is the arena words themselves, and each thread gets its own stack', () => {
    const arena = createArena({ pageSize: 4096, pages: 16, chainSize: 4, classCount: 4, lockWords: 2, handles: 16, workers: 2 });
    const at = arena.layout.zspages + arena.layout.lockAt;
    const ops = good.create(Atomics as unknown as LockAtomics);
    ops.init(arena.mem, at);
    ops.readLock(arena.mem, at);
    ops.readLock(arena.mem, at);
    expect([arena.mem[at], arena.mem[at + 1]]).toEqual([0, 2]);
    arena.mem[at + 1] = 0; // a plain store on the arena is what the C code reads
    expect(ops.writeTrylock(arena.mem, at)).toBe(true);
    expect(arena.mem[at + 1]).toBe(-1);
    expect(Atomics.load(arena.mem, 8)).toBe(1); // one stack handed out: this thread's
  });
});

describe('audits of a C lock', () => {
  it("a WARN that fires while the audit takes an idle lock is the audit's problem", async () => {
    const body = readFileSync(file('examples/zspage-lock.c'), 'utf8')
      .replace('WARN_ON(zsl->cnt != PAGE_WRITE_LOCKED);', 'WARN_ON(zsl->cnt == PAGE_WRITE_LOCKED); /* wrong way round */')
      .replace(/ZSPAGE_LOCK_OPS\(.*\);\n/, '');
    const d = await loadCLock(
      cFile('audit-warn.c', body.replace(/page_(lock_init|read_lock|read_unlock|write_trylock|write_unlock)\b/g, (_, op: string) => `lk_${op === 'lock_init' ? 'init' : op}`)),
    );
    const { zs } = smallPool(d);
    const atomics = new BoundedAtomics(10_000);
    const check = boundedLockCheck({ ...zs, lock: d.create(atomics) }, atomics);
    let z = 0;
    while (zs.mem[zspAt(zs, z, ZSP.CLASS)]! < 0) z++;
    expect(check(z)).toMatch(/^WARN_ON at .*audit-warn\.c:\d+ fired while the audit took the idle lock/);
    const good = boundedLockCheck({ ...zs, lock: (await load('examples/zspage-lock.c')).create(atomics) }, atomics);
    expect(good(z)).toBeNull();
  }, 120_000);
});

describe('the explorer on C', () => {
  it('passes the example, and replays a broken lock exactly', async () => {
    const ok = await explore(good, { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 1500, seed: 3 });
    expect(ok.failure).toBeNull();
    const broken = await load('examples/broken-unlock.c');
    const ex = await explore(broken, { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 5000, seed: 3 });
    expect(['not-released', 'exclusion', 'livelock']).toContain(ex.failure?.rule);
    const again = await replay(broken, ex.failure!.schedule);
    expect(again.failure?.rule).toBe(ex.failure!.rule);
    expect(again.failure?.message).toBe(ex.failure!.message);
    expect(again.trace).toEqual(ex.failure!.trace);
  }, 120_000);

  it('a sleep under a held spinlock, a WARN that fires, a trylock that waits by dropping and retaking its spinlock', async () => {
    const opts = { threads: 3, ops: 4, strategy: 'random' as const, depth: 2, iterations: 2000, seed: 5 };
    expect((await explore(await load('test/fixtures/c/waiting-trylock.c'), opts)).failure?.rule).toBe('trylock-waited');
    expect((await explore(await load('test/fixtures/c/writer-sleeps.c'), opts)).failure?.rule).toBe('sleeps');
    const w = (await explore(await load('test/fixtures/c/warns.c'), opts)).failure;
    expect(w?.rule).toBe('warn');
    expect(w?.message).toMatch(/WARN_ON_ONCE at test\/fixtures\/c\/warns\.c:43$/);
  }, 120_000);
});

// Plain stores are real: re-running a thread's history must not repeat them. A JS design that
// increments its count with a plain store under a spinlock is correct; without the explorer's
// snapshots its re-executed increments would add up and fail the run.
describe('re-execution over plain stores', () => {
  const plainCount = (plainAccess: boolean): LockDesign => ({
    name: 'plain-count',
    words: 2,
    plainAccess,
    create(a) {
      const lock = (m: Int32Array, at: number) => {
        while (a.compareExchange(m, at, 0, 1) !== 0) a.relax?.();
      };
      const unlock = (m: Int32Array, at: number) => void a.store(m, at, 0);
      return {
        init(m, at) {
          a.store(m, at, 0);
          a.store(m, at + 1, 0);
        },
        readLock(m, at) {
          for (;;) {
            lock(m, at);
            const free = m[at + 1]! >= 0;
            if (free) m[at + 1]!++;
            unlock(m, at);
            if (free) return;
            a.relax?.();
          }
        },
        readUnlock(m, at) {
          lock(m, at);
          m[at + 1]!--;
          unlock(m, at);
        },
        writeTrylock(m, at) {
          lock(m, at);
          const ok = m[at + 1] === 0;
          if (ok) m[at + 1] = -1;
          unlock(m, at);
          return ok;
        },
        writeUnlock(m, at) {
          lock(m, at);
          m[at + 1] = 0;
          unlock(m, at);
        },
      };
    },
  });
  const opts = { threads: 3, ops: 4, strategy: 'random' as const, depth: 2, iterations: 1000, seed: 2 };

  it('with snapshots the correct design passes', async () => {
    expect((await explore(plainCount(true), opts)).failure).toBeNull();
  });

  it('without them it would fail (so the snapshots are what makes it pass)', async () => {
    const f = (await explore(plainCount(false), opts)).failure;
    // the re-executed increments pile up: the count ends far from 0
    expect(f?.rule).toBe('not-released');
    expect(f?.message).toMatch(/words \[0,([2-9]|\d\d+)\]/);
  });
});

describe('stress runs', () => {
  const stress = async (rel: string, duration: number, scenario = 'selftest') => {
    const out = mkdtempSync(join(tmpdir(), 'zss-c-run-'));
    const cfg = resolveRunConfig({ scenario, lock: file(rel), seed: 11, duration, out });
    const { summary } = await runStress(cfg, () => {});
    return { summary, out };
  };

  it('the example passes, and its results keep the source and its hash', async () => {
    const { summary, out } = await stress('examples/zspage-lock.c', 3);
    expect(summary.violations).toEqual([]);
    expect(summary.verdict).toBe('pass');
    expect(summary.lock.source?.file).toBe('zspage-lock.c');
    expect(readFileSync(join(out, 'zspage-lock.c'), 'utf8')).toBe(readFileSync(file('examples/zspage-lock.c'), 'utf8'));
  }, 120_000);

  // The lost update needs two threads in the unlock at once: readers that never sleep, on one object.
  const HOT = file('test/fixtures/c/hot-readers.json');
  it.each([
    ['test/fixtures/c/waiting-trylock.c', ['writer-waited'], 'selftest'],
    ['test/fixtures/c/writer-sleeps.c', ['slept-in-atomic'], 'selftest'],
    ['examples/broken-unlock.c', ['exclusion', 'integrity', 'stall', 'trylock-failed-free', 'audit'], HOT],
    ['test/fixtures/c/warns.c', ['warn'], 'selftest'],
  ])('%s fails with %j', async (rel, kinds, scenario) => {
    const { summary } = await stress(rel, 30, scenario);
    expect(summary.violationCount).toBeGreaterThan(0);
    expect(kinds).toContain(summary.violations[0]!.kind);
  }, 120_000);
});

describe('the CLI on C locks', () => {
  it('selftest --locks takes a C file, which passes', () => {
    // long enough to show evidence (sleeping reads, trylocks, moves) on a loaded machine
    const r = cli(['selftest', '--locks', 'examples/zspage-lock.c', '--duration', '8', '--explore-iterations', '500']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/examples\/zspage-lock\.c +pass +ok: pass .* ok: pass \(500 it\)/);
  }, 120_000);

  it('explore prints a schedule that --replay reproduces exactly', () => {
    const lock = ['--lock', 'examples/broken-unlock.c'];
    const first = cli(['explore', ...lock, '--iterations', '2000', '--seed', '4'], { out: false });
    expect(first.code).toBe(1);
    const schedule = /--replay '([^']+)'/.exec(first.stdout + first.stderr)?.[1];
    expect(schedule).toBeDefined();
    const again = cli(['explore', ...lock, '--replay', schedule!], { out: false });
    expect(again.code).toBe(1);
    const verdict = (s: string) => s.split('\n').find((l) => /FAIL (not-released|exclusion|livelock)/.test(l))?.replace(/ at iteration \d+/, '');
    expect(verdict(again.stdout + again.stderr)).toBeDefined();
    expect(verdict(again.stdout + again.stderr)).toBe(verdict(first.stdout + first.stderr));
  }, 120_000);
});
