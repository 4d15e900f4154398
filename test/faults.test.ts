// Faults injected through lock modules (test/fixtures/fault-*.mjs): a worker that throws,
// one that runs out of memory, one hung spinning, one hung in Atomics.wait. Each run must
// end well before its 20 s duration, write its results and exit non-zero.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WRK } from '../src/arena/layout.js';
import { StallWatchdog } from '../src/coordinator/watchdog.js';
import { STATE } from '../src/invariants/held-state.js';
import { ROOT, smallPool } from './helpers.js';

const LABELS = ['reader#0', 'reader#1', 'migrator#0', 'compactor#0', 'churner#0'];

function runFault(fixture: string, env: Record<string, string> = {}, extra: string[] = []) {
  const out = join(mkdtempSync(join(tmpdir(), 'zss-fault-')), 'run');
  const args = ['run', '--scenario', 'test/fixtures/fault-scenario.json', '--lock', `test/fixtures/${fixture}`, '--seed', '5', '--out', out, ...extra];
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/zspage-stress.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  return { code: r.status, stdout: r.stdout, out, summary };
}

describe('a worker that fails', () => {
  it('throws: exit 3, the role, seed, state and the throwing frame named, results written', () => {
    const r = runFault('fault-throws.mjs');
    expect(r.code).toBe(3);
    expect(r.summary).toMatchObject({ verdict: 'error', ended: 'harness-error', exitCode: 3 });
    const diagnosis = /^(reader|migrator|compactor|churner)#\d \(seed 5\) threw while .+: injected fault: readLock failed on call 200 \(at .*fault-throws\.mjs:\d+:\d+\)+$/;
    expect(r.summary.notes[0]).toMatch(diagnosis);
    expect(r.stdout).toContain(`note: ${r.summary.notes[0]}`);
    expect(r.stdout).toMatch(/HARNESS ERROR/);
    expect(r.summary.elapsedMs).toBeLessThan(15_000);
    expect(readdirSync(r.out)).toContain('run.hlog');
    expect(r.summary.workers.map((w: { label: string }) => w.label)).toEqual(LABELS);
  });

  it('runs out of memory under ZSPAGE_STRESS_WORKER_HEAP_MIB: exit 3, diagnosed as died', () => {
    const r = runFault('fault-oom.mjs', { ZSPAGE_STRESS_WORKER_HEAP_MIB: '32' });
    expect(r.code).toBe(3);
    expect(r.summary).toMatchObject({ verdict: 'error', ended: 'harness-error', exitCode: 3 });
    expect(r.summary.notes[0]).toMatch(/^(reader|migrator|compactor|churner)#\d \(seed 5\) died while .+: .*memory limit/);
    expect(r.summary.elapsedMs).toBeLessThan(15_000);
  });
});

describe('a hung worker', () => {
  it('spinning on a lock never released: a stall naming every worker and the stuck lock words; pool destroyed', () => {
    // A writer's trylock alone on the leaked lock reports trylock-failed-free first; the run
    // goes on (--keep-going) until the readers spinning on it stall.
    const r = runFault('fault-never-unlocks.mjs', {}, ['--keep-going']);
    expect(r.code).toBe(1);
    expect(r.summary).toMatchObject({ verdict: 'fail', ended: 'violation', exitCode: 1 });
    expect(r.summary.violations.map((v: { kind: string }) => v.kind)).toContain('stall');
    const stall = r.summary.violations.find((v: { kind: string }) => v.kind === 'stall');
    for (const label of LABELS) expect(stall.message).toContain(`${label} `);
    expect(stall.message).toMatch(/lock words unlike init\(\)'s \[0\] with nobody inside: zspage \d+ \[-1\]/);
    expect(r.summary.notes.join('\n')).toMatch(/did not stop within 2000 ms were destroyed: .*reader#/);
    expect(r.summary.elapsedMs).toBeLessThan(15_000);
  });

  it('asleep in Atomics.wait with no timeout: a stall, the sleeper destroyed, results written', () => {
    const r = runFault('fault-waits-forever.mjs');
    expect(r.code).toBe(1);
    expect(r.summary).toMatchObject({ verdict: 'fail', ended: 'violation' });
    expect(r.summary.violations[0].kind).toBe('stall');
    for (const label of LABELS) expect(r.summary.violations[0].message).toContain(`${label} `);
    expect(r.summary.notes.join('\n')).toMatch(/were destroyed: .*reader#/);
    expect(r.summary.elapsedMs).toBeLessThan(15_000);
    expect(existsSync(join(r.out, 'run.hlog'))).toBe(true);
  });
});

describe('the stall watchdog does not cry wolf', () => {
  const setup = () => {
    const { zs } = smallPool();
    const dog = new StallWatchdog(zs, ['reader#0'], 5000);
    const line = zs.L.workers;
    /** Checks every 25 ms over [from, to]: the first report, or null. */
    const watch = (from: number, to: number) => {
      for (let t = from; t <= to; t += 25) {
        const report = dog.check(t);
        if (report) return { t, report };
      }
      return null;
    };
    return { dog, watch, state: (s: number) => Atomics.store(zs.mem, line + WRK.STATE, s) };
  };

  it('over a worker that has not started yet, however long it takes', () => {
    const { dog, watch, state } = setup();
    expect(dog.notStarted()).toEqual(['reader#0']);
    expect(watch(0, 60_000)).toBeNull();
    state(STATE.READ_LOCKING);
    expect(dog.notStarted()).toEqual([]);
    const stall = watch(60_025, 70_000);
    expect(stall?.t).toBe(65_000);
    expect(stall?.report).toMatch(/^reader#0 made no progress for 5\.0 s; reader#0 acquiring the read lock/);
  });

  it('over time the coordinator itself did not run', () => {
    const { watch, state } = setup();
    state(STATE.IDLE);
    expect(watch(0, 3000)).toBeNull();
    // Suspended from 3 s to 33 s: a gap that counts as 0.1 s, so the worker's 5 s end at 34.9 s.
    expect(watch(33_000, 34_875)).toBeNull();
    expect(watch(34_900, 40_000)?.t).toBe(34_900);
  });
});
