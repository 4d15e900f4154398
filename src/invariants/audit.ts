// The audit, run by the coordinator while every worker is parked (stutter) and at
// the end: every lock free, every count adding up, every live object intact.
import { CLS, HDR, HND, NR_FULLNESS_GROUPS, PG, POOL, readersIn, SHADOW, STACK, writersIn, ZSP } from '../arena/layout.js';
import { fullnessGroup } from '../model/fullness.js';
import { contentSeed, locate, newSegments, objAllocatedHandle, payloadSkip, payloadWords, verifyContent } from '../model/object.js';
import { classIdForSize } from '../model/size-class.js';
import { clsAt, hndAt, locationToObj, objIdx, objPfn, pgAt, zspAt, zspLockAt, zspShadowAt, type Zs } from '../model/zs.js';
import { callAs } from '../locks/calling-context.js';
import { SpinBudgetExceeded, type BoundedAtomics } from '../atomics/bounded.js';
import type { ViolationSink } from './violation.js';

export interface AuditResult {
  problems: number;
  objects: number;
  zspages: number;
  bytes: number;
}

/** Whether zspage z's lock is free (a write trylock takes it): null, or what is wrong. */
export type LockFreeCheck = (z: number) => string | null;

/**
 * The lock check in this thread, each call bounded by `atomics`' budget (see lock-auditor for
 * one in a worker), each made in its kernel caller's context (`atomics` shares `zs.cpu`).
 */
export function boundedLockCheck(zs: Zs, atomics: BoundedAtomics): LockFreeCheck {
  const { lock, mem, cpu } = zs;
  return (z) => {
    // A user's lock encoding is its own: a lock is free if a write trylock takes it.
    const at = zspLockAt(zs, z);
    atomics.reset();
    try {
      if (!callAs(cpu, 'writeTrylock', () => lock.writeTrylock(mem, at))) {
        return `lock is not free with every worker parked (words ${lockWords(zs, z)})`;
      }
      atomics.reset();
      callAs(cpu, 'writeUnlock', () => lock.writeUnlock(mem, at));
      const warning = atomics.takeWarning();
      return warning === null ? null : `${warning} fired while the audit took the idle lock (words ${lockWords(zs, z)})`;
    } catch (err) {
      if (!(err instanceof SpinBudgetExceeded)) throw err;
      return `writeTrylock did not return with every worker parked (${err.message}; words ${lockWords(zs, z)})`;
    }
  };
}

/** Reports at most this many problems per audit; one is enough to fail a run. */
const MAX_REPORTS = 20;

export function auditPool(zs: Zs, lockCheck: BoundedAtomics | LockFreeCheck, sink: ViolationSink): AuditResult {
  const lockFree = typeof lockCheck === 'function' ? lockCheck : boundedLockCheck(zs, lockCheck);
  const { mem, L } = zs;
  const result: AuditResult = { problems: 0, objects: 0, zspages: 0, bytes: 0 };
  const fail = (kind: 'audit' | 'integrity', msg: string, z?: number, h?: number) => {
    if (result.problems++ < MAX_REPORTS) sink.report(kind, `audit: ${msg}`, z, h);
  };
  const pages = L.params.pages;
  const pageSeen = new Uint8Array(pages); // 1 free, 2 in a zspage

  if (mem[L.pool + POOL.STATE] !== 0) fail('audit', `pool lock is held (state ${mem[L.pool + POOL.STATE]})`);
  if (mem[L.pageAlloc + STACK.LOCK] !== 0 || mem[L.zspageAlloc + STACK.LOCK] !== 0) fail('audit', 'an allocator lock is held');
  if (mem[HDR.COMPACTING] !== 0) fail('audit', 'compaction_in_progress is set');

  const freeTop = mem[L.pageAlloc + STACK.TOP]!;
  for (let i = 0; i < freeTop; i++) {
    const pfn = mem[L.freePages + i]!;
    if (pageSeen[pfn] !== 0) fail('audit', `page ${pfn} is on the free list twice`);
    pageSeen[pfn] = 1;
    if (mem[pgAt(zs, pfn, PG.OWNER)] !== -1) fail('audit', `free page ${pfn} has owner zspage ${mem[pgAt(zs, pfn, PG.OWNER)]}`);
  }

  const classes = zs.table.classes.length;
  const inuseOf = new Float64Array(classes);
  const zspagesOf = new Float64Array(classes);
  const listed = new Float64Array(classes);
  for (let z = 0; z < L.maxZspages; z++) {
    const c = mem[zspAt(zs, z, ZSP.CLASS)]!;
    if (c < 0) continue;
    result.zspages++;
    zspagesOf[c]!++;
    auditZspage(zs, z, c, lockFree, pageSeen, inuseOf, fail);
  }
  for (let c = 0; c < classes; c++) {
    const objs = mem[clsAt(zs, c, CLS.OBJS_PER_ZSPAGE)]!;
    if (mem[clsAt(zs, c, CLS.LOCK)] !== 0) fail('audit', `class ${c} lock is held`);
    if (mem[clsAt(zs, c, CLS.OBJS_INUSE)] !== inuseOf[c]) {
      fail('audit', `class ${c}: ZS_OBJS_INUSE ${mem[clsAt(zs, c, CLS.OBJS_INUSE)]}, zspages hold ${inuseOf[c]}`);
    }
    if (mem[clsAt(zs, c, CLS.OBJS_ALLOCATED)] !== zspagesOf[c]! * objs) {
      fail('audit', `class ${c}: ZS_OBJS_ALLOCATED ${mem[clsAt(zs, c, CLS.OBJS_ALLOCATED)]}, ${zspagesOf[c]} zspages of ${objs}`);
    }
    for (let fg = 0; fg < NR_FULLNESS_GROUPS; fg++) {
      let n = 0;
      for (let z = mem[clsAt(zs, c, CLS.FULLNESS_HEAD + fg)]!; z >= 0 && n <= L.maxZspages; z = mem[zspAt(zs, z, ZSP.NEXT)]!) {
        n++;
        if (mem[zspAt(zs, z, ZSP.FULLNESS)] !== fg || mem[zspAt(zs, z, ZSP.CLASS)] !== c) {
          fail('audit', `zspage ${z} is on class ${c}'s fullness list ${fg} but is class ${mem[zspAt(zs, z, ZSP.CLASS)]}, group ${mem[zspAt(zs, z, ZSP.FULLNESS)]}`, z);
        }
      }
      if (n !== mem[clsAt(zs, c, CLS.FULLNESS_COUNT + fg)]) fail('audit', `class ${c}: fullness list ${fg} has ${n} zspages, count says ${mem[clsAt(zs, c, CLS.FULLNESS_COUNT + fg)]}`);
      listed[c]! += n;
    }
    if (listed[c] !== zspagesOf[c]) fail('audit', `class ${c}: ${zspagesOf[c]} zspages, ${listed[c]} on fullness lists`);
  }
  for (let pfn = 0; pfn < pages; pfn++) {
    if (pageSeen[pfn] === 0) fail('audit', `page ${pfn} is neither free nor in a zspage (leaked)`);
  }
  auditHandles(zs, result, fail);
  return result;
}

type Fail = (kind: 'audit' | 'integrity', msg: string, z?: number, h?: number) => void;

function auditZspage(zs: Zs, z: number, c: number, lockFree: LockFreeCheck, pageSeen: Uint8Array, inuseOf: Float64Array, fail: Fail): void {
  const { mem } = zs;
  const shadow = zspShadowAt(zs, z);
  const holders = mem[shadow + SHADOW.HOLDERS]!;
  if (readersIn(holders) !== 0 || writersIn(holders) !== 0) {
    fail('audit', `zspage ${z}: shadow says ${readersIn(holders)} reader(s), ${writersIn(holders)} writer(s) inside`, z);
  }
  const lockProblem = lockFree(z);
  if (lockProblem !== null) fail('audit', `zspage ${z}: ${lockProblem}`, z);
  const nr = mem[zspAt(zs, z, ZSP.NR_PAGES)]!;
  for (let i = 0; i < nr; i++) {
    const pfn = mem[zspAt(zs, z, ZSP.PAGES + i)]!;
    if (pageSeen[pfn] !== 0) fail('audit', `page ${pfn} of zspage ${z} is also ${pageSeen[pfn] === 1 ? 'free' : 'in another zspage'}`, z);
    pageSeen[pfn] = 2;
    if (mem[pgAt(zs, pfn, PG.OWNER)] !== z) fail('audit', `page ${pfn} of zspage ${z} names owner ${mem[pgAt(zs, pfn, PG.OWNER)]}`, z);
    if (mem[pgAt(zs, pfn, PG.LOCK)] !== 0) fail('audit', `page ${pfn} is locked`, z);
  }
  const objs = mem[clsAt(zs, c, CLS.OBJS_PER_ZSPAGE)]!;
  const inuse = mem[zspAt(zs, z, ZSP.INUSE)]!;
  let allocated = 0;
  for (let idx = 0; idx < objs; idx++) if (objAllocatedHandle(zs, z, c, idx) >= 0) allocated++;
  if (allocated !== inuse) fail('audit', `zspage ${z}: inuse ${inuse}, ${allocated} objects tagged allocated`, z);
  inuseOf[c]! += inuse;
  if (mem[zspAt(zs, z, ZSP.FULLNESS)] !== fullnessGroup(inuse, objs)) {
    fail('audit', `zspage ${z}: fullness group ${mem[zspAt(zs, z, ZSP.FULLNESS)]}, inuse ${inuse}/${objs} means ${fullnessGroup(inuse, objs)}`, z);
  }
}

export function lockWords(zs: Zs, z: number): string {
  const at = zspLockAt(zs, z);
  return `[${Array.from(zs.mem.subarray(at, at + zs.L.params.lockWords)).join(', ')}]`;
}

function auditHandles(zs: Zs, result: AuditResult, fail: Fail): void {
  const { mem } = zs;
  const seg = newSegments();
  for (let h = 0; h < zs.L.params.handles; h++) {
    const obj = mem[hndAt(zs, h, HND.LOCATION)]!;
    if (obj < 0) continue;
    result.objects++;
    const pfn = objPfn(zs, obj);
    const z = pfn < zs.L.params.pages ? mem[pgAt(zs, pfn, PG.OWNER)]! : -1;
    if (z < 0) {
      fail('audit', `handle ${h} points to page ${pfn}, which is not in a zspage`, -1, h);
      continue;
    }
    const c = mem[zspAt(zs, z, ZSP.CLASS)]!;
    const idx = objIdx(zs, obj);
    const size = mem[hndAt(zs, h, HND.SIZE)]!;
    if (c !== classIdForSize(zs.table, size)) fail('audit', `handle ${h} (${size} bytes) is in class ${c}`, z, h);
    if (idx >= mem[clsAt(zs, c, CLS.OBJS_PER_ZSPAGE)]! || objAllocatedHandle(zs, z, c, idx) !== h) {
      fail('audit', `handle ${h} points to object ${idx} of zspage ${z}, which is not tagged with it`, z, h);
      continue;
    }
    const csize = mem[clsAt(zs, c, CLS.SIZE)]!;
    if (locationToObj(zs, mem[zspAt(zs, z, ZSP.PAGES + Math.floor((idx * csize) / zs.pageSize))]!, idx) !== obj) {
      fail('audit', `handle ${h} names page ${pfn}, but object ${idx} of zspage ${z} starts elsewhere`, z, h);
      continue;
    }
    locate(zs, z, csize, idx, payloadSkip(zs, c), payloadWords(size), seg);
    const bad = verifyContent(mem, seg, contentSeed(h, mem[hndAt(zs, h, HND.VERSION)]!));
    result.bytes += (seg.len0 + seg.len1) * 4;
    if (bad >= 0) fail('integrity', `handle ${h}: payload byte ${bad * 4} is wrong at rest (zspage ${z})`, z, h);
  }
}
