// `selftest --zsmalloc PATH`: the checks proved on the user's own tree. The tree as given
// must pass the selftest scenario; each known zspage lock change (src/zsmalloc/mutations.ts)
// applied to it must be caught, with a violation of a kind it is known for. A change whose
// edits do not match the tree's version, or whose edited file does not compile, is skipped
// with why. Each edited tree is written into the selftest's results, so a row replays.
import { join } from 'node:path';
import { BadInputError } from '../errors.js';
import type { Summary } from '../records/summary.js';
import { compileZsmalloc, readZsmallocTree } from '../zsmalloc/compile.js';
import { applyEdits, MUTATIONS, writeTree, type ZsmallocMutation } from '../zsmalloc/mutations.js';
import { zsmallocApi } from '../zsmalloc/version.js';
import { resolveRunConfig } from './config.js';
import { runKernelRun } from './kernel-run.js';
import { formatRow, type SelftestOutcome, type SelftestRow } from './selftest.js';

export interface KernelSelftestOptions {
  zsmalloc: string;
  /** Seconds the tree as given must run clean; seconds a change gets to be caught. */
  duration: number;
  timeout: number;
  seed: number;
  seeds: number;
  out: string;
  /** Only these changes (names in MUTATIONS); default all. */
  mutations?: string[];
}

export const AS_GIVEN = 'as given';

export async function runKernelSelftest(opts: KernelSelftestOptions, log: (line: string) => void): Promise<SelftestOutcome> {
  const src = readZsmallocTree(opts.zsmalloc);
  // a tree that does not compile is bad input before anything runs
  await compileZsmalloc(opts.zsmalloc);
  // zs_obj_read_begin() (6.17+) reads into the caller's buffer without atomic context; a
  // zs_map_object() mapping is held with preemption off, so its readers must not sleep
  const sleepingReaders = zsmallocApi(src.source, src.display).readBegin;
  if (!sleepingReaders) log(`${AS_GIVEN}: ${src.display} maps objects with zs_map_object(): its readers do not sleep holding`);
  const rows: SelftestRow[] = [];
  const asGiven = await runRow(opts, AS_GIVEN, opts.zsmalloc, null, sleepingReaders);
  rows.push(asGiven.row);
  log(formatRow(asGiven.row));
  if (asGiven.interrupted !== null) return { rows, interrupted: asGiven.interrupted };
  for (const m of MUTATIONS.filter((m) => !opts.mutations || opts.mutations.includes(m.name))) {
    const dir = join(opts.out, m.name);
    const edited = applyEdits(src.source, m.edits);
    let skipped = 'skipped' in edited ? `does not apply to this version: ${edited.skipped}` : null;
    const tree = 'source' in edited ? writeTree(join(dir, 'tree'), edited.source, src) : null;
    if (tree) {
      try {
        await compileZsmalloc(tree);
      } catch (err) {
        if (!(err instanceof BadInputError)) throw err;
        skipped = `does not compile on this version: ${err.message}`;
      }
    }
    if (skipped !== null || !tree) {
      const row = skippedRow(m, dir, skipped ?? '');
      rows.push(row);
      log(formatRow(row));
      continue;
    }
    const r = await runRow(opts, m.name, tree, m, sleepingReaders);
    rows.push(r.row);
    log(formatRow(r.row));
    if (r.interrupted !== null) return { rows, interrupted: r.interrupted };
  }
  return { rows, interrupted: null };
}

/** One row's stress runs, a seed each: a mutation's with its tuning, for `timeout` seconds. */
async function runRow(opts: KernelSelftestOptions, name: string, tree: string, m: ZsmallocMutation | null, sleepingReaders: boolean) {
  const dir = join(opts.out, name.replace(/\W+/g, '-'));
  const seeds = Array.from({ length: opts.seeds }, (_, i) => opts.seed + i);
  const found: (string | null)[] = [];
  const firstViolationMs: (number | null)[] = [];
  let interrupted: number | null = null;
  for (const seed of seeds) {
    const cfg = resolveRunConfig({
      scenario: 'selftest',
      seed,
      duration: m ? opts.timeout : opts.duration,
      out: opts.seeds > 1 ? join(dir, `seed-${seed}`) : join(dir, 'run'),
      ...(sleepingReaders ? {} : { patch: (s) => void (s.readers.sleepFraction = 0) }),
    });
    const { summary, exitCode } = await runKernelRun(cfg, tree, () => {}, m?.tuning);
    firstViolationMs.push(summary.firstViolationMs);
    if (summary.verdict === 'fail') found.push(summary.violations[0]?.kind ?? 'unknown');
    else if (summary.verdict !== 'pass') found.push(summary.verdict);
    else found.push(m === null && missingKernelEvidence(summary, sleepingReaders).length > 0 ? 'no evidence' : null);
    if (summary.ended === 'interrupted') {
      interrupted = exitCode;
      break;
    }
  }
  const expect: string[] = m?.expect ?? [];
  const row: SelftestRow = {
    lock: name,
    expected: m ? expect.join('|') : 'pass',
    found,
    firstViolationMs,
    seeds: seeds.slice(0, found.length),
    stressOk: m ? found.every((f) => f !== null && expect.includes(f)) : found.every((f) => f === null),
    ...NO_EXPLORER,
    dir,
  };
  return { row, interrupted };
}

/** A kernel selftest row runs no explorer (docs/ZSMALLOC.md). */
const NO_EXPLORER = { explorerRule: null, explorerFound: null, explorerIterations: 0, explorerOk: true, explorerRan: false } as const;

function skippedRow(m: ZsmallocMutation, dir: string, why: string): SelftestRow {
  return {
    lock: m.name,
    expected: m.expect.join('|'),
    found: [],
    firstViolationMs: [],
    seeds: [],
    stressOk: true,
    ...NO_EXPLORER,
    dir,
    skipped: why,
  };
}

/** What a passing run of the tree as given must show: the roles at work on the kernel's pool. */
export function missingKernelEvidence(s: Summary, sleepingReaders: boolean): string[] {
  const evidence: [string, number][] = [
    ['bytes verified', s.counters.reader?.bytesVerified ?? 0],
    ['pages migrated', s.counters.migrator?.migrated ?? 0],
    ...(sleepingReaders ? [['sleeping reads', s.counters.reader?.sleepingReads ?? 0] as [string, number]] : []),
  ];
  return evidence.filter(([, n]) => !(n > 0)).map(([what]) => what);
}
