// Integrity: an object's bytes are a function of (handle, version), so any reader
// can tell a good object from a stale, poisoned or foreign one.
import type { Mapping } from '../model/map.js';
import { contentWord, POISON_WORD, wordAt } from '../model/object.js';
import type { Zs } from '../model/zs.js';

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** One line saying what a reader saw at the first bad word of a mapping. */
export function describeMismatch(zs: Zs, m: Mapping, seed: number, word: number): string {
  const got = wordAt(zs.mem, m.seg, word);
  const what =
    got === POISON_WORD
      ? 'reads poison: the object was freed or its page migrated'
      : `reads ${hex(got)}, expected ${hex(contentWord(seed, word))}`;
  return `payload byte ${word * 4} in zspage ${m.zspage} ${what}`;
}
