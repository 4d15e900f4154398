// Arenas of 64 MiB, 256 MiB and 1 GiB at high occupancy (a million objects per
// GiB, 32..1768 bytes): build time and memory, the full audit against a scan of the
// same arena, and reader cycles on each against the bare loop.
import { auditPool } from '../../src/invariants/audit.js';
import type { ViolationSink } from '../../src/invariants/violation.js';
import { POISON_WORD } from '../../src/model/object.js';
import { threadCpuMs } from '../lib/cpu-time.js';
import { figure, median, type Rounds } from '../lib/measure.js';
import { budget, mib, ms, rate, type Row } from '../lib/report.js';
import { buildWorld, type World } from '../lib/world.js';
import { bareAgainstShipped, READERS } from './reader-cycles.js';

const SIZES_MIB = [64, 256, 1024];
const OBJECTS_PER_GIB = 1_000_000;
const AUDIT_BUDGET_MS = 1000;
const AUDITS = 3;

const failing: ViolationSink = {
  report(kind, message) {
    throw new Error(`audit found a problem in a freshly built arena: ${kind}: ${message}`);
  },
};

/** Wall and thread-CPU milliseconds of one call. */
function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const c0 = threadCpuMs();
  const t0 = performance.now();
  const value = f();
  return { value, wall: performance.now() - t0, cpu: threadCpuMs() - c0 };
}

// The floors: touching every word of an arena once, and reading every word once.
function fillFloor(bytes: number): void {
  new Int32Array(new SharedArrayBuffer(bytes)).fill(POISON_WORD);
}
function scanFloor(mem: Int32Array, from: number): number {
  let sum = 0;
  for (let i = from; i < mem.length; i++) sum = (sum + mem[i]!) | 0;
  return sum;
}

export async function arenaScale(rounds: Rounds): Promise<Row[]> {
  const rows: Row[] = [];
  const growth: Row[] = [];
  scanFloor(new Int32Array(1 << 16), 0); // optimized before it is timed
  for (const size of SIZES_MIB) {
    const bytes = size * 2 ** 20;
    const objects = Math.round((OBJECTS_PER_GIB * size) / 1024);
    const fill = timed(() => fillFloor(bytes));
    const rss0 = process.memoryUsage().rss;
    const build = timed(() => buildWorld('zspage-atomic', { arena: `${size}MiB`, stable: objects, minSize: 32, maxSize: 1768 }));
    const rss = process.memoryUsage().rss - rss0;
    const world = build.value;
    const { mem, layout } = world.arena;
    const occupancy = 1 - mem[layout.pageAlloc + 1]! / layout.params.pages;
    const audits: ReturnType<typeof timed<number>>[] = [];
    const scans: ReturnType<typeof timed<number>>[] = [];
    for (let r = 0; r < AUDITS; r++) {
      audits.push(timed(() => auditPool(world.setup.zs, world.setup.atomics, failing).objects));
      scans.push(timed(() => scanFloor(mem, layout.frames >> 2)));
    }
    const audit = { cpu: median(audits.map((a) => a.cpu)), wall: median(audits.map((a) => a.wall)) };
    const scan = { cpu: median(scans.map((s) => s.cpu)), wall: median(scans.map((s) => s.wall)) };
    const live = audits[0]!.value;
    const name = `${size} MiB, ${live} objects, ${(occupancy * 100).toFixed(0)}% of pages used`;
    const budgeted = size === 1024;
    rows.push(
      {
        section: 'arena',
        name: `build: ${name}`,
        measured: `${ms(build.cpu)} CPU (${ms(build.wall)} wall), ${rate((live / build.cpu) * 1000)} objects`,
        against: `fill floor ${ms(fill.cpu)} CPU`,
        ratio: fill.cpu / build.cpu,
        raw: { objects: live, buildCpuMs: build.cpu, buildWallMs: build.wall, fillFloorCpuMs: fill.cpu },
      },
      {
        section: 'arena',
        name: `memory: ${name}`,
        measured: `${mib(rss)} resident after build`,
        against: `arena ${mib(world.arena.sab.byteLength)}`,
        ratio: rss / world.arena.sab.byteLength,
        raw: { rssBytes: rss, arenaBytes: world.arena.sab.byteLength },
      },
      {
        section: 'arena',
        name: `audit: ${name}`,
        measured: `${ms(audit.cpu)} CPU (${ms(audit.wall)} wall), ${rate((live / audit.cpu) * 1000)} objects`,
        against: `scan floor ${ms(scan.cpu)} CPU`,
        ratio: scan.cpu / audit.cpu,
        ...(budgeted
          ? budget(`<= ${AUDIT_BUDGET_MS} ms CPU`, audit.cpu <= AUDIT_BUDGET_MS, () =>
              `reading the arena once takes ${ms(scan.cpu)}; the audit reads every live payload once more than that floor ` +
              `(${((1 - scan.cpu / audit.cpu) * 100).toFixed(0)}% of its time goes to the handle table and the checks); ` +
              'splitting the zspage walk over the parked workers would divide it by the cores')
          : {}),
        raw: { objects: live, auditCpuMs: audit.cpu, auditWallMs: audit.wall, scanCpuMs: scan.cpu, scanWallMs: scan.wall },
      },
    );
    growth.push(await readersOn(world, size, rounds));
  }
  return [...rows, ...growth];
}

async function readersOn(world: World, size: number, rounds: Rounds): Promise<Row> {
  const { b, h, r } = await bareAgainstShipped(world, READERS, rounds);
  return {
    section: 'growth',
    name: `reader cycles, ${READERS} threads, ${size} MiB arena`,
    measured: `${rate(figure(h, 'cpu'))} per thread-CPU`,
    against: `bare ${rate(figure(b, 'cpu'))}`,
    ratio: r,
    raw: { arenaMiB: size, harnessOpsPerCpuSecPerThread: figure(h, 'cpu'), bareOpsPerCpuSecPerThread: figure(b, 'cpu'), ratio: r },
  };
}
