// selftest, replay and sweep with --zsmalloc: the user's tree passes and the known zspage
// lock changes to it are caught (or skipped where they do not apply); a kernel run, a
// selftest row and a failed check replay from their results, on the same sources only; a
// sweep runs its grid on the kernel pool and writes its table.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTATIONS } from '../src/zsmalloc/mutations.js';
import { cli, ROOT } from './helpers.js';
import { mutant, mutated, TREES } from './zsmalloc-mutations.js';

const oneLine = (r: { code: number; stderr: string }) => {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  return r.stderr;
};

describe('the known zspage lock changes', () => {
  it("splice v5's lock as posted: its four functions are the C lock fixture's", () => {
    const functions = (file: string) => /static void zspage_read_lock[\s\S]*\nstatic void zspage_write_unlock\(struct zspage \*zspage\)\n\{[\s\S]*?\n\}\n/.exec(readFileSync(join(ROOT, file), 'utf8'))![0];
    expect(functions('src/zsmalloc/zspage-lock-v5.c')).toBe(functions('test/fixtures/c/seed-v5-posted.c'));
  });

  it('each applies to mainline, and none to 6.12 (a rwlock_t zspage lock): mutant() throws why', () => {
    for (const m of MUTATIONS) {
      expect(readFileSync(join(mutant(TREES.mainline, m.name), 'mm/zsmalloc.c'), 'utf8')).not.toBe(readFileSync(join(TREES.mainline, 'mm/zsmalloc.c'), 'utf8'));
      expect(() => mutant(TREES['6.12'], m.name)).toThrow(/the file has no /);
    }
  });
});

describe('selftest --zsmalloc', () => {
  it('6.12: the tree as given passes (readers that do not sleep holding a mapping); every change is skipped with why; JUnit says skipped', () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'zss-')), 'selftest.xml');
    const r = cli(['selftest', '--zsmalloc', TREES['6.12'], '--duration', '2', '--junit', junit]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^as given\s+pass\s+ok: pass/m);
    for (const m of MUTATIONS) expect(r.stdout).toMatch(new RegExp(`^${m.name}\\s+\\S+\\s+skipped: does not apply to this version: the file has no `, 'm'));
    expect(r.stdout).toMatch(/PASS: 4\/4 rows as expected \(3 skipped: not for this version\)/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/skipped="3"/);
    expect(xml).toMatch(/<testcase name="v5-lock-as-posted" classname="zspage-stress.selftest">\s*<skipped message="does not apply/);
  }, 120_000);

  it('mainline: a write trylock that waits is caught (stall), and its row replays from the results, tuning and all', () => {
    const r = cli(['selftest', '--zsmalloc', TREES.mainline, '--mutations', 'waiting-write-trylock', '--duration', '2', '--timeout', '10', '--seed', '3']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^as given\s+pass\s+ok: pass/m);
    expect(r.stdout).toMatch(/^waiting-write-trylock\s+stall\s+ok: stall\s+\d+\.\d\ds/m);
    const row = join(r.out, 'waiting-write-trylock', 'run');
    const summary = JSON.parse(readFileSync(join(row, 'summary.json'), 'utf8'));
    expect(summary.config.zsmalloc.tuning.holdNs).toBe(1_500_000_000);
    expect(summary.rerun).toBe(`npx zspage-stress replay ${row}`);
    const again = cli(['replay', row]);
    expect(again.code, again.stdout + again.stderr).toBe(1);
    expect(again.summary().violations[0].kind).toBe('stall');
    expect(again.summary().config.zsmalloc.tuning).toEqual(summary.config.zsmalloc.tuning);
  }, 120_000);

  it('a tree as given that breaks the lock fails its row (exit 1), and the change it already has is skipped', () => {
    // a write trylock that ignores readers: the edit of waiting-write-trylock no longer matches
    const tree = mutated(TREES.mainline, [['if (zsl->cnt == ZS_PAGE_UNLOCKED) {', 'if (zsl->cnt == ZS_PAGE_UNLOCKED || zsl->cnt > 0) {']]);
    const r = cli(['selftest', '--zsmalloc', tree, '--mutations', 'waiting-write-trylock', '--duration', '5', '--seed', '2']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^as given\s+pass\s+WRONG: (exclusion|integrity)/m);
    expect(r.stdout).toMatch(/^waiting-write-trylock\s+stall\s+skipped: does not apply to this version: the file has no 6\.15's zspage_write_trylock\(\)/m);
    expect(r.stdout).toMatch(/FAIL: 1\/2 rows as expected \(1 skipped/);
  }, 120_000);

  it('a change not caught within the timeout fails its row (exit 1): a stall takes a second in atomic context', () => {
    const r = cli(['selftest', '--zsmalloc', TREES.mainline, '--mutations', 'waiting-write-trylock', '--duration', '1', '--timeout', '0.3', '--seed', '3']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^waiting-write-trylock\s+stall\s+WRONG: pass/m);
  }, 120_000);

  it('bad input exits 2 in one line: --locks with --zsmalloc, --mutations without it or unknown, a path that is not a tree, a file that does not compile', () => {
    expect(oneLine(cli(['selftest', '--zsmalloc', TREES.mainline, '--locks', 'rwlock'], { out: false }))).toMatch(/--zsmalloc tests a kernel tree, --locks lock designs/);
    expect(oneLine(cli(['selftest', '--mutations', 'waiting-write-trylock'], { out: false }))).toMatch(/--mutations changes a kernel tree/);
    expect(oneLine(cli(['selftest', '--zsmalloc', TREES.mainline, '--mutations', 'nope'], { out: false }))).toMatch(/--mutations: no change 'nope' \(known: v5-lock-as-posted/);
    expect(oneLine(cli(['selftest', '--zsmalloc', join(ROOT, 'test/fixtures')]))).toMatch(/has no mm\/zsmalloc\.c/);
    const broken = mutated(TREES.mainline, [['\tread_lock(&pool->lock);\n', '\tread_lock(&pool->lock);\n\tfrobnicate_page(handle);\n']]);
    const r = cli(['selftest', '--zsmalloc', broken]);
    expect(oneLine(r)).toMatch(/mm\/zsmalloc\.c:\d+:\d+: call to undeclared function 'frobnicate_page'/);
    expect(r.stdout).toBe('');
  }, 60_000);
});

describe('replay of a kernel-pool run', () => {
  it("reproduces 6.12's verdict from its results folder; another tree's sources are refused; --zsmalloc on a model run is bad input", () => {
    const run = cli(['run', '--zsmalloc', TREES['6.12'], '--duration', '5', '--seed', '5']);
    expect(run.code).toBe(1);
    const s = run.summary();
    expect(s.config.zsmalloc.sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = cli(['replay', run.out]);
    expect(again.code, again.stdout + again.stderr).toBe(1);
    // threads are scheduled by the OS: the replay's first report is either CPU's view of 6.12's sleeping reader
    const SLEEPING_READER = ['slept-in-atomic', 'writer-waited'];
    expect(SLEEPING_READER).toContain(s.violations[0].kind);
    expect(SLEEPING_READER).toContain(again.summary().violations[0].kind);
    expect(again.summary().config.zsmalloc.sha256).toBe(s.config.zsmalloc.sha256);
    expect(again.summary().seed).toBe(5);
    expect(oneLine(cli(['replay', run.out, '--zsmalloc', TREES.mainline]))).toMatch(/mainline is not the source the run used \(its zsmalloc sources hash to [0-9a-f]{12}, the run's to [0-9a-f]{12}\)/);
    // a check's folder whose first failing part is this stress run: replay reruns that part
    const checkDir = mkdtempSync(join(tmpdir(), 'zss-'));
    const part = { part: 'stress: selftest mix', verdict: 'fail', kind: s.violations[0].kind, replay: s.rerun, dir: run.out };
    writeFileSync(join(checkDir, 'check.json'), JSON.stringify({ tool: 'zspage-stress', command: 'check', lock: TREES['6.12'], parts: [{ part: 'explore', verdict: 'pass' }, part] }));
    const viaCheck = cli(['replay', checkDir]);
    expect(viaCheck.code, viaCheck.stdout + viaCheck.stderr).toBe(1);
    expect(viaCheck.stdout).toContain("replaying the check's first failing part, stress: selftest mix");
    expect(SLEEPING_READER).toContain(viaCheck.summary().violations[0].kind);
    writeFileSync(join(checkDir, 'check.json'), JSON.stringify({ tool: 'zspage-stress', command: 'check', lock: TREES['6.12'], parts: [{ part: 'explore', verdict: 'pass' }] }));
    expect(oneLine(cli(['replay', checkDir]))).toMatch(/passed: it has no failure to replay/);
    const model = cli(['run', '--scenario', 'smoke', '--duration', '0.3', '--seed', '1']);
    expect(oneLine(cli(['replay', model.out, '--zsmalloc', TREES.mainline]))).toMatch(/on the model; --zsmalloc replays only runs on a kernel tree/);
  }, 120_000);

  it("a failed check's explorer part replays exactly from the check's folder; a changed file is refused", () => {
    const tree = mutated(TREES.mainline, [['if (zsl->cnt == ZS_PAGE_UNLOCKED) {', 'if (zsl->cnt != ZS_PAGE_WRLOCKED) {']]);
    // a fifth of the budget is the explorer's: 3 s, so that a loaded machine finds it there too
    const check = cli(['check', '--zsmalloc', tree, '--budget', '15', '--fail-fast', '--seed', '3', '--json']);
    expect(check.code).toBe(1);
    const record = JSON.parse(check.stdout);
    expect(record.part).toBe('explore');
    const again = cli(['replay', check.out]);
    expect(again.code, again.stdout + again.stderr).toBe(1);
    expect(again.stdout).toContain(`FAIL ${record.kind}: ${record.parts[0].message}`);
    expect(oneLine(cli(['replay', check.out, '--zsmalloc', TREES.mainline]))).toMatch(/is not the source the run used/);
  }, 120_000);
});

describe('sweep --zsmalloc', () => {
  it("runs the reader-hold grid on 6.12's pool and writes its table: readers that sleep holding a mapping fail", () => {
    const r = cli(['sweep', '--zsmalloc', TREES['6.12'], '--param', 'reader-hold=0,1ms', '--duration', '1', '--seed', '4']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const csv = readFileSync(join(r.out, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toMatch(/,0,pass,/);
    expect(csv[2]).toMatch(/,1ms,fail,.*slept-in-atomic/);
    expect(r.stdout).toMatch(/FAIL where it must pass: lock=\S+6\.12 reader-hold=1ms/);
    const point = JSON.parse(readFileSync(join(r.out, '6.12_reader-hold-0', 'summary.json'), 'utf8'));
    expect(point.config.zsmalloc.path).toBe(TREES['6.12']);
    expect(point.counters.reader.bytesVerified).toBeGreaterThan(0);
  }, 120_000);

  it('bad input exits 2 in one line: --zsmalloc with --lock, a path that is not a tree, two trees of one name', () => {
    expect(oneLine(cli(['sweep', '--zsmalloc', TREES.mainline, '--lock', 'rwlock', '--param', 'reader-hold=0'], { out: false }))).toMatch(/give one of them/);
    expect(oneLine(cli(['sweep', '--zsmalloc', join(ROOT, 'test/fixtures'), '--param', 'reader-hold=0']))).toMatch(/has no mm\/zsmalloc\.c/);
    const twin = mutant(TREES.mainline, 'waiting-write-trylock');
    expect(oneLine(cli(['sweep', '--zsmalloc', `${TREES.mainline}/mm/zsmalloc.c,${twin}/mm/zsmalloc.c`, '--param', 'reader-hold=0']))).toMatch(/would share the results folder zsmalloc.c_reader-hold-0/);
  }, 60_000);
});
