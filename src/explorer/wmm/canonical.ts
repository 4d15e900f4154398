// The weak memory as exhaustive exploration's state caching keys it (WeakMemory.canonical,
// whose comment says what is left out and why).
import type { Access, Loc, ThreadMem } from './records.js';

/** A missing view: no message releases it, no fence has set it. */
const NO_VIEW = new Int32Array(0);
/** The race-check records of a word no plain access reaches: none the check will read. */
const NONE: readonly (Access | null)[] = [];

/**
 * The memory's state as state caching keys it (state-key.ts), canonical: what no thread in
 * `live` (those that may still access memory) can tell apart gets one text, and what numbers
 * the path is renumbered.
 * - A location's messages are those some live thread may still read: not older than the
 *   oldest live view of it, nor than `history` allows. A position is kept as how far back
 *   from the newest it is, clamped there (a view older than that reads as that).
 * - An access on record (the race check's) is kept while some other live thread has not
 *   seen it: views only grow, so one every live thread has seen races with nothing again.
 * - A thread's clock in a view is kept as how many of the thread's accesses kept it covers:
 *   the race check only compares the two, a join takes maxima, which counts keep, and the
 *   thread's next access is past every view's clock but its own.
 * - A view is only ever joined into a live thread's (its release, the global one of smp_mb()),
 *   so what every live thread has seen, it is taken to have seen too: a position is clamped
 *   at the oldest live one (above), a clock raised to the lowest live one.
 * - A thread not live is left out (the end-of-run checker joins every view, and reads the newest).
 * Locations from `valued` on (the payload) are keyed by their race-check records alone: only
 * plain accesses reach them, and a plain load reads the newest message, so neither their
 * messages (values written, never compared) nor any view's position in them decides anything.
 * A lock word not in `plainKeyed` (a bit each) is keyed without its race-check records: only a
 * plain access to it reads them, and none will come. A lock word in `unloaded` is keyed by its
 * newest message alone, and no view's position in it: no live thread will load it or cmpxchg
 * it, the only ops that may read an older message (an RMW reads the newest, and so does a
 * plain load, race-free). What will come is learned (learned.ts).
 * Left out as only reported: each message's writer, step, text and ordering, each thread's
 * reads, the race (the run stops at it).
 */
export function canonicalText(
  m: { locs: readonly Loc[]; L: number; history: number },
  threads: readonly ThreadMem[],
  sc: Int32Array,
  valued: number,
  live: readonly number[],
  plainKeyed: number,
  unloaded: number,
): string {
  const T = threads.length;
  const lows: number[] = [];
  for (let i = 0; i < m.locs.length; i++) {
    const len = m.locs[i]!.msgs.length;
    let low = len - 1;
    for (const u of live) low = Math.min(low, threads[u]!.cur[i]!);
    lows.push((unloaded >> i) & 1 ? len - 1 : Math.max(low, len - m.history));
  }
  const alive = (a: Access | null): a is Access => {
    if (a === null) return false;
    for (const t of live) if (t !== a.tid && threads[t]!.cur[m.L + a.tid]! < a.clock) return true;
    return false;
  };
  // the race check's records of each location, and of those the ones still alive
  const records = raceRecords(m.locs, valued, plainKeyed);
  const kept: (Access | null)[] = [];
  // each thread's clocks on record, sorted: a clock in a view is known by how many it covers
  const ranks: number[][] = [];
  for (let u = 0; u < T; u++) ranks.push([]);
  for (const last of records) {
    for (const a of last) {
      const k = alive(a) ? a : null;
      kept.push(k);
      if (k) insertOnce(ranks[k.tid]!, k.clock);
    }
  }
  const rank = (u: number, c: number): number => {
    const r = ranks[u]!;
    let n = 0;
    while (n < r.length && r[n]! <= c) n++;
    return n;
  };
  // what every live thread has seen, of each location and each thread's clock
  const floor = new Int32Array(m.L + T).fill(0x7fffffff);
  for (const u of live) for (let i = 0; i < floor.length; i++) floor[i] = Math.min(floor[i]!, threads[u]!.cur[i]!);
  // a view as one character an entry (each a small count; a view has as many as locations and threads)
  const view = (v: Int32Array): string => {
    if (v === NO_VIEW) return '-';
    let s = '';
    for (let i = 0; i < valued; i++) {
      const len = m.locs[i]!.msgs.length;
      s += String.fromCharCode(48 + Math.min(len - 1 - v[i]!, len - 1 - lows[i]!)); // 0 for a word in `unloaded`
    }
    for (let u = 0; u < T; u++) s += String.fromCharCode(48 + rank(u, Math.max(v[m.L + u]!, floor[m.L + u]!)));
    return s;
  };
  let s = view(sc);
  for (const u of live) {
    const t = threads[u]!;
    const cur = view(t.cur);
    const acq = view(t.acq);
    s += `|${u}:${cur}/${acq === cur ? '=' : acq}/${view(t.relFence ?? NO_VIEW)}`; // '=': as cur (most often)
  }
  let k = 0;
  for (let i = 0; i < m.locs.length; i++) {
    const l = m.locs[i]!;
    s += '\n';
    for (let p = lows[i]!; i < valued && p < l.msgs.length; p++) {
      const m = l.msgs[p]!;
      s += `${m.val}:${m.hi ?? ''}@${view(m.view ?? NO_VIEW)};`;
    }
    for (let j = 0; j < 4; j++) {
      s += '|';
      for (let n = records[4 * i + j]!.length; n > 0; n--) {
        const a = kept[k++];
        s += a ? String.fromCharCode(48 + rank(a.tid, a.clock)) : '-'; // one character a record (as many as threads)
      }
    }
  }
  return s;
}

/** Each location's race-check records (four lists, one entry a thread), none for a lock word not in `plainKeyed`. */
function raceRecords(locs: readonly Loc[], valued: number, plainKeyed: number): (readonly (Access | null)[])[] {
  const records: (readonly (Access | null)[])[] = [];
  for (let i = 0; i < locs.length; i++) {
    const l = locs[i]!;
    if (i >= valued || (plainKeyed >> i) & 1) records.push(l.lastW, l.lastR, l.lastPW, l.lastPR);
    else records.push(NONE, NONE, NONE, NONE);
  }
  return records;
}

/** Puts `x` into the sorted list `r` unless it is there (a few clocks: no sort, no closure). */
function insertOnce(r: number[], x: number): void {
  let i = r.length;
  while (i > 0 && r[i - 1]! > x) i--;
  if (i > 0 && r[i - 1] === x) return;
  r.splice(i, 0, x);
}
