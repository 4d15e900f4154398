// End to end: `check` on a correct and a broken lock of each form (built-in, JS module, C),
// its JSON, its table, its reproduce commands, and bad input.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './helpers.js';
import { proofOf } from '../src/grading/grade.js';
import { describeProved } from '../src/report/check.js';

const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe('check', () => {
  it('passes a correct built-in, every part run, and uses its budget', () => {
    const r = cli(['check', '--lock', 'zspage-atomic-fixed', '--budget', '8', '--seed', '5', '--json']);
    expect(r.stderr).not.toMatch(/harness error/);
    expect(r.code).toBe(0);
    const j = json(r.stdout);
    expect(j).toMatchObject({ verdict: 'pass', exitCode: 0, detectedAfterMs: null, kind: null, part: null, replay: null, seed: 5 });
    // zspage-atomic-fixed declares its orderings (acquire/release): it gets a weak pass
    expect(j.parts.map((p: any) => p.part)).toEqual(['explore', 'explore (weak)', 'stress: selftest mix', 'stress: default mix', 'explore: exhaustive', 'explore: deep']);
    expect(j.parts.every((p: any) => p.verdict === 'pass')).toBe(true);
    // 8 s leave the proof of the default clients too little time: a pass, never verified
    expect(j.verified).toBe(false);
    expect(j.parts[4].proof).toBe('not verified: budget');
    expect(j.elapsedMs).toBeGreaterThanOrEqual(8000 * 0.9);
    expect(j.parts[0].iterations).toBeGreaterThan(0);
    expect(json(readFileSync(join(r.out, 'check.json'), 'utf8')).verdict).toBe('pass');
    expect(existsSync(join(r.out, 'selftest', 'summary.json'))).toBe(true);
    expect(existsSync(join(r.out, 'default', 'summary.json'))).toBe(true);
  });

  it('says verified when the exhaustive part ends, with the clients it proved under each model', () => {
    const r = cli(['check', '--lock', 'zspage-atomic-fixed', '--budget', '12', '--seed', '5', '--clients', 'R/W/W,RR/RR/WW']);
    expect(r.code).toBe(0);
    const saved = json(readFileSync(join(r.out, 'check.json'), 'utf8'));
    // RR/RR/WW under weak takes far more than the proof's share of 12 s: not verified, but what ended is listed
    expect(saved.verified).toBe(false);
    expect(saved.clients).toContainEqual(expect.objectContaining({ client: 'R/W/W', shape: '1R+2W x 1 section', memory: 'sc' }));
    expect(saved.clients.every((c: any) => c.executions > 0)).toBe(true);
    expect(r.stdout).toMatch(/^explore: exhaustive\s+pass \(not verified: budget\)/m);
    expect(r.stdout).toMatch(/PASS \(not verified: budget\): no violation/);

    const v = cli(['check', '--lock', 'zspage-atomic-fixed', '--budget', '14', '--seed', '5', '--clients', 'R/W/W', '--json']);
    expect(v.code).toBe(0);
    const j = json(v.stdout);
    expect(j.verified).toBe(true);
    expect(j.clients.map((c: any) => `${c.client} ${c.memory}`)).toEqual(['R/W/W sc', 'R/W/W weak']);
    expect(v.stderr).toMatch(/check: explore: exhaustive: verified \(1R\+2W x 1 section under sc and weak: [\d,]+ executions in \d+\.\d s;/);
  });

  it('fails a broken built-in in the explorer, and its replay command reproduces the failure', () => {
    const r = cli(['check', '--lock', 'busted-writer-ignores-readers', '--budget', '3', '--seed', '2', '--json', '--fail-fast']);
    expect(r.code).toBe(1);
    const j = json(r.stdout);
    expect(j).toMatchObject({ verdict: 'fail', exitCode: 1, kind: 'exclusion', part: 'explore' });
    expect(j.detectedAfterMs).toBeGreaterThanOrEqual(0);
    expect(j.parts).toHaveLength(1);
    expect(j.replay).toMatch(/^zspage-stress explore --lock busted-writer-ignores-readers --replay '[^']+'$/);
    const schedule = /--replay '([^']+)'/.exec(j.replay)![1]!;
    const again = cli(['explore', '--lock', 'busted-writer-ignores-readers', '--replay', schedule], { out: false });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/FAIL exclusion/);
  });

  it('fails a bug only a stress run can see in the stress part, with its diagnosis and replay', () => {
    // A decrement forgotten once in 3000 unlocks: explorer programs are far too short to reach it.
    const r = cli(['check', '--lock', 'busted-forgotten-unlock', '--budget', '20', '--seed', '1', '--fail-fast']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^explore\s+pass/m);
    // The selftest mix finds it first unless a loaded machine leaves it too little time.
    // The first writer to try the zspage after the leak finds it, or else the next audit.
    expect(r.stdout).toMatch(/^stress: (selftest|default) mix\s+FAIL\s+\d+\.\d\d s\s+(trylock-failed-free|audit)\s+zspage-stress replay \S+summary\.json/m);
    expect(r.stdout).toMatch(/stress: (selftest|default) mix: diagnosis:\n(trylock-failed-free|audit) at \d+ ms/);
    expect(r.stdout).toMatch(/check: busted-forgotten-unlock: FAIL (trylock-failed-free|audit) in stress: (selftest|default) mix after/);
    expect(existsSync(join(r.out, 'selftest', 'summary.json'))).toBe(true);
  });

  it('passes a correct lock module', () => {
    const r = cli(['check', '--lock', 'examples/atomic-lock.mjs', '--budget', '8', '--seed', '1', '--json']);
    expect(r.code).toBe(0);
    expect(json(r.stdout).verdict).toBe('pass');
    // every op SC: no weak pass
    expect(r.stderr).toMatch(/explore \(weak\): skipped/);
    expect(json(r.stdout).parts.map((p: any) => p.part)).toEqual(['explore', 'stress: selftest mix', 'stress: default mix', 'explore: exhaustive', 'explore: deep']);
    // and its exhaustive part proves under sc only
    expect(r.stderr).toMatch(/check: explore: exhaustive: .* under sc, up to/);
  });

  it('fails a broken lock module, printing the step trace and the table', () => {
    const r = cli(['check', '--lock', 'test/fixtures/classic-bug-lock.mjs', '--budget', '3', '--seed', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/explore: the failing schedule, step by step:\n#0 /);
    expect(r.stdout).toMatch(/^part\s+verdict\s+failed after\s+violation\s+reproduce$/m);
    expect(r.stdout).toMatch(/^explore\s+FAIL\s+\d+\.\d\d s\s+exclusion\s+zspage-stress explore --lock test\/fixtures\/classic-bug-lock\.mjs --replay '/m);
    expect(r.stdout).toMatch(/check: test\/fixtures\/classic-bug-lock\.mjs: FAIL exclusion in explore after/);
  });

  it('passes a correct lock written in C', () => {
    const r = cli(['check', '--lock', 'examples/zspage-lock.c', '--budget', '8', '--seed', '1', '--json']);
    expect(r.stderr).not.toMatch(/harness error/);
    expect(r.code).toBe(0);
    const j = json(r.stdout);
    expect(j.verdict).toBe('pass');
    expect(j.parts.every((p: any) => p.verdict === 'pass')).toBe(true);
  });

  it('fails a broken lock written in C, with a schedule that replays the failure', () => {
    const r = cli(['check', '--lock', 'examples/broken-unlock.c', '--budget', '3', '--seed', '1', '--json', '--fail-fast']);
    expect(r.code).toBe(1);
    const j = json(r.stdout);
    expect(j).toMatchObject({ verdict: 'fail', part: 'explore' });
    expect(['exclusion', 'not-released', 'livelock']).toContain(j.kind);
    const schedule = /--replay '([^']+)'/.exec(j.replay)![1]!;
    const again = cli(['explore', '--lock', 'examples/broken-unlock.c', '--replay', schedule], { out: false });
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`FAIL ${j.kind}`);
  });

  it('stops at ^C in a stress part: interrupted, exit 130, its results written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'zss-')), 'check');
    const child = spawn(process.execPath, [join(ROOT, 'bin/zspage-stress.js'), 'check', '--lock', 'zspage-atomic-fixed', '--budget', '60', '--json', '--out', out], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/check: stress: selftest mix: up to/.test(stderr) && !child.killed) setTimeout(() => child.kill('SIGINT'), 300);
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(130);
    const j = json(stdout);
    expect(j).toMatchObject({ verdict: 'interrupted', exitCode: 130, part: 'stress: selftest mix' });
    expect(j.parts.at(-1).verdict).toBe('interrupted');
    expect(j.parts.slice(0, -1).every((p: any) => p.verdict === 'pass')).toBe(true);
    expect(existsSync(join(out, 'check.json'))).toBe(true);
    expect(existsSync(join(out, 'selftest', 'summary.json'))).toBe(true);
  });

  it('fails a lock only a weak memory model breaks in its weak pass, with a --memory weak replay', () => {
    const r = cli(['check', '--lock', 'busted-relaxed-write-unlock', '--budget', '3', '--seed', '1', '--json', '--fail-fast']);
    expect(r.code).toBe(1);
    const j = json(r.stdout);
    expect(j).toMatchObject({ verdict: 'fail', kind: 'data-race', part: 'explore (weak)' });
    expect(j.parts.map((p: any) => p.verdict)).toEqual(['pass', 'fail']);
    expect(j.replay).toMatch(/^zspage-stress explore --lock busted-relaxed-write-unlock --memory weak --replay '[^']+'$/);
    const schedule = /--replay '([^']+)'/.exec(j.replay)![1]!;
    const again = cli(['explore', '--lock', 'busted-relaxed-write-unlock', '--memory', 'weak', '--replay', schedule], { out: false });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/FAIL data-race/);
  });

  it('fails a C lock only a weak memory model breaks in its weak pass', () => {
    const r = cli(['check', '--lock', 'examples/weak-memory/relaxed-write-unlock.c', '--budget', '3', '--seed', '1', '--json', '--fail-fast']);
    expect(r.code).toBe(1);
    const j = json(r.stdout);
    expect(j).toMatchObject({ verdict: 'fail', kind: 'data-race', part: 'explore (weak)' });
    expect(j.replay).toMatch(/ --memory weak --replay '/);
  });

  it('fails a lock that spins on plain memory as a livelock, instead of hanging', () => {
    const r = cli(['check', '--lock', 'test/fixtures/plain-spin-trylock.mjs', '--budget', '3', '--seed', '1', '--json', '--fail-fast']);
    expect(r.code).toBe(1);
    const j = json(r.stdout);
    expect(j).toMatchObject({ verdict: 'fail', kind: 'livelock', part: 'explore' });
    expect(j.parts[0].message).toMatch(/did not finish its step within/);
    expect(j.replay).toMatch(/^zspage-stress explore --lock test\/fixtures\/plain-spin-trylock\.mjs --replay '[^']+'$/);
    const schedule = /--replay '([^']+)'/.exec(j.replay)![1]!;
    const again = cli(['explore', '--lock', 'test/fixtures/plain-spin-trylock.mjs', '--replay', schedule], { out: false });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/FAIL livelock/);
  }, 120_000);

  it('rejects bad input with one line and exit code 2', () => {
    for (const args of [
      ['--lock', 'zspage-atomic', '--budget', '1'],
      ['--lock', 'no-such-lock'],
      ['--lock', 'zspage-atomic', '--clients', 'RX/W'],
      ['--lock', 'zspage-atomic', '--seed', '-4'],
      ['--lock', 'test/fixtures/bad-lock-wrong-shape.mjs', '--budget', '3'],
    ]) {
      const r = cli(['check', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^zspage-stress: /);
    }
  });
});

describe("check's proof", () => {
  it('is verified only when every planned client and model ended verified', () => {
    expect(proofOf(['verified', 'verified'], 2)).toBe('verified');
    expect(proofOf(['verified', 'incomplete'], 2)).toBe('not verified: budget');
    expect(proofOf(['verified'], 2)).toBe('not verified: budget'); // the budget ended before the second began
    expect(proofOf([], 2)).toBe('not verified: budget');
    expect(proofOf(['verified', 'failed'], 3)).toBe('failed');
  });

  it('says what it proved, one phrase when every model proved the same clients', () => {
    const c = (client: string, shape: string, memory: 'sc' | 'weak', executions: number) => ({ client, shape, memory, executions, elapsedMs: 1500 });
    const both = [c('RR/RR/WW', '2R+1W x 2 sections', 'sc', 1000), c('RR/RR/WW', '2R+1W x 2 sections', 'weak', 234)];
    expect(describeProved(both)).toBe('2R+1W x 2 sections under sc and weak: 1,234 executions in 3.0 s');
    expect(describeProved([both[0]!, c('RR/WW/WW', '1R+2W x 2 sections', 'sc', 5), both[1]!])).toBe(
      '2R+1W x 2 sections, 1R+2W x 2 sections under sc; 2R+1W x 2 sections under weak: 1,239 executions in 4.5 s',
    );
    expect(describeProved([])).toBe('nothing');
  });
});
