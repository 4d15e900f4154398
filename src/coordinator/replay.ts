// `replay`: a run again from its record (summary.json), with the same configuration, lock
// or kernel tree, and seed; or a check's first failing part from its check.json. A run on
// the kernel's own zsmalloc.c replays only on the same sources: the record names the tree
// and the content hash of the files it read, and another file is refused (bad input).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadInputError } from '../errors.js';
import { EXIT } from '../grading/grade.js';
import type { Summary } from '../records/summary.js';
import { firstFailure, type CheckRecord } from '../report/check.js';
import { parseScenario } from '../scenario/load.js';
import { readZsmallocTree, sourcesHash } from '../zsmalloc/compile.js';
import type { KernelStressTuning } from '../zsmalloc/mutations.js';
import { resolveRunConfig } from './config.js';
import { replayKernelExplorePart } from './kernel-check.js';
import { runKernelRun } from './kernel-run.js';
import { runStress } from './run.js';

export interface ReplayOptions {
  /** A summary.json or check.json, or the folder holding one. */
  record: string;
  out?: string;
  /** Replay a kernel-pool run on this tree instead of the recorded one (same sources). */
  zsmalloc?: string;
}

type Loaded = { kind: 'run'; file: string; summary: Summary } | { kind: 'check'; file: string; check: CheckRecord };

export async function replay(opts: ReplayOptions, log: (line: string) => void): Promise<number> {
  const loaded = readRecord(opts.record);
  if (loaded.kind === 'run') return replayRun(loaded.file, loaded.summary, opts, log);
  const { check, file } = loaded;
  const part = firstFailure(check.parts);
  if (!part) throw new BadInputError(`replay: the check in ${file} passed: it has no failure to replay`);
  if (part.dir) {
    const file = join(part.dir, 'summary.json');
    log(`zspage-stress: replaying the check's first failing part, ${part.part}`);
    return replayRun(file, readRecordFile(file) as Summary, opts, log);
  }
  const schedule = /--replay '([^']+)'/.exec(part.replay ?? '')?.[1];
  if (!check.zsmalloc || !schedule) throw new BadInputError(`replay: the check's failing part '${part.part}' replays with: ${part.replay ?? '(none recorded)'}`);
  const tree = sameSources(check.zsmalloc.path, check.zsmalloc.sha256, null, opts.zsmalloc);
  log(`zspage-stress: replaying the check's first failing part, ${part.part}: ${schedule} on ${tree} (exactly: the schedule decides every step)`);
  // the explorer's default PCT depth unless the replay names one
  const depth = Number(/--depth (\d+)/.exec(part.replay ?? '')?.[1] ?? 2);
  const r = await replayKernelExplorePart(tree, schedule, depth);
  if (!r) {
    log(`zspage-stress: ${schedule} on ${tree}: the execution runs clean`);
    return EXIT.pass;
  }
  log(`zspage-stress: ${schedule} on ${tree}: FAIL ${r.kind}: ${r.message} (after ${r.steps} kernel calls)`);
  return EXIT.violation;
}

async function replayRun(file: string, summary: Summary, opts: ReplayOptions, log: (line: string) => void): Promise<number> {
  const kernel = summary.config.zsmalloc as { path: string; sha256?: string; tuning?: KernelStressTuning } | undefined;
  if (!kernel && opts.zsmalloc) throw new BadInputError(`replay: ${file} is a run of ${summary.lock.name} on the model; --zsmalloc replays only runs on a kernel tree`);
  const tree = kernel ? sameSources(kernel.path, kernel.sha256 ?? null, summary.lock.source?.sha256 ?? null, opts.zsmalloc) : null;
  log(
    `zspage-stress: replaying ${summary.runId} (seed ${summary.seed}). Threads are scheduled by the OS, so a rerun ` +
      'is likely but not certain to fail the same way; `zspage-stress explore` replays an interleaving exactly.',
  );
  const cfg = resolveRunConfig({
    loaded: { name: summary.scenario, file, scenario: parseScenario(summary.config.scenario, file) },
    ...(kernel ? {} : { lock: summary.lock.module ? fileURLToPath(summary.lock.module) : summary.lock.ref }),
    seed: summary.seed,
    keepGoing: summary.config.keepGoing === true,
    ...(opts.out ? { out: opts.out } : {}),
  });
  if (!kernel || tree === null) return (await runStress(cfg, log)).exitCode;
  return (await runKernelRun(cfg, tree, log, kernel.tuning)).exitCode;
}

/**
 * The tree to replay on (`override`, else the recorded one), refused unless its sources are
 * those the run read: `sha256` of all of them (sourcesHash), or of zsmalloc.c alone (older records).
 */
function sameSources(recorded: string, sha256: string | null, fileSha256: string | null, override: string | undefined): string {
  const path = override ?? recorded;
  const src = readZsmallocTree(path);
  const now = sha256 ? sourcesHash(src) : createHash('sha256').update(src.source).digest('hex');
  const then = sha256 ?? fileSha256;
  if (then && now !== then) {
    throw new BadInputError(`replay: ${path} is not the source the run used (its zsmalloc sources hash to ${now.slice(0, 12)}, the run's to ${then.slice(0, 12)})`);
  }
  return path;
}

function readRecord(path: string): Loaded {
  const dir = existsSync(path) && statSync(path).isDirectory();
  const file = !dir ? path : existsSync(join(path, 'summary.json')) ? join(path, 'summary.json') : join(path, 'check.json');
  const json = readRecordFile(file);
  return (json as CheckRecord).command === 'check' ? { kind: 'check', file, check: json as CheckRecord } : { kind: 'run', file, summary: json as Summary };
}

function readRecordFile(file: string): Summary | CheckRecord {
  if (!existsSync(file)) throw new BadInputError(`replay: no such summary or check record: ${file}`);
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Summary | CheckRecord;
    if ((s as CheckRecord).command === 'check') {
      if (!Array.isArray((s as CheckRecord).parts)) throw new Error('missing its parts');
    } else if (typeof s.seed !== 'number' || !(s as Summary).lock || !(s as Summary).config?.scenario) throw new Error('missing seed, lock or config');
    return s;
  } catch (err) {
    throw new BadInputError(`replay: ${file} is not a zspage-stress summary or check record: ${(err as Error).message}`);
  }
}
