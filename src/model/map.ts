// Object access by users: zs_obj_read_begin()/zs_obj_read_end() and zs_obj_write().
// The pool read lock is held only to resolve the handle; the zspage read lock is
// taken before it is dropped, and kept while the object is in use.
import { HND, ZSP } from '../arena/layout.js';
import { poolReadLock, poolReadUnlock } from './kernel-locks.js';
import { SITE } from './lock-sites.js';
import { contentSeed, fillContent, locate, newSegments, payloadSkip, payloadWords, type Segments } from './object.js';
import { zspageReadLock, zspageReadUnlock } from './zspage-lock.js';
import { classSize, handleToObj, hndAt, objIdx, objPfn, pageOwner, zspAt, type Zs } from './zs.js';

/** A mapped object: where it lay when it was mapped. Reused, never reallocated. */
export interface Mapping {
  handle: number;
  obj: number;
  zspage: number;
  seg: Segments;
}

export const newMapping = (): Mapping => ({ handle: -1, obj: -1, zspage: -1, seg: newSegments() });

// zs_obj_read_begin(): resolve under the pool read lock, then hand over to the zspage read lock.
export function zsObjReadBegin(zs: Zs, h: number, m: Mapping): void {
  const { mem, cpu } = zs;
  poolReadLock(cpu, mem, zs.L.pool, SITE.zs_obj_read_begin);
  const obj = handleToObj(zs, h);
  const z = pageOwner(zs, objPfn(zs, obj));
  zspageReadLock(zs, z, SITE.zs_obj_read_begin);
  poolReadUnlock(cpu, mem, zs.L.pool, SITE.zs_obj_read_begin);
  mapObject(zs, h, obj, z, m);
}

// zs_obj_read_end(): resolves the handle to its zspage again, without any lock, and
// unlocks that zspage. With a correct lock it is the one read-locked (the object cannot
// move while it is held); with a broken one it is where the object is now. Returns the
// zspage unlocked, or -1 when the handle resolves to no zspage at all (a page freed or
// not yet published): there the kernel would follow a stale pointer, and nothing is unlocked.
export function zsObjReadEnd(zs: Zs, m: Mapping): number {
  const z = zsObjReadEndZspage(zs, m);
  if (z >= 0) zspageReadUnlock(zs, z, SITE.zs_obj_read_end);
  return z;
}

/** The zspage zs_obj_read_end() will unlock: the handle resolved again, or -1. */
export function zsObjReadEndZspage(zs: Zs, m: Mapping): number {
  const obj = handleToObj(zs, m.handle);
  return obj < 0 ? -1 : pageOwner(zs, objPfn(zs, obj));
}

// Unlike zs_obj_read_end(), it unlocks the zspage it locked.
export function zsObjWrite(zs: Zs, h: number, version: number, m: Mapping): void {
  zsObjReadBegin(zs, h, m);
  zs.mem[hndAt(zs, h, HND.VERSION)] = version;
  fillContent(zs.mem, m.seg, contentSeed(h, version));
  zspageReadUnlock(zs, m.zspage, SITE.zs_obj_write);
}

/** Lays out the payload of object `obj` (handle `h`) of zspage `z`. */
export function mapObject(zs: Zs, h: number, obj: number, z: number, m: Mapping): void {
  const c = zs.mem[zspAt(zs, z, ZSP.CLASS)]!;
  const words = payloadWords(zs.mem[hndAt(zs, h, HND.SIZE)]!);
  locate(zs, z, classSize(zs, c), objIdx(zs, obj), payloadSkip(zs, c), words, m.seg);
  m.handle = h;
  m.obj = obj;
  m.zspage = z;
}
