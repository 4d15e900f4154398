import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DigestSet, NEW } from '../src/explorer/digest-set.js';

const key = (i: number) => createHash('sha1').update(String(i)).digest('binary').slice(0, 12);
/** A first visit, with nobody asleep. */
const added = (set: DigestSet, k: string) => set.visit(k, 0) === NEW;

describe('the set of explored states (DigestSet)', () => {
  it('knows every digest it was given, through its growth, and no other', () => {
    const set = new DigestSet();
    const n = 150_000; // the table starts at 65,536 slots: it doubles twice
    let wrong = 0;
    for (let i = 0; i < n; i++) if (!added(set, key(i))) wrong++;
    expect(set.size).toBe(n);
    for (let i = 0; i < n; i += 3) if (added(set, key(i))) wrong++;
    for (let i = n; i < n + 1000; i++) if (!added(set, key(i))) wrong++;
    expect(wrong).toBe(0);
    expect(set.size).toBe(n + 1000);
  });

  it("keeps 95 bits: two digests that differ only in the last word's lowest bit are one", () => {
    const set = new DigestSet();
    const a = key(1);
    const flipped = a.slice(0, 8) + String.fromCharCode(a.charCodeAt(8) ^ 1) + a.slice(9);
    const other = a.slice(0, 8) + String.fromCharCode(a.charCodeAt(8) ^ 2) + a.slice(9);
    expect(added(set, a)).toBe(true);
    expect(added(set, flipped)).toBe(false);
    expect(added(set, other)).toBe(true);
  });
});

describe("a state's sleep set (DigestSet.visit)", () => {
  it('gives the threads asleep at every earlier visit but awake now, and keeps only those asleep at every visit', () => {
    const set = new DigestSet();
    const k = key(7);
    expect(set.visit(k, 0b0110)).toBe(NEW);
    expect(set.visit(k, 0b0110)).toBe(0); // the same threads asleep: nothing left
    expect(set.visit(k, 0b1110)).toBe(0); // more asleep: still nothing
    expect(set.visit(k, 0b0100)).toBe(0b0010); // thread 1 awake now, asleep before: explore it
    expect(set.visit(k, 0b0110)).toBe(0); // thread 1 was explored by that visit
    expect(set.visit(k, 0)).toBe(0b0100);
    expect(set.visit(k, 0)).toBe(0);
    expect(set.size).toBe(1);
  });
});
