// Every place that calls lock code gives each operation the context its kernel callers give
// it (src/locks/calling-context.ts): role workers, the explorer, the audit, the probe. A lock
// that asserts its documented context passes; one that asserts a context the kernel does not
// give (lock_zspage() takes the read lock preemptible) fails, naming that caller.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, loadExplorerLock } from '../src/explorer/index.js';
import { boundedLockCheck } from '../src/invariants/audit.js';
import { callAs, LOCK_CALLERS, withPreemptCount } from '../src/locks/calling-context.js';
import { LOCK_OP_NAMES, type LockDesign } from '../src/locks/contract.js';
import { probeLockModule } from '../src/locks/probe.js';
import { RAW_ATOMICS } from '../src/invariants/global-atomics.js';
import { ZSP } from '../src/arena/layout.js';
import { zspAt } from '../src/model/zs.js';
import { cli, ROOT, smallPool } from './helpers.js';

const FIXTURES = join(ROOT, 'test/fixtures');
const ASSERTING = join(FIXTURES, 'context-asserting-lock.mjs');
const asserting = (): Promise<LockDesign> => loadExplorerLock(ASSERTING);

describe('the written calling context', () => {
  it('names a kernel caller for every lock operation, and both contexts of the read lock', () => {
    for (const op of LOCK_OP_NAMES) expect(LOCK_CALLERS[op].length).toBeGreaterThan(0);
    expect(LOCK_CALLERS.readLock.map((c) => [c.fn, c.preemptCount])).toEqual([
      ['zs_obj_read_begin', 1],
      ['lock_zspage', 0],
    ]);
    expect(LOCK_CALLERS.writeTrylock.every((c) => c.preemptCount === 2)).toBe(true);
  });

  it("the fixture's assertion fires when an operation is called outside its context", async () => {
    const design = await asserting();
    const cpu = { preemptCount: 0 };
    const ops = design.create(withPreemptCount(RAW_ATOMICS, cpu));
    const mem = new Int32Array(new SharedArrayBuffer(8));
    expect(() => ops.writeTrylock(mem, 0)).toThrow(/writeTrylock called with preempt_count 0/);
    expect(callAs(cpu, 'writeTrylock', () => ops.writeTrylock(mem, 0))).toBe(true);
    expect(cpu.preemptCount).toBe(0);
  });
});

describe('each caller gives the written context', () => {
  it('the probe', async () => {
    await expect(probeLockModule(ASSERTING)).resolves.toBeUndefined();
  });

  it('the audit (in this thread and in its worker: one function)', async () => {
    const { zs, atomics } = smallPool(await asserting());
    const check = boundedLockCheck(zs, atomics);
    let checked = 0;
    for (let z = 0; z < zs.L.maxZspages; z++) {
      if (zs.mem[zspAt(zs, z, ZSP.CLASS)]! < 0) continue;
      expect(check(z)).toBeNull();
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    expect(zs.cpu.preemptCount).toBe(0);
  });

  it('the explorer, SC and weak, with every thread and both read-lock callers', async () => {
    const design = await asserting();
    for (const memory of ['sc', 'weak'] as const) {
      const r = await explore(design, { threads: 3, ops: 4, strategy: 'random', depth: 2, iterations: 300, seed: 1, memory });
      expect(r.failure).toBeNull();
    }
  });

  it('the role workers (every role, setup included)', () => {
    const r = cli(['run', '--scenario', 'selftest', '--lock', ASSERTING, '--duration', '3', '--seed', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.summary().violationCount).toBe(0);
  });
});

describe('the seed and locks that assert their context', () => {
  const C = join(FIXTURES, 'c');

  it('the explorer traces the caller a call models', async () => {
    const design = await loadExplorerLock(join(C, 'asserts-atomic-reader.c'));
    const r = await explore(design, { threads: 2, ops: 4, strategy: 'random', depth: 2, iterations: 2000, seed: 1 });
    expect(r.failure?.rule).toBe('warn');
    expect(r.failure?.message).toMatch(/readLock from lock_zspage, preemptible: WARN_ON_ONCE at .*asserts-atomic-reader\.c:23$/);
    expect(r.failure?.trace.some((s) => s.caller === 'lock_zspage, preemptible')).toBe(true);
  });

  it('a read lock asserting atomic context fails a stress run, naming lock_zspage', () => {
    const r = cli(['run', '--scenario', 'selftest', '--lock', join(C, 'asserts-atomic-reader.c'), '--duration', '20', '--seed', '1']);
    expect(r.code).toBe(1);
    const warns = (r.summary().violations as { kind: string; message: string }[]).filter((v) => v.kind === 'warn');
    expect(warns[0]?.message).toMatch(/in zspage_read_lock called from lock_zspage \(preempt_count 0\)/);
  });

  it("the seed's v5 with its loop corrected, WARN_ON_ONCE(preemptible()) kept, passes check", () => {
    const r = cli(['check', '--lock', join(C, 'seed-v5-loop-fixed.c'), '--budget', '6', '--seed', '1'], { out: false });
    expect(r.stdout).toMatch(/PASS/);
    expect(r.code).toBe(0);
  });

  it('so does a lock asserting !preemptible() in its write trylock and write unlock', () => {
    const r = cli(['check', '--lock', join(C, 'asserts-atomic-writer.c'), '--budget', '6', '--seed', '1'], { out: false });
    expect(r.code).toBe(0);
  });

  it("the seed's v5 as posted still fails, first with exclusion", () => {
    const r = cli(['check', '--lock', join(C, 'seed-v5-posted.c'), '--budget', '6', '--seed', '1', '--fail-fast'], { out: false });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL exclusion in explore/);
  });
});
