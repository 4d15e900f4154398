// A failing run explains itself: summary.json, the terminal and report.html show every
// worker's last lock operations on the failing zspage, in order. And the two waiting rules
// (writer-waited, reader-waited) fire in real stress runs of the designs that break them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLIGHT_ENTRIES, HDR, OPS_IN_BITS } from '../src/arena/layout.js';
import { orderOps, recentOps, type FlightOp } from '../src/invariants/flight-recorder.js';
import { ShadowCore } from '../src/invariants/shadow-core.js';
import type { Violation } from '../src/records/violation.js';
import { zspLockAt } from '../src/model/zs.js';
import { cli, smallPool, type CliRun } from './helpers.js';

const op = (by: string, seq: number, atMs: number): FlightOp => ({
  by,
  op: 'readLock',
  status: 'returned',
  zspage: 1,
  seq,
  seqEnd: seq + 1,
  atMs,
  before: [0],
  after: [1],
});

describe('flight recorder', () => {
  it('keeps each worker its last operations, and reads them back for one zspage only', () => {
    const { zs } = smallPool();
    const labels = ['reader#0', 'migrator#0'];
    const [r, m] = [0, 1].map((w) => new ShadowCore(zs.memory, zs.L, w));
    let gen = 0;
    const edge = () => (++gen << OPS_IN_BITS) | 1;
    for (let i = 0; i < FLIGHT_ENTRIES + 5; i++) {
      r!.flightBegin(1, 3, edge(), zspLockAt(zs, 3));
      r!.flightEnd(true, edge(), zspLockAt(zs, 3));
    }
    m!.flightBegin(3, 3, edge(), zspLockAt(zs, 3)); // still inside
    m!.flightBegin(3, 4, edge(), zspLockAt(zs, 4)); // another zspage: not shown
    const ops = recentOps(zs.mem, zs.L, labels, 3);
    expect(ops.filter((o) => o.by === 'reader#0')).toHaveLength(FLIGHT_ENTRIES);
    expect(ops.at(-1)).toMatchObject({ by: 'migrator#0', op: 'writeTrylock', status: 'in progress', seqEnd: null, after: null });
    expect(ops.every((o, i) => i === 0 || o.seq > ops[i - 1]!.seq)).toBe(true);
  });

  it('orders by the zspage sequence across its wrap-around', () => {
    const top = 2 ** (32 - OPS_IN_BITS) - 1;
    const ordered = orderOps([op('b', 2, 10), op('a', top - 1, 9), op('c', 5, 10)]);
    expect(ordered.map((o) => o.by)).toEqual(['a', 'b', 'c']);
    expect(ordered.map((o) => o.seq)).toEqual([0, 4, 7]);
  });

  it('an operation that ended after the newest one started keeps its range (no negative end)', () => {
    // a reader asleep holding ends after a trylock started that is still inside
    const long = { ...op('reader#0', 100, 9), seqEnd: 200 };
    const inside = { ...op('migrator#0', 150, 10), status: 'in progress' as const, seqEnd: null };
    const ordered = orderOps([inside, long]);
    expect(ordered.map((o) => [o.by, o.seq, o.seqEnd])).toEqual([
      ['reader#0', 0, 100],
      ['migrator#0', 50, null],
    ]);
  });

  it('an entry from over half the sequence ago is dropped, not shown as the newest', () => {
    const top = 2 ** (32 - OPS_IN_BITS);
    const stale = { ...op('migrator#0', 1000 - Math.floor(top * 0.6), 1) };
    const ordered = orderOps([op('reader#0', 990, 500), stale, op('reader#1', 1000, 500)]);
    expect(ordered.map((o) => [o.by, o.seq])).toEqual([
      ['reader#0', 0],
      ['reader#1', 10],
    ]);
  });

  it('a slot whose end is not after its start (torn by reuse) is dropped', () => {
    const torn = { ...op('reader#1', 500, 10), seqEnd: 400 };
    expect(orderOps([op('reader#0', 450, 10), torn]).map((o) => o.by)).toEqual(['reader#0']);
  });

  it('ranges stay non-negative and increasing over more operations than the sequence holds, twice over', () => {
    const { zs } = smallPool();
    const labels = ['reader#0', 'reader#1', 'migrator#0'];
    const [short, sleeper, writer] = [0, 1, 2].map((w) => new ShadowCore(zs.memory, zs.L, w));
    const at = zspLockAt(zs, 3);
    let gen = 0;
    const edge = () => (++gen << OPS_IN_BITS) | 1;
    const total = 2 ** (33 - OPS_IN_BITS) + 5000; // the GEN_BITS sequence wraps twice
    let checks = 0;
    let sleeping = false;
    while (gen < total) {
      zs.mem[HDR.CLOCK_MS] = gen >>> 10; // the coordinator's clock moves on
      short!.flightBegin(1, 3, edge(), at);
      short!.flightEnd(true, edge(), at);
      if ((gen & 0xffff) > 1) continue;
      // a trylock starts; a reader that slept holding since the last look ends after it
      writer!.flightBegin(3, 3, edge(), at);
      if (sleeping) sleeper!.flightEnd(true, edge(), at);
      const ops = recentOps(zs.mem, zs.L, labels, 3);
      checks++;
      for (let i = 0; i < ops.length; i++) {
        const o = ops[i]!;
        expect(o.seq).toBeGreaterThanOrEqual(0);
        if (o.seqEnd !== null) expect(o.seqEnd).toBeGreaterThan(o.seq);
        if (i > 0) expect(o.seq).toBeGreaterThan(ops[i - 1]!.seq);
      }
      writer!.flightEnd(false, edge(), at);
      sleeper!.flightBegin(1, 3, edge(), at);
      sleeping = true;
    }
    expect(checks).toBeGreaterThan(250);
  });
});

describe('a failing run', () => {
  let writer: CliRun;
  let reader: CliRun;
  beforeAll(() => {
    // Caught in about 2 s; the duration bounds a loaded machine.
    const args = (lock: string) => ['run', '--scenario', 'selftest', '--lock', lock, '--duration', '30', '--seed', '1'];
    writer = cli(args('busted-waiting-trylock'));
    reader = cli(args('busted-reader-waits-readers'));
  });

  it('writer-waited: a trylock that waits for a sleeping reader', () => {
    expect(writer.code).toBe(1);
    const v = writer.summary().violations[0] as Violation;
    expect(v.kind).toBe('writer-waited');
    expect(v.message).toMatch(/^writeTrylock on zspage \d+ spun \d+ atomic operations in one call with no other thread in a lock operation/);
  });

  it('reader-waited: a reader that waits for readers', () => {
    expect(reader.code).toBe(1);
    const v = reader.summary().violations[0] as Violation;
    expect(v.kind).toBe('reader-waited');
    expect(v.message).toMatch(/^readLock on zspage \d+ spun .* while only sleeping readers \(\d+\) held it/);
  });

  it('summary.json shows the last operations on the failing zspage from every worker, in order', () => {
    for (const run of [writer, reader]) {
      const v = run.summary().violations[0] as Violation;
      const recent = v.recent!;
      expect(recent.length).toBeGreaterThan(1);
      expect(recent.every((o) => o.zspage === v.zspage)).toBe(true);
      expect(recent.every((o, i) => i === 0 || o.seq >= recent[i - 1]!.seq)).toBe(true);
      expect(new Set(recent.map((o) => o.by)).size).toBeGreaterThan(1);
      // The call that was caught, still inside, by the worker that caught it.
      const caught = recent.filter((o) => o.status === 'in progress' && v.by === o.by);
      expect(caught.map((o) => o.op)).toContain(v.kind === 'writer-waited' ? 'writeTrylock' : 'readLock');
      for (const o of recent) expect(o.before).toHaveLength(1);
    }
  });

  it('the terminal and report.html show them too', () => {
    const v = writer.summary().violations[0] as Violation;
    expect(writer.stdout).toContain(`how it happened: the last lock operations on zspage ${v.zspage}`);
    expect(writer.stdout).toMatch(/zspage-stress: {3}#\d+\.\. +~\d+ ms +migrator#0 +writeTrylock +\[\d+\] -> \(still inside\)/);
    const html = readFileSync(join(writer.out, 'report.html'), 'utf8');
    expect(html).toContain(`How it happened: lock operations on zspage ${v.zspage}`);
  });
});
