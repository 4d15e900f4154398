// Fullness groups and the per-class fullness lists (class->fullness_list[]).
// Every function here runs under the class lock.
import { CLS, ZSP } from '../arena/layout.js';
import { clsAt, zspAt, type Zs } from './zs.js';

export const ZS_INUSE_RATIO_0 = 0;
export const ZS_INUSE_RATIO_10 = 1;
export const ZS_INUSE_RATIO_99 = 10;
export const ZS_INUSE_RATIO_100 = 11;
export const ISOLATED = -1;

// get_fullness_group()
export function fullnessGroup(inuse: number, objsPerZspage: number): number {
  if (inuse === 0) return ZS_INUSE_RATIO_0;
  if (inuse === objsPerZspage) return ZS_INUSE_RATIO_100;
  return Math.floor(Math.floor((100 * inuse) / objsPerZspage) / 10) + 1;
}

export function zspageFullness(zs: Zs, c: number, z: number): number {
  return fullnessGroup(zs.mem[zspAt(zs, z, ZSP.INUSE)]!, zs.mem[clsAt(zs, c, CLS.OBJS_PER_ZSPAGE)]!);
}

// insert_zspage(): at the head of the group's list.
export function insertZspage(zs: Zs, c: number, z: number, fg: number): void {
  const { mem } = zs;
  const head = clsAt(zs, c, CLS.FULLNESS_HEAD + fg);
  const first = mem[head]!;
  mem[zspAt(zs, z, ZSP.PREV)] = -1;
  mem[zspAt(zs, z, ZSP.NEXT)] = first;
  if (first >= 0) mem[zspAt(zs, first, ZSP.PREV)] = z;
  mem[head] = z;
  mem[clsAt(zs, c, CLS.FULLNESS_COUNT + fg)]!++;
  mem[zspAt(zs, z, ZSP.FULLNESS)] = fg;
}

// remove_zspage()
export function removeZspage(zs: Zs, c: number, z: number): void {
  const { mem } = zs;
  const fg = mem[zspAt(zs, z, ZSP.FULLNESS)]!;
  const prev = mem[zspAt(zs, z, ZSP.PREV)]!;
  const next = mem[zspAt(zs, z, ZSP.NEXT)]!;
  if (prev >= 0) mem[zspAt(zs, prev, ZSP.NEXT)] = next;
  else mem[clsAt(zs, c, CLS.FULLNESS_HEAD + fg)] = next;
  if (next >= 0) mem[zspAt(zs, next, ZSP.PREV)] = prev;
  mem[clsAt(zs, c, CLS.FULLNESS_COUNT + fg)]!--;
  mem[zspAt(zs, z, ZSP.FULLNESS)] = ISOLATED;
  mem[zspAt(zs, z, ZSP.PREV)] = -1;
  mem[zspAt(zs, z, ZSP.NEXT)] = -1;
}

// fix_fullness_group(): move to the list of its new group, if it changed.
export function fixFullnessGroup(zs: Zs, c: number, z: number): number {
  const fg = zspageFullness(zs, c, z);
  if (fg !== zs.mem[zspAt(zs, z, ZSP.FULLNESS)]) {
    removeZspage(zs, c, z);
    insertZspage(zs, c, z, fg);
  }
  return fg;
}

// find_get_zspage(): the fullest zspage with room, ratio 99 down to 0.
export function findGetZspage(zs: Zs, c: number): number {
  for (let fg = ZS_INUSE_RATIO_99; fg >= ZS_INUSE_RATIO_0; fg--) {
    const z = zs.mem[clsAt(zs, c, CLS.FULLNESS_HEAD + fg)]!;
    if (z >= 0) return z;
  }
  return -1;
}

// isolate_src_zspage(): the sparsest, ratio 10 up to 99.
export function isolateSrcZspage(zs: Zs, c: number): number {
  for (let fg = ZS_INUSE_RATIO_10; fg <= ZS_INUSE_RATIO_99; fg++) {
    const z = zs.mem[clsAt(zs, c, CLS.FULLNESS_HEAD + fg)]!;
    if (z >= 0) {
      removeZspage(zs, c, z);
      return z;
    }
  }
  return -1;
}

/** The zspage isolate_src_zspage() would take, left on its list; -1 if none. */
export function sparsestZspage(zs: Zs, c: number): number {
  for (let fg = ZS_INUSE_RATIO_10; fg <= ZS_INUSE_RATIO_99; fg++) {
    const z = zs.mem[clsAt(zs, c, CLS.FULLNESS_HEAD + fg)]!;
    if (z >= 0) return z;
  }
  return -1;
}

// isolate_dst_zspage(): the densest, ratio 99 down to 10.
export function isolateDstZspage(zs: Zs, c: number): number {
  for (let fg = ZS_INUSE_RATIO_99; fg >= ZS_INUSE_RATIO_10; fg--) {
    const z = zs.mem[clsAt(zs, c, CLS.FULLNESS_HEAD + fg)]!;
    if (z >= 0) {
      removeZspage(zs, c, z);
      return z;
    }
  }
  return -1;
}

// putback_zspage()
export function putbackZspage(zs: Zs, c: number, z: number): number {
  const fg = zspageFullness(zs, c, z);
  insertZspage(zs, c, z, fg);
  return fg;
}
