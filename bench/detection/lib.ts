// Time to detect, as a lock author sees it: the data bench/detection.json holds, the locks it
// covers, and the tables docs/DETECTION.md shows (rendered here, so that the doc and a test
// agree on what the data says).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { entriesOf } from '../../src/locks/catalog.js';

export interface CheckSample {
  seed: number;
  verdict: string;
  exitCode: number;
  detectedAfterMs: number | null;
  kind: string | null;
  part: string | null;
  elapsedMs: number;
}

export interface RunSample {
  seed: number;
  verdict: string;
  exitCode: number;
  /** From the run's start (summary.firstViolationMs); null: none within the duration. */
  firstViolationMs: number | null;
  kind: string | null;
}

export interface LockDetection {
  lock: string;
  form: 'built-in' | 'module' | 'C';
  /** What is wrong with it; null for a correct lock. */
  bug: string | null;
  /** A bug only a weak memory model shows: `run` (sequentially consistent) cannot see it, and is not measured. */
  weakOnly?: boolean;
  check: CheckSample[];
  run: RunSample[];
}

export interface DetectionData {
  date: string;
  node: string;
  cpus: number;
  /** 1-minute load average at the start and at the end. */
  loadAverage: number[];
  seconds: number;
  seeds: number[];
  /** The check budget for correct locks, and the duration cap of the `run` measurement, in s. */
  correctBudgetS: number;
  runDurationS: number;
  locks: LockDetection[];
  /** Locks measured again later (--merge), with the conditions of that measurement. */
  updates?: { date: string; loadAverage: number[]; locks: string[]; what?: string }[];
}

export const TARGETS = { checkMedianMs: 1000, checkWorstMs: 5000, runWorstMs: 10_000 } as const;

/** Every lock the measurement covers: built-ins, then lock files under test/fixtures and examples/. */
export function detectionLocks(root: string): Omit<LockDetection, 'check' | 'run'>[] {
  const builtins = entriesOf('kernel', 'busted').map(([name, l]) => ({
    lock: name,
    form: 'built-in' as const,
    bug: l.stress.expect === null ? null : l.summary,
  }));
  const weak = entriesOf('weak').map(([name, l]) => ({
    lock: name,
    form: 'built-in' as const,
    bug: l.weak == null ? null : l.summary,
    ...(l.weak == null ? {} : { weakOnly: true }),
  }));
  const files: Omit<LockDetection, 'check' | 'run'>[] = [];
  // Test fixtures that are locks with a bug (the others are bad modules or fault injections).
  for (const f of BROKEN_FIXTURES) if (existsSync(join(root, f))) files.push(fileLock(root, f));
  const ex = join(root, 'examples');
  if (existsSync(ex)) {
    for (const f of walk(ex).sort()) {
      const rel = f.slice(root.length + 1);
      if (/\.(mjs|js|c)$/.test(rel)) files.push(fileLock(root, rel));
    }
  }
  return [...builtins, ...weak, ...files];
}

const BROKEN_FIXTURES = [
  'test/fixtures/classic-bug-lock.mjs',
  'test/fixtures/c/waiting-trylock.c',
  'test/fixtures/c/writer-sleeps.c',
  'test/fixtures/c/warns.c',
];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * A lock file's bug: its `BUG:` comment, or else the first sentence of its leading comment.
 * A file is broken if its name says so or it marks its bug with `BUG:`; one under a
 * weak-memory folder has a bug only a weak memory model shows.
 */
function fileLock(root: string, rel: string): Omit<LockDetection, 'check' | 'run'> {
  const text = readFileSync(join(root, rel), 'utf8');
  const form = rel.endsWith('.c') ? ('C' as const) : ('module' as const);
  const broken = BROKEN_FIXTURES.includes(rel) || /broken|bug|busted/i.test(rel.replace(/^.*\//, '')) || /\bBUG:/.test(text);
  if (!broken) return { lock: rel, form, bug: null };
  const weakOnly = /(^|\/)weak-memory\//.test(rel) ? { weakOnly: true } : {};
  const tagged = /\bBUG:\s*(.*)/.exec(text)?.[1];
  const lead: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:\/\/|\/\*+|\*\/|\*)\s?(.*?)\s*(?:\*\/)?$/.exec(line);
    if (!m) break;
    if (m[1]) lead.push(m[1]);
  }
  const first = /^(.*?\.)(\s|$)/.exec(lead.join(' '))?.[1] ?? lead.join(' ');
  const bug = (tagged ?? first).replace(/\s*\*\/\s*$/, '') || rel;
  return { lock: rel, form, bug: bug.length > 160 ? `${bug.slice(0, 157)}...` : bug, ...weakOnly };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** Times to detect over the seeds; a seed that found nothing counts as Infinity. */
export function times(samples: { t: number | null }[]): { median: number; worst: number } | null {
  if (samples.length === 0) return null;
  const ts = samples.map((s) => s.t ?? Infinity);
  return { median: median(ts), worst: Math.max(...ts) };
}

const secs = (ms: number) => (ms === Infinity ? 'never' : `${(ms / 1000).toFixed(2)} s`);
const tally = (xs: (string | null)[]) => {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x ?? 'none', (counts.get(x ?? 'none') ?? 0) + 1);
  return [...counts].map(([k, n]) => (counts.size === 1 ? k : `${k} ×${n}`)).join(', ');
};

/** The table of docs/DETECTION.md, from the data. */
export function detectionTable(d: DetectionData): string[] {
  const n = d.seeds.length;
  const out = [
    `| lock | form | bug | \`check\`: median / worst (${n} seeds) | caught first by | \`run\`, default scenario: median / worst |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const l of d.locks) {
    const c = times(l.check.map((s) => ({ t: s.detectedAfterMs })));
    const r = times(l.run.map((s) => ({ t: s.firstViolationMs })));
    if (l.bug === null) {
      const fp = l.check.filter((s) => s.verdict !== 'pass').length;
      const checkCell = fp === 0 ? `pass ×${l.check.length} (${d.correctBudgetS} s each)` : `**${fp} false positive(s)**: ${tally(l.check.map((s) => s.kind))}`;
      out.push(`| ${l.lock} | ${l.form} | none | ${checkCell} | — | ${r ? `pass ×${l.run.filter((s) => s.verdict === 'pass').length}` : '—'} |`);
      continue;
    }
    const by = tally(l.check.map((s) => (s.part ? `${s.part}: ${s.kind}` : null)));
    const runCell = l.weakOnly ? 'not measured: a weak-memory bug, which runs (SC) cannot show' : r ? `${secs(r.median)} / ${secs(r.worst)} (${tally(l.run.map((s) => s.kind))})` : '—';
    out.push(`| ${l.lock} | ${l.form} | ${l.bug.replace(/\|/g, '\\|')} | ${c ? `${secs(c.median)} / ${secs(c.worst)}` : '—'} | ${by} | ${runCell} |`);
  }
  return out;
}

/** One line per target: met or missed, and by which locks. */
export function targetLines(d: DetectionData): string[] {
  const broken = d.locks.filter((l) => l.bug !== null);
  const correct = d.locks.filter((l) => l.bug === null);
  // A lock without check samples has not been measured: it counts as a miss, not a pass.
  const miss = (pred: (l: LockDetection) => boolean) => broken.filter(pred).map((l) => l.lock);
  const checkT = (l: LockDetection) => times(l.check.map((s) => ({ t: s.detectedAfterMs }))) ?? { median: Infinity, worst: Infinity };
  const runT = (l: LockDetection) => times(l.run.map((s) => ({ t: s.firstViolationMs })));
  const line = (what: string, missed: string[], of: number) =>
    `- ${what}: ${missed.length === 0 ? `met by all ${of}` : `**missed** by ${missed.length} of ${of}: ${missed.join(', ')}`}.`;
  const withRun = broken.filter((l) => l.run.length > 0);
  const fps = correct.flatMap((l) => l.check.filter((s) => s.verdict !== 'pass').map(() => l.lock));
  return [
    line(`\`check\` median ≤ ${TARGETS.checkMedianMs / 1000} s`, miss((l) => checkT(l).median > TARGETS.checkMedianMs), broken.length),
    line(`\`check\` worst ≤ ${TARGETS.checkWorstMs / 1000} s`, miss((l) => checkT(l).worst > TARGETS.checkWorstMs), broken.length),
    line(`\`run\` (default scenario) worst ≤ ${TARGETS.runWorstMs / 1000} s`, withRun.filter((l) => runT(l)!.worst > TARGETS.runWorstMs).map((l) => l.lock), withRun.length),
    `- False positives on the correct locks (${correct.map((l) => l.lock).join(', ')}): ${fps.length === 0 ? 'none' : `**${fps.length}** (${fps.join(', ')})`} in ${correct.reduce((a, l) => a + l.check.length, 0)} checks of ${d.correctBudgetS} s.`,
  ];
}

/** The measurement's conditions, one line. */
export function conditionsLine(d: DetectionData): string {
  return (
    `Measured ${d.date.slice(0, 16).replace('T', ' ')} UTC${d.updates?.length ? ' (all but the locks named after)' : ''} with node ${d.node} on ${d.cpus} cores, ` +
    `load average ${d.loadAverage.map((l) => l.toFixed(1)).join(' -> ')} (the machine was shared), ` +
    `seeds ${d.seeds.join(', ')}, ${Math.round(d.seconds / 60)} min in all.` +
    (d.updates ?? [])
      .map((u) => ` ${u.what ?? 'Measured'} ${u.date.slice(0, 16).replace('T', ' ')} UTC, load average ${u.loadAverage.map((l) => l.toFixed(1)).join(' -> ')}: ${u.locks.join(', ')}.`)
      .join('')
  );
}

export function readDetection(file: string): DetectionData {
  return JSON.parse(readFileSync(file, 'utf8')) as DetectionData;
}
