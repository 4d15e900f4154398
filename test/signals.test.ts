// Signals to a running CLI: SIGINT/SIGTERM stop the run and write results marked
// interrupted (exit 130/143); a second SIGINT exits at once; SIGKILL leaves no summary.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './helpers.js';

/** Starts a 30 s run; resolves once a stats line matches `ready` (by default: readers have done work). */
async function startRun(extra: string[] = [], ready = /readers [1-9]\d* ops/) {
  const out = join(mkdtempSync(join(tmpdir(), 'zss-signal-')), 'run');
  const args = ['run', '--scenario', 'smoke', '--duration', '30', '--seed', '9', '--out', out, ...extra];
  const child = spawn(process.execPath, [join(ROOT, 'bin/zspage-stress.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (ready.test(stdout)) resolve();
    });
    void exited.then(() => reject(new Error(`the run ended before a stats line matched ${ready}:\n${stdout}${stderr}`)));
  });
  const summary = () => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  return { child, exited, out, summary, stdout: () => stdout };
}

describe('signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: results written, marked interrupted, exit %i', async (signal, code) => {
    const run = await startRun();
    run.child.kill(signal);
    expect((await run.exited).code).toBe(code);
    const s = run.summary();
    expect(s).toMatchObject({ ended: 'interrupted', exitCode: code, verdict: 'interrupted', violationCount: 0 });
    expect(s.elapsedMs).toBeLessThan(25_000);
    expect(s.metrics['reader-lock-wait'].count).toBeGreaterThan(0);
    expect(run.stdout()).toContain(`INTERRUPTED by ${signal}`);
  });

  it('a second SIGINT exits at once, before any summary is written', async () => {
    // Readers hang on a lock never released, so the stop waits out its 2 s grace (--keep-going:
    // the writers' trylock-failed-free reports do not end the run first).
    const run = await startRun(['--lock', 'test/fixtures/fault-never-unlocks.mjs', '--keep-going'], /zspage-stress: \[/);
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(130);
    expect(existsSync(join(run.out, 'summary.json'))).toBe(false);
  });

  it('SIGKILL mid-run leaves no summary.json and no file that looks whole, only the growing interval log', async () => {
    // Once every worker has done work (a loaded machine starts them in seconds), a few intervals on.
    const run = await startRun(['--stat-interval', '0.2'], /readers [1-9]\d* ops.*\| churners [1-9]\d* ops/);
    await new Promise((r) => setTimeout(r, 1000));
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    const left = existsSync(run.out) ? readdirSync(run.out) : [];
    expect(left.filter((f) => !f.includes('.tmp-'))).toEqual(['run.hlog.part']);
    // What a soak leaves as it goes: a valid interval log of the intervals so far.
    const text = readFileSync(join(run.out, 'run.hlog.part'), 'utf8');
    const reader = new hdr.HistogramLogReader(text);
    let intervals = 0;
    while (reader.nextIntervalHistogram()) intervals++;
    expect(intervals).toBeGreaterThan(0);
  });

  it('a finished run replaces the growing interval log with run.hlog', () => {
    const run = cli(['run', '--scenario', 'smoke', '--duration', '1.5', '--stat-interval', '0.3']);
    expect(run.code).toBe(0);
    const files = readdirSync(run.out);
    expect(files).toContain('run.hlog');
    expect(files).not.toContain('run.hlog.part');
  });
});
