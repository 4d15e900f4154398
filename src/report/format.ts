// Formatting shared by the terminal tables and the HTML reports.

/** A latency in the unit that keeps it readable: 850 ns, 12.3 us, 4.56 ms, 1.20 s. */
export function formatLatency(ns: number): string {
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

export const formatPercent = (fraction: number | null) => (fraction === null ? '-' : `${(100 * fraction).toFixed(2)}%`);

/** Columns padded to their widest cell; the first column left-aligned, the rest right-aligned. */
export function textTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** An HTML table; cells are text (escaped) unless given as { html }. */
export function htmlTable(head: string[], rows: (string | { html: string })[][], className = ''): string {
  const cell = (c: string | { html: string }, tag: string) => `<${tag}>${typeof c === 'string' ? escapeHtml(c) : c.html}</${tag}>`;
  return (
    `<table${className ? ` class="${className}"` : ''}><thead><tr>${head.map((h) => cell(h, 'th')).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tbody></table>`
  );
}
