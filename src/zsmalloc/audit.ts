// The quiescent audit of the kernel's pool, run on one CPU while no other is in the kernel
// (every role parked at a stutter, or done at the end): each class's fullness lists against
// each zspage's inuse, its magic and class, and the class statistics (zsh_inspect.h's
// zsh_audit()); then every object the roles hold, read through the kernel's own read path
// and checked byte for byte, as zram would read it back.
import type { ViolationKind } from '../grading/vocabulary.js';
import { KOBJ, KOBJ_WORDS } from './layout.js';
import { readObject } from './roles.js';
import type { KernelPool } from './runtime.js';

/** zsh_audit()'s checks, by its ZSH_AUDIT_* numbering. */
const CHECKS = ['ok', 'zspage magic', 'zspage class', 'fullness group', 'inuse over objs_per_zspage', 'zspages in the group against its statistic', 'objects allocated', 'objects in use'];

export interface KernelAudit {
  /** zspages walked, or -1 when the fullness lists are wrong. */
  zspages: number;
  objects: number;
  bytes: number;
  problems: { kind: ViolationKind; message: string }[];
}

export function auditKernelPool(pool: KernelPool): KernelAudit {
  const { mem } = pool;
  const out = pool.scratch;
  const problems: KernelAudit['problems'] = [];
  const zspages = pool.call(() => pool.x.zsh_audit(out));
  if (zspages < 0) {
    const [cls, group, what, found, expected] = Array.from(mem.subarray(out >> 2, (out >> 2) + 5));
    const where = `class ${cls}${group! >= 0 ? `, fullness group ${group}` : ''}`;
    problems.push({ kind: 'audit', message: `${where}: audit check ${what} (${CHECKS[what!] ?? '?'}) found ${found}, expected ${expected}` });
    // lists that do not hold together may lead a read astray: the objects wait for a sound pool
    return { zspages, objects: 0, bytes: 0, problems };
  }
  let objects = 0;
  let bytes = 0;
  const report = (message: string) => problems.push({ kind: 'integrity', message: `audit: ${message.replace(', while the object was mapped', '')}` });
  for (let slot = 0; slot < pool.L.objectSlots; slot++) {
    if (mem[pool.L.objects + slot * KOBJ_WORDS + KOBJ.HANDLE] === 0) continue;
    bytes += pool.call(() => readObject(pool, slot, null, report));
    objects++;
  }
  return { zspages, objects, bytes, problems };
}
