// The explorer on the kernel's own zsmalloc.c: small programs, one kernel call at a time,
// random and PCT schedules, replayed exactly.
import { describe, expect, it } from 'vitest';
import { exploreKernel, type KernelExploreOptions } from '../src/coordinator/kernel-explore.js';
import { cli } from './helpers.js';
import { TREES, mutated } from './zsmalloc-mutations.js';


const options = (zsmalloc: string, program: string, patch: Partial<KernelExploreOptions> = {}): KernelExploreOptions => ({
  zsmalloc,
  program,
  strategy: 'random',
  depth: 3,
  iterations: 60,
  seed: 3,
  objects: 8,
  objectSize: 1000,
  maxSteps: 200_000,
  ...patch,
});


describe('explore --zsmalloc', () => {
  // the programs: a reader holding an object while its page migrates and its
  // neighbour is freed; two compactors beside a reader; frees that defer to the work item
  // while a migration holds a page lock
  for (const program of ['R0s/M0/F1', 'C/C/R0s', 'F0,F1,F2,F3/M4/D']) {
    it(`mainline runs ${program} clean under random and PCT schedules`, async () => {
      for (const strategy of ['random', 'pct'] as const) {
        const r = await exploreKernel(options(TREES.mainline, program, { strategy }));
        expect(r.failure, r.failure?.message).toBeNull();
        expect(r.iterations).toBe(60);
        expect(r.steps).toBeGreaterThan(60);
      }
    }, 120_000);
  }

  it('6.12: a reader that sleeps with its object mapped fails at once (slept-in-atomic)', async () => {
    const r = await exploreKernel(options(TREES['6.12'], 'R0s/M0'));
    expect(r.failure?.kind).toBe('slept-in-atomic');
  }, 60_000);

  it('a write trylock that ignores readers fails, and its replay runs the same execution', () => {
    const tree = mutated(TREES.mainline, [['if (zsl->cnt == ZS_PAGE_UNLOCKED) {', 'if (zsl->cnt != ZS_PAGE_WRLOCKED) {']]);
    const found = cli(['explore', '--zsmalloc', tree, '--program', 'R0s/M0', '--strategy', 'pct', '--iterations', '100'], { out: false });
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(/FAIL exclusion: a writer entered zspage lock/);
    const replay = /--replay '([^']+)'/.exec(found.stdout)![1]!;
    const again = cli(['explore', '--zsmalloc', tree, '--replay', replay], { out: false });
    expect(again.code).toBe(1);
    // the same execution: the same violation, after as many kernel calls
    const verdict = (out: string) => out.split('\n')[0]!.replace(/; \d+ executions?, .*$/, '');
    expect(verdict(again.stdout)).toBe(verdict(found.stdout));
    expect(again.stdout).toMatch(/; 1 execution, /);
  }, 120_000);

  it('a program it cannot read is bad input: exit 2, one line', () => {
    const bad = cli(['explore', '--zsmalloc', TREES.mainline, '--program', 'R0s/X1'], { out: false });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^[^\n]*'X1' is not an operation/);
  });
});
