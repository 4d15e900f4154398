// Durations ("50us", "1.5ms", "30s", "0") and sizes ("64MiB", "4096").

const DURATION = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/;
const NS_PER: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Nanoseconds, or null if `text` is not a duration. */
export function parseDuration(text: string | number): number | null {
  if (text === 0 || text === '0') return 0;
  if (typeof text !== 'string') return null;
  const m = DURATION.exec(text.trim());
  return m ? Math.round(Number(m[1]) * NS_PER[m[2]!]!) : null;
}

const SIZE = /^(\d+)(B|KiB|MiB|GiB)?$/;
const BYTES_PER: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Bytes, or null if `text` is not a size. */
export function parseSize(text: string | number): number | null {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : null;
  const m = SIZE.exec(text.trim());
  return m ? Number(m[1]) * BYTES_PER[m[2] ?? 'B']! : null;
}

export function formatNs(ns: number): string {
  if (ns === 0) return '0';
  if (ns % 1e9 === 0) return `${ns / 1e9}s`;
  if (ns % 1e6 === 0) return `${ns / 1e6}ms`;
  if (ns % 1e3 === 0) return `${ns / 1e3}us`;
  return `${ns}ns`;
}
