// Coverage of the lock protocol's states: each counter counts its state, and only it.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { PG, ZSP } from '../src/arena/layout.js';
import { coverageOf, mergeCoverage } from '../src/coordinator/coverage.js';
import { ShadowCore } from '../src/invariants/shadow-core.js';
import { ProbeAtomics } from '../src/invariants/probe-atomics.js';
import { ShadowHooks } from '../src/invariants/shadow.js';
import { asyncFreeZspages, zsFree, zsMalloc } from '../src/model/alloc.js';
import { newCpu } from '../src/model/kernel-locks.js';
import { COVERAGE_STATES, COVERAGE_WORDS, newCoverage } from '../src/model/coverage.js';
import { newMapping, zsObjWrite } from '../src/model/map.js';
import { handleToObj, objPfn, pageOwner, pgAt, zspAt, type Zs } from '../src/model/zs.js';
import { COUNTER } from '../src/roles/counters.js';
import { coverageRows } from '../src/report/coverage.js';
import { cli, smallPool } from './helpers.js';

const count = (cov: Float64Array) => Object.fromEntries(COVERAGE_STATES.map((s, i) => [s, cov[i]!]).filter(([, n]) => n !== 0));

function hooksFor(zs: Zs) {
  const cov = newCoverage();
  const sink = { report: () => {} };
  const probe = new ProbeAtomics(newCpu(), zs.mem, sink, cov);
  const hooks = new ShadowHooks(zs.mem, new ShadowCore(zs.memory, zs.L, 0), sink, probe, null, cov);
  return { cov, hooks, probe };
}

describe('protocol state counters', () => {
  it('a reader arriving at a write-held zspage, and the write section it waited for', () => {
    const { zs } = smallPool();
    const { cov, hooks } = hooksFor(zs);
    hooks.trylockBegin(5);
    hooks.trylockEnd(5, true);
    hooks.readBegin(5);
    hooks.writeReleasing(5);
    hooks.readAcquired(5);
    hooks.readReleasing(5);
    expect(count(cov)).toEqual({ readerSpunOnWriter: 1, writerOverlappedWaiter: 1 });
  });

  it('trylocks failing on readers and on a writer; readers sharing', () => {
    const { zs } = smallPool();
    const { cov, hooks } = hooksFor(zs);
    hooks.readBegin(5);
    hooks.readAcquired(5);
    hooks.readBegin(5);
    hooks.readAcquired(5);
    hooks.trylockBegin(5);
    hooks.trylockEnd(5, false);
    hooks.readReleasing(5);
    hooks.readReleasing(5);
    hooks.trylockBegin(6);
    hooks.trylockEnd(6, true);
    hooks.trylockBegin(6);
    hooks.trylockEnd(6, false);
    hooks.writeReleasing(6);
    hooks.trylockBegin(6); // nobody inside: a failure the shadow cannot explain counts nowhere
    hooks.trylockEnd(6, false);
    expect(count(cov)).toEqual({ readersShared: 1, trylockFailReaders: 1, trylockFailWriter: 1 });
  });

  it("a failed compareExchange is a reader's retry only inside readLock", () => {
    const { zs } = smallPool();
    const { cov, hooks, probe } = hooksFor(zs);
    const word = new Int32Array(new SharedArrayBuffer(4));
    probe.compareExchange(word, 0, 1, 2); // fails, outside readLock
    hooks.readBegin(5);
    probe.compareExchange(word, 0, 0, 1); // succeeds
    probe.compareExchange(word, 0, 0, 2); // fails
    hooks.readAcquired(5);
    probe.compareExchange(word, 0, 0, 2); // fails, outside again
    expect(count(cov)).toEqual({ readerCasRetry: 1 });
  });

  it('lock_zspage() meeting a page another thread holds locked', async () => {
    const { zs } = smallPool();
    expect(zsMalloc(zs, 599, 3000)).toBe(true);
    zsObjWrite(zs, 599, 0, newMapping());
    const z = pageOwner(zs, objPfn(zs, handleToObj(zs, 599)));
    const lock = pgAt(zs, zs.mem[zspAt(zs, z, ZSP.PAGES)]!, PG.LOCK);
    Atomics.store(zs.mem, lock, 1); // a migrator holds the page: the free is deferred
    for (let h = 0; h < 600; h++) if (handleToObj(zs, h) >= 0 && pageOwner(zs, objPfn(zs, handleToObj(zs, h))) === z) zsFree(zs, h);
    const unlocker = new Worker(
      `const { workerData: { sab, lock } } = require('node:worker_threads');
       const mem = new Int32Array(sab);
       Atomics.wait(mem, 0, mem[0], 50);
       Atomics.store(mem, lock, 0);
       Atomics.notify(mem, lock);`,
      { eval: true, workerData: { sab: zs.mem.buffer, lock } },
    );
    await new Promise((r) => unlocker.once('online', r));
    expect(asyncFreeZspages(zs)).toBe(1);
    await unlocker.terminate();
    expect(count(zs.coverage)).toEqual({ lockZspageMetLockedPage: 1 });
  });

  it('adds up over workers, keeps the earliest first hit, and merges runs', () => {
    const a = new Float64Array(COUNTER.COVERAGE + COVERAGE_WORDS);
    const b = new Float64Array(COUNTER.COVERAGE + COVERAGE_WORDS);
    const n = COVERAGE_STATES.length;
    a[COUNTER.COVERAGE + 0] = 3;
    a[COUNTER.COVERAGE + n + 0] = 1500;
    b[COUNTER.COVERAGE + 0] = 4;
    b[COUNTER.COVERAGE + n + 0] = 1200;
    a[COUNTER.STARTED_AT] = 1100;
    expect(coverageOf([a, b], 1000).allStartedMs).toBeNull(); // b never started
    b[COUNTER.STARTED_AT] = 1150;
    const c = coverageOf([a, b], 1000);
    expect(c.allStartedMs).toBe(150);
    expect(c.counts.readerSpunOnWriter).toBe(7);
    expect(c.firstHitMs.readerSpunOnWriter).toBe(200);
    expect(c.firstHitMs.trylockFailWriter).toBeNull();
    // the table counts from the moment every worker ran
    expect(coverageRows(c, 2000)[0]).toEqual(['readerSpunOnWriter', '7', '4', '50']);
    const other = { allStartedMs: 10, counts: { readerSpunOnWriter: 1 }, firstHitMs: { readerSpunOnWriter: 30 } };
    const merged = mergeCoverage([c, other, undefined]);
    expect(merged.counts.readerSpunOnWriter).toBe(8);
    expect(merged.firstHitMs.readerSpunOnWriter).toBe(20);
  });
});

describe('a stress run', () => {
  it('counts the states the default mix reaches, in summary.json and the stats line, with lockdep quiet', () => {
    const r = cli(['run', '--scenario', 'default', '--lock', 'zspage-spinlock', '--duration', '3', '--seed', '5']);
    expect(r.code).toBe(0);
    const s = r.summary();
    expect(s.config.scenario).toMatchObject({ kernel: '6.15', lockdep: true });
    expect(Object.keys(s.coverage.counts)).toEqual([...COVERAGE_STATES]);
    // states reached by the hundred even on a loaded machine; docs/COVERAGE.md has them all
    for (const state of ['trylockFailReaders', 'readersShared']) {
      expect(s.coverage.counts[state], state).toBeGreaterThan(0);
      expect(s.coverage.firstHitMs[state], state).toBeGreaterThanOrEqual(0);
    }
    expect(s.coverage.allStartedMs).toBeGreaterThanOrEqual(0);
    expect(r.stdout).toMatch(/\| states readerSpunOnWriter \d+ trylockFailReaders \d+ .* lockZspageMetLockedPage \d+ \|/);
  });
});
