// docs/BENCHMARKS.md's tables, rendered from bench/results.json (see bench/docs.ts).
import { rate, type Row } from './report.js';

export interface BenchResults {
  date: string;
  node: string;
  cpus: number;
  loadAverage: number[];
  seconds: number;
  rows: Row[];
  /** Sections run again later and merged in (node dist/bench/index.js SECTION... --merge). */
  updates?: { date: string; sections: string[]; loadAverage: number[]; seconds: number }[];
}

const budgetCell = (r: Row) => (r.budget === undefined ? '' : `${r.budget} ${r.met ? 'met' : '**missed**'}`);
const group = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

/** Generated parts of docs/BENCHMARKS.md by name. */
export function benchSections(d: BenchResults): Record<string, string[]> {
  return {
    'bench-results': results(d),
    'bench-budgets': budgets(d.rows),
    'bench-growth-workers': workers(d.rows),
    'bench-growth-arena': arena(d.rows),
  };
}

/** Every row that answers to a budget: met or missed. */
function budgets(rows: Row[]): string[] {
  const out = ['| benchmark | measured | ratio | budget |', '|---|---|---|---|'];
  for (const r of rows.filter((r) => r.budget !== undefined)) out.push(`| ${r.name} | ${r.measured} | ${r.ratio.toFixed(2)}x | ${budgetCell(r)} |`);
  return out;
}

/** The run's conditions, then one table per run of consecutive rows of a section. */
function results(d: BenchResults): string[] {
  const out = [
    `Run of ${d.date.slice(0, 16).replace('T', ' ')} UTC (\`bench/results.json\`): node ${d.node}, ${d.cpus} cores, ` +
      `load average ${d.loadAverage.map((l) => l.toFixed(1)).join(' -> ')} over the sections, ${Math.round(d.seconds)} s of benchmarks.` +
      (d.updates ?? [])
        .map((u) => ` Sections ${u.sections.join(', ')} run again ${u.date.slice(0, 16).replace('T', ' ')} UTC (load average ${u.loadAverage.map((l) => l.toFixed(1)).join(' -> ')}).`)
        .join(''),
  ];
  let section: string | null = null;
  for (const r of d.rows) {
    if (r.section !== section) {
      section = r.section;
      out.push('', `**${section}**`, '', '| benchmark | measured | against | ratio | budget |', '|---|---|---|---|---|');
    }
    out.push(`| ${r.name} | ${r.measured} | ${r.against} | ${r.ratio.toFixed(2)}x | ${budgetCell(r)} |`);
  }
  return out;
}

function workers(rows: Row[]): string[] {
  const out = [
    '| threads | harness, total | harness, per thread-CPU s | bare, total | bare, per thread-CPU s | ratio |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows.filter((r) => r.section === 'growth' && r.raw.threads !== undefined)) {
    const x = r.raw as Record<string, number>;
    out.push(
      `| ${x.threads} | ${rate(x.harnessOpsPerSec!)} | ${rate(x.harnessOpsPerCpuSecPerThread!)} | ${rate(x.bareOpsPerSec!)} | ${rate(x.bareOpsPerCpuSecPerThread!)} | ${r.ratio.toFixed(2)}x |`,
    );
  }
  return out;
}

function arena(rows: Row[]): string[] {
  const out = [
    '| arena | live objects | build, CPU | fill floor | audit, CPU | scan floor | harness reader, 2 threads, per thread-CPU s | bare loop | ratio |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const sizeOf = (name: string) => /(\d+) MiB/.exec(name)?.[1];
  const growth = rows.filter((r) => r.section === 'growth' && r.raw.arenaMiB !== undefined);
  for (const b of rows.filter((r) => r.section === 'arena' && r.name.startsWith('build:'))) {
    const mib = sizeOf(b.name)!;
    const a = rows.find((r) => r.section === 'arena' && r.name.startsWith('audit:') && sizeOf(r.name) === mib);
    const g = growth.find((r) => String(r.raw.arenaMiB) === mib);
    const objects = b.raw.objects!;
    const perObject = (msCpu: number) => `${((msCpu * 1000) / objects).toFixed(2)} µs/object`;
    const label = Number(mib) >= 1024 ? `${Number(mib) / 1024} GiB` : `${mib} MiB`;
    out.push(
      `| ${label} | ${group(objects)} | ${Math.round(b.raw.buildCpuMs!)} ms (${perObject(b.raw.buildCpuMs!)}) | ${Math.round(b.raw.fillFloorCpuMs!)} ms | ` +
        (a ? `${Math.round(a.raw.auditCpuMs!)} ms (${perObject(a.raw.auditCpuMs!)}) | ${Math.round(a.raw.scanCpuMs!)} ms | ` : '— | — | ') +
        (g ? `${rate(g.raw.harnessOpsPerCpuSecPerThread!)} | ${rate(g.raw.bareOpsPerCpuSecPerThread!)} | ${g.ratio.toFixed(2)}x |` : '— | — | — |'),
    );
  }
  return out;
}
