// `npm run coverage-table`: the protocol states the default scenario reaches, per correct
// built-in design: how often per second, and how soon after every worker runs. Prints a
// markdown table; with --write it replaces the table in docs/COVERAGE.md.
// `node dist/bench/coverage-table.js [--seconds N] [--scenario NAME] [--seed N] [--write]`
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunConfig } from '../src/coordinator/config.js';
import { runStress } from '../src/coordinator/run.js';
import { entriesOf } from '../src/locks/catalog.js';
import { packageRoot } from '../src/paths.js';
import { sinceAllStarted } from '../src/report/coverage.js';
import type { Summary } from '../src/records/summary.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 5);
const scenario = arg('scenario') ?? 'default';
const seed = Number(arg('seed') ?? 1);
const write = process.argv.includes('--write');
const correct = entriesOf('kernel', 'busted').filter(([, l]) => l.stress.expect === null).map(([name]) => name);

const load = [loadavg()[0]!];
const runs: { lock: string; summary: Summary }[] = [];
for (const lock of correct) {
  const out = mkdtempSync(join(tmpdir(), 'zss-coverage-'));
  const cfg = resolveRunConfig({ scenario, lock, duration: seconds, seed, out: join(out, 'run') });
  const { summary } = await runStress(cfg, () => {});
  rmSync(out, { recursive: true, force: true });
  runs.push({ lock, summary });
  load.push(loadavg()[0]!);
  console.error(`coverage-table: ${lock}: ${summary.verdict}, ${(summary.elapsedMs / 1000).toFixed(1)} s`);
}

const states = Object.keys(runs[0]!.summary.coverage.counts);
const perSecond = (s: Summary, state: string) => {
  const running = (s.elapsedMs - (s.coverage.allStartedMs ?? 0)) / 1000;
  return Math.round(s.coverage.counts[state]! / Math.max(running, 1e-3));
};
const firstHit = (s: Summary, state: string) => {
  const ms = sinceAllStarted(s.coverage, state);
  return ms === null ? 'never' : `${ms} ms`;
};
const head = ['state', ...runs.flatMap(({ lock }) => [`${lock}: per second`, 'first hit'])];
const rows = states.map((state) => [state, ...runs.flatMap(({ summary }) => [String(perSecond(summary, state)), firstHit(summary, state)])]);
const verdicts = runs
  .map(({ lock, summary: s }) => {
    const started = s.coverage.allStartedMs;
    const running = started === null ? 'some worker never started' : `every worker running from ${started} ms, for ${((s.elapsedMs - started) / 1000).toFixed(1)} s`;
    return `${lock}: ${s.verdict}, seed ${s.seed}, ${running}`;
  })
  .join('; ');
const table = [
  `| ${head.join(' | ')} |`,
  `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  `Scenario \`${scenario}\`, ${seconds} s per design; rates per second after every worker runs, first hits from that moment. ` +
    `${verdicts}. Node ${process.version}, ${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(' -> ')}, ${new Date().toISOString().slice(0, 10)}.`,
].join('\n');
console.log(table);

if (write) {
  const file = join(packageRoot(), 'docs', 'COVERAGE.md');
  const doc = readFileSync(file, 'utf8');
  const [start, end] = ['<!-- coverage-table -->', '<!-- /coverage-table -->'];
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file}: no ${start} ... ${end} markers`);
  writeFileSync(file, `${doc.slice(0, a + start.length)}\n${table}\n${doc.slice(b)}`);
  console.error(`coverage-table: written to ${file}`);
}
