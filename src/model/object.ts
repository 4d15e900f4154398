// Where an object lies in its zspage's chain of page frames, and what its bytes are.
// Objects are packed back to back (offset = index * class size), so an object may
// straddle two pages; the two segments are described in Int32 words.
import { PG, ZSP } from '../arena/layout.js';
import { ZS_HANDLE_SIZE } from './size-class.js';
import { clsAt, frameAt, pgAt, zspAt, type Zs } from './zs.js';
import { CLS } from '../arena/layout.js';

/** Freed objects and pages are filled with this (POISON_FREE). */
export const POISON_WORD = 0x6b6b6b6b;

/** Two word ranges: [seg0, seg0 + len0) then [seg1, seg1 + len1). */
export interface Segments {
  seg0: number;
  len0: number;
  seg1: number;
  len1: number;
}

export const newSegments = (): Segments => ({ seg0: 0, len0: 0, seg1: 0, len1: 0 });

/** The page frame in which object `idx` of zspage `z` starts. */
export function objStartPage(zs: Zs, z: number, size: number, idx: number): number {
  return zs.mem[zspAt(zs, z, ZSP.PAGES + Math.floor((idx * size) / zs.pageSize))]!;
}

/**
 * Lays `words` words starting `skipBytes` into slot `idx` of zspage `z` over the chain:
 * the payload (skip = handle size) or the whole slot (skip 0).
 */
export function locate(zs: Zs, z: number, size: number, idx: number, skipBytes: number, words: number, out: Segments): void {
  const start = idx * size + skipBytes;
  const slot = Math.floor(start / zs.pageSize);
  const inPage = start - slot * zs.pageSize;
  const first = zs.mem[zspAt(zs, z, ZSP.PAGES + slot)]!;
  const room = (zs.pageSize - inPage) >> 2;
  out.seg0 = frameAt(zs, first) + (inPage >> 2);
  if (words <= room) {
    out.len0 = words;
    out.seg1 = 0;
    out.len1 = 0;
  } else {
    out.len0 = room;
    out.seg1 = frameAt(zs, zs.mem[zspAt(zs, z, ZSP.PAGES + slot + 1)]!);
    out.len1 = words - room;
  }
}

/** Payload words of an object of `userSize` bytes (its last word is padded into the slot's slack). */
export const payloadWords = (userSize: number) => (userSize + 3) >> 2;

export function payloadSkip(zs: Zs, c: number): number {
  return zs.mem[clsAt(zs, c, CLS.HUGE)] === 1 ? 0 : ZS_HANDLE_SIZE;
}

/** The seed of an object's content: a different word sequence for every (handle, version). */
export function contentSeed(handle: number, version: number): number {
  let x = Math.imul(handle ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(version + 1, 0x85ebca77);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  return x | 0;
}

const STEP = 0x9e3779b1 | 0;

/** Word `word` of the content with this seed (what fillContent writes there). */
export const contentWord = (seed: number, word: number) => (seed + Math.imul(word, STEP)) | 0;

// `seed | 0`: a seed beyond the small-integer range reaches these loops as a heap
// number, and without it every word is compared in floating point, 4x slower.
export function fillContent(mem: Int32Array, s: Segments, seed: number): void {
  let v = seed | 0;
  for (let i = s.seg0, end = s.seg0 + s.len0; i < end; i++, v = (v + STEP) | 0) mem[i] = v;
  for (let i = s.seg1, end = s.seg1 + s.len1; i < end; i++, v = (v + STEP) | 0) mem[i] = v;
}

/** Index (in payload words) of the first word that differs from the content, or -1. */
export function verifyContent(mem: Int32Array, s: Segments, seed: number): number {
  let v = seed | 0;
  for (let i = s.seg0, end = s.seg0 + s.len0; i < end; i++, v = (v + STEP) | 0) {
    if (mem[i] !== v) return i - s.seg0;
  }
  for (let i = s.seg1, end = s.seg1 + s.len1; i < end; i++, v = (v + STEP) | 0) {
    if (mem[i] !== v) return s.len0 + i - s.seg1;
  }
  return -1;
}

export function wordAt(mem: Int32Array, s: Segments, word: number): number {
  return word < s.len0 ? mem[s.seg0 + word]! : mem[s.seg1 + word - s.len0]!;
}

export function poison(mem: Int32Array, s: Segments): void {
  mem.fill(POISON_WORD, s.seg0, s.seg0 + s.len0);
  if (s.len1 > 0) mem.fill(POISON_WORD, s.seg1, s.seg1 + s.len1);
}

export function poisonPage(zs: Zs, pfn: number): void {
  const at = frameAt(zs, pfn);
  zs.mem.fill(POISON_WORD, at, at + zs.pageWords);
}

/** Copies `words` words from one segment pair to another (zs_object_copy()). */
export function copySegments(mem: Int32Array, from: Segments, to: Segments): void {
  const total = from.len0 + from.len1;
  let done = 0;
  while (done < total) {
    const src = done < from.len0 ? from.seg0 + done : from.seg1 + done - from.len0;
    const srcLeft = done < from.len0 ? from.len0 - done : total - done;
    const dst = done < to.len0 ? to.seg0 + done : to.seg1 + done - to.len0;
    const dstLeft = done < to.len0 ? to.len0 - done : total - done;
    const n = Math.min(srcLeft, dstLeft);
    mem.copyWithin(dst, src, src + n);
    done += n;
  }
}

// obj_allocated(): the handle stored with an allocated object, or -1.
// A non-huge object keeps it in its first word, tagged OBJ_ALLOCATED_TAG (bit 0);
// a huge object keeps it in its page (zpdesc->handle).
export function objAllocatedHandle(zs: Zs, z: number, c: number, idx: number): number {
  const size = zs.mem[clsAt(zs, c, CLS.SIZE)]!;
  const start = idx * size;
  const slot = Math.floor(start / zs.pageSize);
  const pfn = zs.mem[zspAt(zs, z, ZSP.PAGES + slot)]!;
  if (zs.mem[clsAt(zs, c, CLS.HUGE)] === 1) return zs.mem[pgAt(zs, pfn, PG.HANDLE)]!;
  const head = zs.mem[frameAt(zs, pfn) + ((start - slot * zs.pageSize) >> 2)]!;
  return (head & 1) === 1 ? head >> 1 : -1;
}

/** Word index of the first word of slot `idx` (never straddles: slots start 16-byte aligned). */
export function slotHeadAt(zs: Zs, z: number, size: number, idx: number): number {
  const start = idx * size;
  const slot = Math.floor(start / zs.pageSize);
  return frameAt(zs, zs.mem[zspAt(zs, z, ZSP.PAGES + slot)]!) + ((start - slot * zs.pageSize) >> 2);
}
