// A data race in words, for reports (WeakMemory's race check).
import type { Access, ReadRecord } from './records.js';

/**
 * Why `other` does not happen before thread `tid`'s access, in words: the latest message of
 * other's thread, written after it, that `tid` read, and what was missing on that edge.
 */
export function explainRace(reads: readonly ReadRecord[], L: number, tid: number, other: Access): string {
  for (let i = reads.length - 1; i >= 0; i--) {
    const r = reads[i]!;
    if (r.msg.tid !== other.tid || r.msg.clock < other.clock) continue;
    const src = `T${r.msg.tid}'s ${r.msg.what} at #${r.msg.step} (${r.msg.order})`;
    const released = r.msg.view !== null && r.msg.view[L + other.tid]! >= other.clock;
    if (!released) return `T${tid}'s ${r.what} at #${r.step} read ${src}, which releases nothing`;
    return `T${tid}'s ${r.what} at #${r.step} (${r.order}) read ${src} without acquiring`;
  }
  return `T${tid} read nothing T${other.tid} wrote after it through a release/acquire pair`;
}
