// End-to-end: the CLI runs the model on real threads and says what it found.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

describe('zspage-stress run', () => {
  it('passes a correct lock, with migrations, compactions that moved objects and sleeping reads', () => {
    const r = cli(['run', '--scenario', 'smoke', '--duration', '3', '--seed', '11']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = r.summary();
    expect(s).toMatchObject({ verdict: 'pass', seed: 11, scenario: 'smoke', violations: [] });
    expect(s.counters.migrator.trylockOk).toBeGreaterThan(0);
    expect(s.counters.compactor.objectsMoved).toBeGreaterThan(0);
    expect(s.counters.reader.sleepingReads).toBeGreaterThan(0);
    expect(s.counters.reader.bytesVerified).toBeGreaterThan(0);
    expect(s.audits.count).toBeGreaterThanOrEqual(2);
    for (const m of ['reader-lock-wait', 'reader-hold', 'writer-trylock', 'writer-section', 'migrate-op', 'compact-op']) {
      expect(s.metrics[m].count).toBeGreaterThan(0);
      expect(existsSync(join(r.out, `${m}.hgrm`))).toBe(true);
    }
    expect(r.stdout).toMatch(/PASS .*seed=11 .*readers\.count=2/);
    expect(s.rerun).toMatch(/zspage-stress replay .*summary\.json/);
  });

  it('fails a user lock module with a classic bug: exit 1 and an exclusion violation', () => {
    const r = cli(['run', '--scenario', 'selftest', '--lock', 'test/fixtures/classic-bug-lock.mjs', '--duration', '20']);
    expect(r.code).toBe(1);
    const s = r.summary();
    expect(s.verdict).toBe('fail');
    expect(s.lock.name).toBe('classic-bug');
    expect(s.violations[0].kind).toBe('exclusion');
    expect(s.firstViolationMs).toBeLessThan(20_000);
  });

  it('fails the old rwlock under sleeping readers (writer-waited), passes it when readers never sleep', () => {
    const sleepy = cli(['run', '--scenario', 'selftest', '--lock', 'rwlock', '--duration', '20']);
    expect(sleepy.code).toBe(1);
    expect(sleepy.summary().violations[0].kind).toBe('writer-waited');
    const legacy = cli(['run', '--scenario', 'legacy-rwlock', '--duration', '3']);
    expect(legacy.code).toBe(0);
  });

  it('exits 2 with one line on bad input', () => {
    for (const args of [['run', '--lock', 'no-such-lock'], ['run', '--scenario', 'nope'], ['run', '--readers', '-1'], ['frobnicate']]) {
      const r = cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('zspage-stress replay', () => {
  it('reruns a summary with the same seed and lock', () => {
    const first = cli(['run', '--scenario', 'smoke', '--duration', '1', '--seed', '5']);
    expect(first.code).toBe(0);
    const again = cli(['replay', join(first.out, 'summary.json')]);
    expect(again.code).toBe(0);
    expect(again.summary()).toMatchObject({ seed: 5, lock: { name: 'zspage-atomic-fixed' }, scenario: 'smoke' });
    expect(again.summary().config.scenario).toEqual(first.summary().config.scenario);
  });
});
