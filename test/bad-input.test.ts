// Bad input, case by case: flags, scenario files, lock modules, merge folders. Each must
// exit 2 with one line on stderr naming the problem, no stack trace, and leave nothing
// that looks like a result.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'zss-bad-'));
const at = (name: string) => join(tmp, name);
const fixture = (name: string) => `test/fixtures/${name}`;
const run = (...args: string[]) => ['run', '--scenario', 'smoke', '--duration', '1', ...args];

const SCENARIOS: Record<string, string> = {
  'not-json.json': '{ "duration": ',
  'unknown-field.json': '{"duration":"1s","objects":{"stable":10},"readers":{"count":1},"bogus":1}',
  'bad-duration.json': '{"duration":"soon","objects":{"stable":10},"readers":{"count":1}}',
  'no-readers.json': '{"duration":"1s","objects":{"stable":10},"readers":{"count":0}}',
  'too-small.json': '{"duration":"1s","arena":{"size":"64KiB"},"objects":{"stable":100000},"readers":{"count":1}}',
  'bad-page-size.json': '{"duration":"1s","arena":{"size":"1MiB","pageSize":5000},"objects":{"stable":10},"readers":{"count":1}}',
  'partial-typo.json': '{"readers":{"cuont":3}}',
  'extends-typo-base.json': '{"duraton":"1s"}',
  'extends-typo.json': '{"extends":"extends-typo-base.json","readers":{"count":1}}',
  'extends-missing.json': '{"extends":"nowhere.json"}',
  'extends-cycle-a.json': '{"extends":"extends-cycle-b.json"}',
  'extends-cycle-b.json': '{"extends":"extends-cycle-a.json"}',
  'extends-not-text.json': '{"extends":3}',
};

/** [what, arguments, the line's pattern, environment] */
const CASES: [string, string[], RegExp, Record<string, string>?][] = [
  ['unknown flag', run('--bogus', '1'), /Unknown argument: bogus/],
  ['unknown command', ['bogus'], /Unknown argument: bogus/],
  ['no command', [], /name a command/],
  ['flag without its value', ['run', '--duration'], /Not enough arguments following: duration/],
  ['negative duration', ['run', '--duration', '-1'], /--duration: expected seconds, at least 0\.1, got -1/],
  ['duration given twice', run('--duration', '2'), /--duration: expected seconds.*got 1,2/],
  ['duration not a number', ['run', '--duration', 'abc'], /--duration: expected seconds.*got NaN/],
  ['zero readers', run('--readers', '0'), /at least one reader/],
  ['fractional count', run('--readers', '1.5'), /--readers: expected a count from 0 to 64, got 1\.5/],
  ['too many workers', run('--churners', '65'), /--churners: expected a count from 0 to 64, got 65/],
  ['negative seed', run('--seed', '-1'), /--seed: expected an integer/],
  ['seed past 32 bits', run('--seed', '4294967296'), /--seed: expected an integer/],
  ['stat interval 0', run('--stat-interval', '0'), /--stat-interval: expected seconds/],
  ['shard without a seed', run('--shard', '0/2'), /--shard: give --seed too/],
  ['shard index out of range', run('--shard', '2/2', '--seed', '1'), /--shard: expected I\/N .*got '2\/2'/],
  ['shard not I/N', run('--shard', 'x', '--seed', '1'), /--shard: expected I\/N/],
  ['worker heap not a number', run(), /ZSPAGE_STRESS_WORKER_HEAP_MIB: expected a whole number of MiB/, { ZSPAGE_STRESS_WORKER_HEAP_MIB: 'lots' }],
  ['unknown scenario', ['run', '--scenario', 'nope'], /--scenario: no scenario 'nope'/],
  ['scenario not JSON', ['run', '--scenario', at('not-json.json')], /not valid JSON/],
  ['scenario unknown field', ['run', '--scenario', at('unknown-field.json')], /unknown field 'bogus'/],
  ['scenario bad duration', ['run', '--scenario', at('bad-duration.json')], /'duration': expected a duration/],
  ['scenario without readers', ['run', '--scenario', at('no-readers.json')], /at least one reader/],
  ['scenario arena too small', ['run', '--scenario', at('too-small.json')], /arena\.size .* too small/],
  ['scenario bad page size', ['run', '--scenario', at('bad-page-size.json')], /'arena\.pageSize'/],
  ['partial scenario with a typo', ['run', '--scenario', at('partial-typo.json')], /partial-typo\.json: unknown field 'readers\.cuont'/],
  ['typo in an extended scenario', ['run', '--scenario', at('extends-typo.json')], /extends-typo-base\.json: unknown field 'duraton'/],
  ['extends a missing file', ['run', '--scenario', at('extends-missing.json')], /extends-missing\.json: 'extends': no scenario 'nowhere\.json'/],
  ['extends goes round', ['run', '--scenario', at('extends-cycle-a.json')], /"extends" goes round: .*cycle-a\.json -> .*cycle-b\.json -> .*cycle-a\.json/],
  ['extends not a name', ['run', '--scenario', at('extends-not-text.json')], /'extends': expected a shipped scenario's name or a path/],
  ['unknown lock', run('--lock', 'nope'), /--lock: unknown lock 'nope'/],
  ['missing lock module', run('--lock', './missing.mjs'), /--lock: no such lock module/],
  ['lock throws on load', run('--lock', fixture('bad-lock-throws-on-load.mjs')), /failed to load: bad-lock fixture: thrown at load/],
  ['lock never finishes loading', run('--lock', fixture('bad-lock-load-never-returns.mjs')), /loading the module did not finish within 2 s/],
  ['lock without a default export', run('--lock', fixture('bad-lock-no-default.mjs')), /has no default export/],
  ['lock of the wrong shape', run('--lock', fixture('bad-lock-wrong-shape.mjs')), /create\(\) result has no function 'readUnlock'/],
  ['lock words 0', run('--lock', fixture('bad-lock-words-0.mjs')), /'words' must be an integer from 1 to 16, got 0/],
  ['lock words 17', run('--lock', fixture('bad-lock-words-17.mjs')), /'words' must be an integer from 1 to 16, got 17/],
  ['lock words 1.5', run('--lock', fixture('bad-lock-words-1_5.mjs')), /'words' must be an integer from 1 to 16, got 1\.5/],
  ['lock create() throws', run('--lock', fixture('bad-lock-create-throws.mjs')), /create\(\) threw: bad-lock fixture: create failed/],
  ['lock init() never returns', run('--lock', fixture('bad-lock-init-never-returns.mjs')), /init\(\) on an idle lock did not finish within 2 s/],
  ['lock readLock() never returns', run('--lock', fixture('bad-lock-read-lock-never-returns.mjs')), /readLock\(\) on an idle lock did not finish/],
  ['C lock with a syntax error', run('--lock', fixture('c/syntax-error.c')), /: test\/fixtures\/c\/syntax-error\.c:3:\d+: expected ';' after expression$/],
  ['C lock without its ops line', run('--lock', fixture('c/no-ops.c')), /no-ops\.c: no ZSPAGE_LOCK_OPS\(init, read_lock/],
  ['merge of nothing', ['merge'], /Not enough non-option arguments/],
  ['merge of a missing folder', ['merge', at('nowhere')], /nowhere has no summary\.json/],
  ['merge of a folder without run.hlog', ['merge', at('no-hlog')], /no-hlog has no run\.hlog/],
  ['merge of a foreign summary', ['merge', at('foreign')], /foreign\/summary\.json is not a zspage-stress summary \('tool'/],
  ['merge of different locks', ['merge', at('lock-a'), at('lock-b')], /the folders ran different locks/],
  ['merge of one folder twice', ['merge', at('lock-a'), at('lock-a')], /hold the same run/],
  ['merge into a merged folder', ['merge', at('lock-a'), '--out', at('lock-a')], /--out must be a folder other than/],
];

/** A summary.json with the fields a merge reads. */
function savedRun(dir: string, lock: string, hlog = true): void {
  mkdirSync(at(dir), { recursive: true });
  const summary = {
    tool: 'zspage-stress',
    runId: `fake-${dir}`,
    verdict: 'pass',
    ended: 'completed',
    exitCode: 0,
    seed: 1,
    lock: { name: lock, ref: lock, words: 1 },
    config: { scenario: { statInterval: '1s' } },
    startedAt: '2025-01-01T00:00:00.000Z',
    elapsedMs: 1000,
    violations: [],
    violationCount: 0,
    firstViolationMs: null,
    counters: {},
    workers: [],
    metrics: {},
    audits: { count: 0, objects: 0, bytes: 0, lastMs: 0 },
    notes: [],
    rerun: '',
  };
  writeFileSync(join(at(dir), 'summary.json'), JSON.stringify(summary));
  if (hlog) writeFileSync(join(at(dir), 'run.hlog'), '#[Histogram log format version 1.3]\n');
}

beforeAll(() => {
  for (const [name, text] of Object.entries(SCENARIOS)) writeFileSync(at(name), text);
  savedRun('lock-a', 'zspage-atomic');
  savedRun('lock-b', 'rwsem');
  savedRun('no-hlog', 'zspage-atomic', false);
  mkdirSync(at('foreign'));
  writeFileSync(join(at('foreign'), 'summary.json'), '{"tool":"other"}');
});

describe('bad input', () => {
  it.each(CASES)('%s: exit 2, one line', (_what, args, pattern, env = {}) => {
    const out = at(`out-${Math.random().toString(36).slice(2)}`);
    const full = args[0] === 'run' ? [...args, '--out', out] : args;
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/zspage-stress.js'), ...full], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    expect(r.status, r.stderr + r.stdout).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^zspage-stress: /);
    expect(lines[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  });
});
