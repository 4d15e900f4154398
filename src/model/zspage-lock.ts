// zspage_read_lock() and friends: the lock under test, with the hooks the kernel
// would have as lockdep annotations. A writer holds preemption off for its whole
// write section (the seed's preempt_disable(), 6.15's held spinlock).
import { zspLockAt, type Zs } from './zs.js';

export function zspageReadLock(zs: Zs, z: number): void {
  zs.hooks.readBegin(z);
  zs.lock.readLock(zs.mem, zspLockAt(zs, z));
  zs.hooks.readAcquired(z);
}

export function zspageReadUnlock(zs: Zs, z: number): void {
  zs.hooks.readReleasing(z);
  zs.lock.readUnlock(zs.mem, zspLockAt(zs, z));
  zs.hooks.readReleased(z);
}

export function zspageWriteTrylock(zs: Zs, z: number): boolean {
  zs.hooks.trylockBegin(z);
  const ok = zs.lock.writeTrylock(zs.mem, zspLockAt(zs, z)) === true;
  if (ok) zs.cpu.preemptCount++;
  zs.hooks.trylockEnd(z, ok);
  return ok;
}

export function zspageWriteUnlock(zs: Zs, z: number): void {
  zs.hooks.writeReleasing(z);
  zs.lock.writeUnlock(zs.mem, zspLockAt(zs, z));
  zs.hooks.writeReleased(z);
  zs.cpu.preemptCount--;
}

export function zspageLockInit(zs: Zs, z: number): void {
  zs.lock.init(zs.mem, zspLockAt(zs, z));
}
