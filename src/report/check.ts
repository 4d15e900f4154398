// What `check` found: one record per part, the verdict, and the table a lock author reads.
import type { Proof } from '../grading/grade.js';
import type { CheckVerdict } from '../grading/vocabulary.js';
import type { MemoryModel } from '../explorer/types.js';

export type CheckPartName = 'explore' | 'explore (weak)' | 'stress: selftest mix' | 'stress: default mix' | 'explore: exhaustive' | 'explore: deep';

/** One client and model the exhaustive part proved: every execution explored, none failed. */
export interface ProvedClient {
  /** The programs, one per thread, as `explore --clients` takes them (RR/RR/WW). */
  client: string;
  /** In words: 2R+1W x 2 sections. */
  shape: string;
  memory: MemoryModel;
  executions: number;
  elapsedMs: number;
}

export interface CheckPart {
  part: CheckPartName;
  /** What the part ran, in a few words (threads, strategies, scenario). */
  ran: string;
  verdict: CheckVerdict;
  /** The time this part was given and the time it took, in ms. */
  budgetMs: number;
  elapsedMs: number;
  /** Wall time from the check's start to this part's first failure (null: none). */
  failedAfterMs: number | null;
  /** The violation kind (stress) or explorer rule; null when the part passed. */
  kind: string | null;
  message: string | null;
  /** The command that reproduces the failure (or reruns the stress run). */
  replay: string | null;
  /** A failure's evidence: the explorer's step trace, or the stress run's diagnosis. */
  evidence: string | null;
  /** A stress run's exit code (an interrupted check exits with the signal's). */
  exitCode?: number;
  /** Explorer iterations run, or stress results folder. */
  iterations?: number;
  dir?: string;
  /** The exhaustive part: what it proved (a pass whose budget ended first is 'not verified: budget'). */
  proof?: Proof;
}

export interface CheckRecord {
  tool: 'zspage-stress';
  command: 'check';
  lock: string;
  /** `check --zsmalloc`: the tree, and the content hash of the sources it read (replay refuses others). */
  zsmalloc?: { path: string; sha256: string };
  seed: number;
  budgetMs: number;
  elapsedMs: number;
  verdict: CheckVerdict;
  exitCode: number;
  /** Wall time from the check's start to its first failure, or null. */
  detectedAfterMs: number | null;
  /** The first failure's kind, part and reproducing command (null when it passed). */
  kind: string | null;
  part: CheckPartName | null;
  replay: string | null;
  /** The exhaustive part verified every client under every model it planned (never on a budget cut). */
  verified: boolean;
  /** What it proved, client by client and model by model (some, when not verified). */
  clients: ProvedClient[];
  parts: CheckPart[];
}

/** The first failing part (in the order they ran), or undefined. */
export function firstFailure(parts: readonly CheckPart[]): CheckPart | undefined {
  return parts.find((p) => p.verdict !== 'pass');
}

const secs = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);

/** The one table: part, verdict, time to failure, violation, reproduce command. */
export function checkTable(record: CheckRecord): string[] {
  const rows = record.parts.map((p) => [
    p.part,
    verdictWord(p),
    secs(p.failedAfterMs),
    p.kind ?? '-',
    p.replay ?? '-',
  ]);
  const head = ['part', 'verdict', 'failed after', 'violation', 'reproduce'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(Math.min(w, 12)))), ...rows.map(line)];
}

/** A part's line as it ends: what it ran and what it found. */
export function checkPartLine(p: CheckPart): string {
  const found = p.verdict === 'pass' ? verdictWord(p) : `${p.verdict.toUpperCase()}${p.kind ? ` ${p.kind}` : ''}`;
  return `check: ${p.part}: ${found} (${p.ran}; ${secs(p.elapsedMs)})`;
}

/** The closing line: the verdict and, for a failure, what failed first and when. */
export function checkVerdictLine(record: CheckRecord): string {
  const f = firstFailure(record.parts);
  const head = `zspage-stress check: ${record.lock}:`;
  if (!f) {
    const proof = record.parts.find((p) => p.proof)?.proof;
    const said = proof === 'verified' ? ', verified' : proof ? ` (${proof})` : '';
    return `${head} PASS${said}: no violation in ${secs(record.elapsedMs)} (budget ${secs(record.budgetMs)}, seed ${record.seed})`;
  }
  const what = f.verdict === 'fail' ? `FAIL ${f.kind}` : f.verdict === 'interrupted' ? 'INTERRUPTED' : 'HARNESS ERROR';
  return `${head} ${what} in ${f.part} after ${secs(f.failedAfterMs)} (seed ${record.seed})${f.message ? `: ${f.message}` : ''}`;
}

/** A part's verdict in the table: the exhaustive part's pass says whether it proved. */
function verdictWord(p: CheckPart): string {
  if (p.verdict !== 'pass') return p.verdict.toUpperCase();
  return p.proof === 'verified' ? 'verified' : p.proof ? `pass (${p.proof})` : 'pass';
}

/** The clients proved, grouped by model: "2R+1W x 2 sections, 1R+2W x 2 sections under sc and weak: 41,210 executions in 6.3 s". */
export function describeProved(clients: readonly ProvedClient[]): string {
  if (clients.length === 0) return 'nothing';
  const byModel = new Map<MemoryModel, string[]>();
  for (const c of clients) byModel.set(c.memory, [...(byModel.get(c.memory) ?? []), c.shape]);
  // one phrase when every model proved the same clients
  const shapes = [...byModel.values()].map((s) => s.join(', '));
  const what = shapes.every((s) => s === shapes[0])
    ? `${shapes[0]} under ${[...byModel.keys()].join(' and ')}`
    : [...byModel].map(([m, s]) => `${s.join(', ')} under ${m}`).join('; ');
  const executions = clients.reduce((n, c) => n + c.executions, 0);
  const ms = clients.reduce((n, c) => n + c.elapsedMs, 0);
  return `${what}: ${executions.toLocaleString('en-US')} executions in ${(ms / 1000).toFixed(1)} s`;
}
