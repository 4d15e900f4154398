// The states state caching has explored (exhaustive.ts), by their keys: 96-bit digests
// (state-key.ts) kept in an open-addressing table of four Int32 words each (the digest and the
// state's sleep set), not as strings in a Set. A few million states take tens of megabytes,
// not a gigabyte, and nothing per state for the garbage collector to walk.

/** What DigestSet.visit returns for a state not visited before. */
export const NEW = -1;

/** The words of an empty slot: a digest is stored with its lowest bit set, so none is all zeros. */
const EMPTY = 0;

export class DigestSet {
  private table = new Int32Array(4 << 16);
  private mask = (1 << 16) - 1;
  size = 0;

  /**
   * A visit of the state whose digest is `key` (12 characters, one byte each: stateKey()) with the threads in `asleep` asleep (a bit each): NEW the first time,
   * which stores `asleep`; after that the threads asleep at every earlier visit but awake now,
   * the only ones not explored from the state yet (0: nothing is left), and the stored set
   * becomes those asleep at every visit (Godefroid's state caching with sleep sets).
   */
  visit(key: string, asleep: number): number {
    const a = word(key, 0);
    const b = word(key, 4);
    const c = word(key, 8) | 1;
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * 4;
      const x = this.table[at + 2]!;
      if (x === EMPTY) {
        this.table[at] = a;
        this.table[at + 1] = b;
        this.table[at + 2] = c;
        this.table[at + 3] = asleep;
        if (++this.size * 2 > this.mask) this.grow();
        return NEW;
      }
      if (x === c && this.table[at] === a && this.table[at + 1] === b) {
        const before = this.table[at + 3]!;
        this.table[at + 3] = before & asleep;
        return before & ~asleep;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.mask = this.mask * 2 + 1;
    this.table = new Int32Array((this.mask + 1) * 4);
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 2] === EMPTY) continue;
      let i = old[at]! & this.mask;
      while (this.table[i * 4 + 2] !== EMPTY) i = (i + 1) & this.mask;
      this.table.set(old.subarray(at, at + 4), i * 4);
    }
  }
}

function word(key: string, from: number): number {
  return key.charCodeAt(from) | (key.charCodeAt(from + 1) << 8) | (key.charCodeAt(from + 2) << 16) | (key.charCodeAt(from + 3) << 24);
}
