import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DigestSet } from '../src/explorer/digest-set.js';

const key = (i: number) => createHash('sha1').update(String(i)).digest('binary').slice(0, 12);

describe('the set of explored states (DigestSet)', () => {
  it('knows every digest it was given, through its growth, and no other', () => {
    const set = new DigestSet();
    const n = 150_000; // the table starts at 65,536 slots: it doubles twice
    let wrong = 0;
    for (let i = 0; i < n; i++) if (!set.add(key(i))) wrong++;
    expect(set.size).toBe(n);
    for (let i = 0; i < n; i += 3) if (set.add(key(i))) wrong++;
    for (let i = n; i < n + 1000; i++) if (!set.add(key(i))) wrong++;
    expect(wrong).toBe(0);
    expect(set.size).toBe(n + 1000);
  });

  it("keeps 95 bits: two digests that differ only in the last word's lowest bit are one", () => {
    const set = new DigestSet();
    const a = key(1);
    const flipped = a.slice(0, 8) + String.fromCharCode(a.charCodeAt(8) ^ 1) + a.slice(9);
    const other = a.slice(0, 8) + String.fromCharCode(a.charCodeAt(8) ^ 2) + a.slice(9);
    expect(set.add(a)).toBe(true);
    expect(set.add(flipped)).toBe(false);
    expect(set.add(other)).toBe(true);
  });
});
