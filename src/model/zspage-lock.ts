// zspage_read_lock() and friends: the lock under test, with the hooks the kernel
// would have as lockdep annotations (rwsem_acquire_read, rwsem_acquire with trylock = 1,
// rwsem_release). Each is called in the context its caller holds (locks/calling-context.ts);
// a write section is atomic by what the lock itself holds (the seed's preempt_disable(),
// 6.15's spinlock), as in the kernel.
import { SITE } from './lock-sites.js';
import { zspLockAt, type Zs } from './zs.js';

export function zspageReadLock(zs: Zs, z: number, site: number): void {
  const { cpu } = zs;
  const at = zspLockAt(zs, z);
  cpu.locks.acquire(at, true, false, site);
  zs.hooks.readBegin(z);
  cpu.lockOp = SITE.zspage_read_lock;
  cpu.lockCaller = site;
  zs.lock.readLock(zs.mem, at);
  cpu.lockOp = -1;
  zs.hooks.readAcquired(z);
}

export function zspageReadUnlock(zs: Zs, z: number, site: number): void {
  const { cpu } = zs;
  const at = zspLockAt(zs, z);
  zs.hooks.readReleasing(z);
  cpu.locks.release(at, site);
  cpu.lockOp = SITE.zspage_read_unlock;
  cpu.lockCaller = site;
  zs.lock.readUnlock(zs.mem, at);
  cpu.lockOp = -1;
  zs.hooks.readReleased(z);
}

export function zspageWriteTrylock(zs: Zs, z: number, site: number): boolean {
  const { cpu } = zs;
  const at = zspLockAt(zs, z);
  zs.hooks.trylockBegin(z);
  cpu.lockOp = SITE.zspage_write_trylock;
  cpu.lockCaller = site;
  const ok = zs.lock.writeTrylock(zs.mem, at) === true;
  cpu.lockOp = -1;
  if (ok) cpu.locks.acquire(at, false, true, site);
  zs.hooks.trylockEnd(z, ok);
  return ok;
}

export function zspageWriteUnlock(zs: Zs, z: number, site: number): void {
  const { cpu } = zs;
  const at = zspLockAt(zs, z);
  zs.hooks.writeReleasing(z);
  cpu.locks.release(at, site);
  cpu.lockOp = SITE.zspage_write_unlock;
  cpu.lockCaller = site;
  zs.lock.writeUnlock(zs.mem, at);
  cpu.lockOp = -1;
  zs.hooks.writeReleased(z);
}

export function zspageLockInit(zs: Zs, z: number): void {
  zs.cpu.lockOp = SITE.zspage_lock_init;
  zs.lock.init(zs.mem, zspLockAt(zs, z));
  zs.cpu.lockOp = -1;
}
