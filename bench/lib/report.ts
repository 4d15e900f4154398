// Rows of the benchmark table: every figure a ratio against what it was measured
// beside, with both raw figures, and the budget it answers to where there is one.
export interface Row {
  section: string;
  name: string;
  /** The measured figure, formatted, e.g. "41.2 M/s". */
  measured: string;
  /** What it is compared with, formatted, e.g. "floor 52.0 M/s". */
  against: string;
  ratio: number;
  /** Budget as text, e.g. ">= 0.80x", and whether the ratio meets it. */
  budget?: string;
  met?: boolean;
  /** Why a missed budget is missed and what would close it (printed under the table). */
  note?: string;
  /** Raw numbers for results.json. */
  raw: Record<string, number>;
}

export const rate = (opsPerSec: number) =>
  opsPerSec >= 1e6 ? `${(opsPerSec / 1e6).toFixed(1)} M/s` : `${(opsPerSec / 1e3).toFixed(0)} k/s`;
export const ns = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} ms` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} µs` : `${n.toFixed(1)} ns`);
export const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export function printTable(rows: Row[], out: (line: string) => void): void {
  const head = ['section', 'benchmark', 'measured', 'against', 'ratio', 'budget'];
  const cells = rows.map((r) => [
    r.section,
    r.name,
    r.measured,
    r.against,
    `${r.ratio.toFixed(2)}x`,
    r.budget === undefined ? '' : `${r.budget} ${r.met ? 'met' : 'MISSED'}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  out(line(head));
  out(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) out(line(c));
  const missed = rows.filter((r) => r.met === false);
  if (missed.length > 0) out('');
  for (const r of missed) out(`MISSED ${r.name}: ${r.note ?? 'no note'}`);
}

/** `{ budget, met, note }` for a row: the note is kept only when the budget is missed. */
export function budget(text: string, met: boolean, note: () => string): Pick<Row, 'budget' | 'met' | 'note'> {
  return met ? { budget: text, met } : { budget: text, met, note: note() };
}
