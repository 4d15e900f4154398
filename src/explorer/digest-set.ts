// The states state caching has explored (exhaustive.ts), by their keys: 96-bit digests
// (state-key.ts) kept in an open-addressing table of three Int32 words each, not as strings
// in a Set. A few million states take tens of megabytes, not a gigabyte, and nothing per
// state for the garbage collector to walk.

/** The words of an empty slot: a digest is stored with its lowest bit set, so none is all zeros. */
const EMPTY = 0;

export class DigestSet {
  private table = new Int32Array(3 << 16);
  private mask = (1 << 16) - 1;
  size = 0;

  /** Adds the digest `key` (12 characters, one byte each: stateKey()); false if it was there. */
  add(key: string): boolean {
    const a = word(key, 0);
    const b = word(key, 4);
    const c = word(key, 8) | 1;
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * 3;
      const x = this.table[at + 2]!;
      if (x === EMPTY) {
        this.table[at] = a;
        this.table[at + 1] = b;
        this.table[at + 2] = c;
        if (++this.size * 2 > this.mask) this.grow();
        return true;
      }
      if (x === c && this.table[at] === a && this.table[at + 1] === b) return false;
    }
  }

  private grow(): void {
    const old = this.table;
    this.mask = this.mask * 2 + 1;
    this.table = new Int32Array((this.mask + 1) * 3);
    for (let at = 0; at < old.length; at += 3) {
      if (old[at + 2] === EMPTY) continue;
      let i = old[at]! & this.mask;
      while (this.table[i * 3 + 2] !== EMPTY) i = (i + 1) & this.mask;
      this.table.set(old.subarray(at, at + 3), i * 3);
    }
  }
}

function word(key: string, from: number): number {
  return key.charCodeAt(from) | (key.charCodeAt(from + 1) << 8) | (key.charCodeAt(from + 2) << 16) | (key.charCodeAt(from + 3) << 24);
}
