// Locks built the kernel's ways from the shim's whole lock-building API: idiomatic correct
// ones pass, idiomatic broken ones fail where they should; 64-bit atomics are one operation
// to every checker; static data is shared; a sleep names the kernel call that slept.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createArena } from '../src/arena/arena.js';
import { explore, replay, type ExploreOptions } from '../src/explorer/index.js';
import { Run } from '../src/explorer/sim.js';
import { WeakRun } from '../src/explorer/wmm/weak-run.js';
import { ProbeAtomics } from '../src/invariants/probe-atomics.js';
import { newCpu } from '../src/model/kernel-locks.js';
import { compileCLock } from '../src/locks/c/compile.js';
import { cLockDesign } from '../src/locks/c/design.js';
import type { LockAtomics, LockDesign, MemoryOrder, ResultUse } from '../src/locks/contract.js';
import { cli, ROOT } from './helpers.js';

const SMALL: ExploreOptions = { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 2000, seed: 1 };
const tmp = mkdtempSync(join(tmpdir(), 'zss-api-'));
/** As explore --memory weak builds it: plain accesses instrumented. */
const weakLock = async (rel: string) => cLockDesign(await compileCLock(join(ROOT, rel), rel, { plainAccesses: true }));

async function cLock(name: string, text: string): Promise<LockDesign> {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return cLockDesign(await compileCLock(path, name));
}

describe('idiomatic kernel locks', { timeout: 300_000 }, () => {
  for (const rel of ['examples/inc-unless-negative.c', 'examples/bit-lock.c', 'examples/atomic64-lock.c']) {
    it(`${rel} passes explore, SC and weak (random and pct)`, async () => {
      const design = await weakLock(rel);
      expect((await explore(design, SMALL)).failure).toBeNull();
      for (const strategy of ['random', 'pct'] as const) {
        const r = await explore(design, { ...SMALL, strategy, iterations: 1000, memory: 'weak', staleDepth: 2 });
        expect(r.failure).toBeNull();
      }
    });
  }

  it.each(['examples/inc-unless-negative.c', 'examples/bit-lock.c'])('%s passes check', (rel) => {
    const r = cli(['check', '--lock', rel, '--budget', '3']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // 3 s leave its exhaustive part too little time to prove: a pass, not verified
    expect(r.stderr + r.stdout).toMatch(/PASS \(not verified: budget\): no violation/);
  });

  it('a reader that ignores what atomic_add_unless(&lock, 1, -1) returned fails check with exclusion', () => {
    const r = cli(['check', '--lock', 'examples/broken-add-unless.c', '--budget', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toMatch(/FAIL exclusion/);
  });

  const WEAK_BUGS: Record<string, string[]> = {
    'examples/weak-memory/bit-lock-no-mb.c': ['exclusion', 'data-race'],
    'examples/weak-memory/atomic64-relaxed-unlock.c': ['data-race'],
  };
  for (const [rel, rules] of Object.entries(WEAK_BUGS)) {
    it(`${rel}: passes --memory sc, fails --memory weak with ${rules.join(' or ')}, and replays`, async () => {
      const design = await weakLock(rel);
      expect((await explore(design, SMALL)).failure).toBeNull();
      for (const strategy of ['random', 'pct'] as const) {
        const r = await explore(design, { ...SMALL, strategy, iterations: 5000, memory: 'weak', staleDepth: 2 });
        expect(rules).toContain(r.failure?.rule);
        const again = await replay(design, r.failure!.schedule, 'weak');
        expect(again.failure).toMatchObject({ rule: r.failure!.rule, message: r.failure!.message });
      }
    });
  }
});

describe('64-bit atomics are one operation', () => {
  it('the explorer takes a 64-bit op as one step on both words', async () => {
    const run = new Run(await weakLock('examples/atomic64-lock.c'), ['WR'], true);
    run.run((pool) => pool[0]);
    expect(run.failure).toBeNull();
    const ops = run.trace.map((s) => s.op).filter((o) => o !== null);
    expect(ops).toContain('compareExchange64');
    expect(ops.every((o) => o!.endsWith('64') || o === 'relax')).toBe(true);
    // a writer holds: the flag is in the high word, the step shows both words
    const taken = run.trace.find((s) => s.call === 'writeTrylock' && s.returned === true)!;
    expect(taken.words.slice(0, 2)).toEqual([0, 1]);
  });

  it('the weak model never tears a 64-bit value: an old read gets both halves of one store', () => {
    const mem = new Int32Array(4);
    let k = 0;
    const run = new WeakRun(mem, 0, 2, 2, () => k);
    run.perform(0, 'store64', 0, (1n << 32n) + 1n, 0n, 'relaxed', 'relaxed', false, 0, 'a');
    run.perform(0, 'store64', 0, (2n << 32n) + 2n, 0n, 'relaxed', 'relaxed', false, 1, 'b');
    expect([mem[0], mem[1]]).toEqual([2, 2]);
    // oldest first: a thread's reads of one location never go back in time
    const seen = [2, 1, 0].map((choice) => ((k = choice), run.perform(1, 'load64', 0, 0n, 0n, 'relaxed', 'relaxed', false, 4 - choice, 'r').result));
    expect(seen).toEqual([0n, (1n << 32n) + 1n, (2n << 32n) + 2n]);
    // an RMW carries the high word: 0x2_00000002 + 0xffffffff = 0x3_00000001
    const old = run.perform(1, 'add64', 0, 0xffffffffn, 0n, 'relaxed', 'relaxed', false, 9, 'add').result;
    expect(old).toBe((2n << 32n) + 2n);
    expect([mem[0], mem[1]]).toEqual([1, 3]);
  });

  it('on the arena, through the probe atomics: a carry crosses into the high word atomically', async () => {
    const design = await cLock(
      'carry.c',
      `struct zspage { atomic64_t v; };
static void lk_init(struct zspage *z) { atomic64_set(&z->v, 0xffffffffLL); }
static void lk_rl(struct zspage *z) { atomic64_inc(&z->v); }
static void lk_ru(struct zspage *z) { (void)z; }
static bool lk_wt(struct zspage *z) { return atomic64_read(&z->v) == 0x100000000LL; }
static void lk_wu(struct zspage *z) { (void)z; }
ZSPAGE_LOCK_OPS(lk_init, lk_rl, lk_ru, lk_wt, lk_wu);`,
    );
    const arena = createArena({ pages: 8, pageSize: 4096, classCount: 1, chainSize: 1, handles: 8, workers: 1, lockWords: design.words });
    const at = arena.layout.zspages + arena.layout.lockAt;
    expect((at * 4) % 8).toBe(0);
    const reports: string[] = [];
    const k = new ProbeAtomics(newCpu(), new Int32Array(64), { report: (kind, m) => reports.push(`${kind}: ${m}`) });
    const ops = design.create(k);
    ops.init(arena.mem, at);
    ops.readLock(arena.mem, at);
    expect([arena.mem[at], arena.mem[at + 1]]).toEqual([0, 1]);
    expect(ops.writeTrylock(arena.mem, at)).toBe(true);
    expect(reports).toEqual([]);
  });
});

describe('static data and sleeping calls', () => {
  it('static data lives in the arena, one copy for every instance (a kernel global)', async () => {
    const text = `static int inits;
struct zspage { int n; };
static void lk_init(struct zspage *z) { z->n = ++inits; }
static void lk_nop(struct zspage *z) { (void)z; }
static bool lk_wt(struct zspage *z) { (void)z; return true; }
ZSPAGE_LOCK_OPS(lk_init, lk_nop, lk_nop, lk_wt, lk_nop);`;
    const a = await cLock('inits.c', text);
    const b = await cLock('inits.c', text); // another module instance on the same arena
    const arena = createArena({ pages: 8, pageSize: 4096, classCount: 1, chainSize: 1, handles: 8, workers: 2, lockWords: 1 });
    const at = arena.layout.zspages + arena.layout.lockAt;
    a.create(Atomics as unknown as LockAtomics).init(arena.mem, at);
    b.create(Atomics as unknown as LockAtomics).init(arena.mem, at + 2);
    expect([arena.mem[at], arena.mem[at + 2]]).toEqual([1, 2]);
  });

  const sleeper = (call: string) => `#include <linux/spinlock.h>
#include <linux/delay.h>
struct zspage { spinlock_t l; int held; };
static void lk_init(struct zspage *z) { spin_lock_init(&z->l); z->held = 0; }
static void lk_nop(struct zspage *z) { (void)z; }
static bool lk_wt(struct zspage *z) { unsigned long flags; local_irq_save(flags); ${call}; local_irq_restore(flags); spin_lock(&z->l); z->held = 1; spin_unlock(&z->l); return true; }
ZSPAGE_LOCK_OPS(lk_init, lk_nop, lk_nop, lk_wt, lk_nop);`;

  it.each([
    ['msleep(1)', 'msleep'],
    ['usleep_range(10, 20)', 'usleep_range'],
    ['cond_resched()', 'cond_resched'],
    ['might_sleep()', 'might_sleep'],
  ])('slept-in-atomic names the kernel call: %s with interrupts off', async (call, name) => {
    const design = await cLock(`sleep-${name}.c`, sleeper(call));
    const cpu = newCpu();
    const reports: string[] = [];
    const k = new ProbeAtomics(cpu, new Int32Array(64), { report: (kind, m) => reports.push(`${kind}: ${m}`) });
    const mem = new Int32Array(new SharedArrayBuffer(64));
    const ops = design.create(k);
    ops.init(mem, 2);
    expect(ops.writeTrylock(mem, 2)).toBe(true);
    expect(reports).toEqual([`slept-in-atomic: the lock called ${name} with preempt_count ${0x10000000}`]);
    expect(cpu.preemptCount).toBe(0); // local_irq_restore and spin_unlock undid what they did
  });

  it('the explorer names it too', async () => {
    const r = await explore(await cLock('sleep-explore.c', sleeper('msleep(1)')), { ...SMALL, iterations: 10 });
    expect(r.failure?.rule).toBe('sleeps');
    expect(r.failure?.message).toMatch(/writeTrylock calls msleep/);
  });
});

describe('the rest of the lock-building API', () => {
  // Each op's results land in struct zspage; the test reads them back.
  const KIT = `#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bit_spinlock.h>
#include <linux/spinlock.h>
struct zspage {
	u64 wide;          /* words 0-1 */
	u8 b[4];           /* word 2 */
	u16 h[2];          /* word 3 */
	unsigned long bits; /* word 4 */
	rwlock_t rw;       /* word 5 */
	spinlock_t sl;     /* word 6 */
	int out[7];        /* words 7-13 */
};
static void lk_init(struct zspage *z)
{
	unsigned long flags;
	u64 old = 5;
	WRITE_ONCE(z->wide, 0x100000005ULL);
	WRITE_ONCE(z->b[1], 0xab);
	WRITE_ONCE(z->h[1], 0xbeef);
	z->out[0] = READ_ONCE(z->b[1]) + READ_ONCE(z->h[1]);
	z->out[1] = try_cmpxchg(&z->wide, &old, 7ULL);          /* fails: old becomes 0x100000005 */
	z->out[2] = (int)(xchg(&z->wide, old + 1) >> 32);       /* 1 */
	z->out[3] = smp_cond_load_acquire(&z->h[1], VAL == 0xbeef) == 0xbeef;
	set_bit(3, &z->bits);
	z->out[4] = test_and_set_bit(3, &z->bits) + 2 * test_and_clear_bit(3, &z->bits) + 4 * test_bit(3, &z->bits);
	bit_spin_lock(5, &z->bits);
	z->out[5] = bit_spin_is_locked(5, &z->bits) + 2 * bit_spin_trylock(5, &z->bits);
	bit_spin_unlock(5, &z->bits);
	rwlock_init(&z->rw);
	read_lock(&z->rw);
	read_lock_bh(&z->rw);
	z->out[6] = write_trylock(&z->rw) + 2 * preempt_count();
	read_unlock_bh(&z->rw);
	read_unlock(&z->rw);
	write_lock_irqsave(&z->rw, flags);
	z->out[6] += 16 * (irqs_disabled() + 2 * read_trylock(&z->rw));
	write_unlock_irqrestore(&z->rw, flags);
	spin_lock_init(&z->sl);
	spin_lock_bh(&z->sl);
	spin_unlock_bh(&z->sl);
}
static void lk_nop(struct zspage *z) { (void)z; }
static bool lk_wt(struct zspage *z) { (void)z; return true; }
ZSPAGE_LOCK_OPS(lk_init, lk_nop, lk_nop, lk_wt, lk_nop);`;

  it('ONCE accessors of 1, 2 and 8 bytes, xchg/try_cmpxchg on u64, cond loads, bit ops, bit spinlocks, rwlocks, bh and irq forms', async () => {
    const design = await cLock('kit.c', KIT);
    const reports: string[] = [];
    const cpu = newCpu();
    const k = new ProbeAtomics(cpu, new Int32Array(64), { report: (kind, m) => reports.push(`${kind}: ${m}`) });
    const mem = new Int32Array(new SharedArrayBuffer(64));
    design.create(k).init(mem, 0);
    expect(reports).toEqual([]);
    expect(cpu.preemptCount).toBe(0);
    expect([mem[0], mem[1]]).toEqual([6, 1]); // xchg wrote old + 1 = 0x100000006
    expect((mem[2]! >>> 8) & 0xff).toBe(0xab);
    expect(mem[3]! >>> 16).toBe(0xbeef);
    expect(mem[4]).toBe(0); // bit 3 cleared, bit 5 unlocked
    expect(mem[5]).toBe(0); // rwlock free
    expect([...mem.slice(7, 14)]).toEqual([
      0xab + 0xbeef,
      0, // try_cmpxchg failed
      1, // the high word of what xchg found
      1, // cond load saw 0xbeef
      1 + 2 * 1 + 4 * 0, // set: was set; clear: was set; then clear
      1 + 2 * 0, // locked, trylock fails
      0 + 2 * (2 + 0x200) + 16 * (1 + 0), // writer refused under readers; preempt 2 + bh; irqs off, reader refused
    ]);
  });
});

describe("the kernel's void RMWs", () => {
  it("tell the explorer their result is unused (ResultUse), with their ordering kept; a value-returning one does not", async () => {
    const design = await cLock('void-rmw.c', `#include <linux/atomic.h>
struct zspage { atomic_t n; };
static void lk_init(struct zspage *z) { atomic_set(&z->n, 0); }
static void lk_rl(struct zspage *z) { atomic_inc(&z->n); }
static void lk_ru(struct zspage *z) { (void)atomic_inc_return_acquire(&z->n); }
static bool lk_wt(struct zspage *z) { atomic_sub(2, &z->n); return true; }
static void lk_wu(struct zspage *z) { (void)z; }
ZSPAGE_LOCK_OPS(lk_init, lk_rl, lk_ru, lk_wt, lk_wu);`);
    const seen: string[] = [];
    const base = new ProbeAtomics(newCpu(), new Int32Array(64), { report: () => {} }) as unknown as LockAtomics;
    const k: LockAtomics = Object.assign(Object.create(base) as LockAtomics, {
      add: (m: Int32Array, i: number, v: number, o?: MemoryOrder, use?: ResultUse) => (seen.push(`add ${v} ${o} ${use}`), base.add(m, i, v, o)),
    });
    const mem = new Int32Array(new SharedArrayBuffer(64));
    const ops = design.create(k);
    ops.init(mem, 0);
    ops.readLock(mem, 0);
    ops.readUnlock(mem, 0);
    ops.writeTrylock(mem, 0);
    expect(seen).toEqual(['add 1 relaxed unused', 'add 1 acquire undefined', 'add -2 relaxed unused']);
    expect(mem[0]).toBe(0);
  });
});

