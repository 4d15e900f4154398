/*
 * zspage-stress kernel pool shim: what the harness's checks see of the kernel's locks.
 * Part of zsk_kernel.h.
 *
 * A lockdep map and an rwlock carry their name, as the kernel's lockdep names them
 * (rwlock_init(&zspage->lock) is "&zspage->lock"), so that the harness knows the zspage
 * lock wherever a version keeps it: the lockdep map of the 6.15+ zspage lock
 * ("zspage->lock"), or 6.12's rwlock_t. Lockdep annotations (rwsem_acquire*,
 * lock_acquired, rwsem_release), rwlock and page lock operations are events the harness
 * receives, with the address of the map or lock and the kernel function that took it
 * (__func__ at the macro's use: the acquire site lockdep names). Spinlocks carry their
 * name too ("&class->lock"), and their operations tell the harness the same.
 */
#ifndef ZSK_LOCKS_H
#define ZSK_LOCKS_H

enum { __ZSK_ACQUIRE_READ = 0, __ZSK_ACQUIRE_WRITE = 1, __ZSK_ACQUIRED = 2, __ZSK_CONTENDED = 3, __ZSK_RELEASE = 4 };
enum { __ZSK_SPINLOCK = 0, __ZSK_RWLOCK = 1, __ZSK_LOCKDEP_MAP = 2, __ZSK_LOCAL_LOCK = 3, __ZSK_PAGE_LOCK = 4 };
/*
 * a lockdep event on the lock or map at `lock` of kind `kind` (trylock: rwsem_acquire*'s
 * `try`), in kernel function `func`; a map's, rwlock's or spinlock's name is in it
 * (`name`), as the harness reads it
 */
__zs_kernel(lock_event) void __zsk_lock_event(const volatile void *lock, int event, int trylock, int kind, const char *func);
/* KASAN (harness.c): `p`, a lock about to be taken, is not in a freed page or slab object */
void zsk_kasan_obj(const volatile void *p, const char *func);
/* WARN/BUG with the file that fired it */
__zs_kernel(warn_at) void __zsk_warn_at(const char *file, int line, int kind);

/* ---- bug.h: a WARN or BUG that fires is a violation naming its file and line -------- */
#undef WARN_ON
#undef WARN_ON_ONCE
#undef BUG_ON
#undef BUG
#define WARN_ON(cond) ({ bool __zs_c = !!(cond); if (unlikely(__zs_c)) __zsk_warn_at(__FILE__, __LINE__, __ZS_WARN); __zs_c; })
#define WARN_ON_ONCE(cond) ({ bool __zs_c = !!(cond); if (unlikely(__zs_c)) __zsk_warn_at(__FILE__, __LINE__, __ZS_WARN_ONCE); __zs_c; })
#define BUG_ON(cond) do { if (unlikely(cond)) __zsk_warn_at(__FILE__, __LINE__, __ZS_BUG); } while (0)
#define BUG() __zsk_warn_at(__FILE__, __LINE__, __ZS_BUG)
#define VM_BUG_ON_PAGE(cond, page) BUG_ON(cond)
#define VM_BUG_ON_FOLIO(cond, folio) BUG_ON(cond)
#define VM_WARN_ON_ONCE_PAGE(cond, page) WARN_ON_ONCE(cond)
#define VM_WARN_ON_FOLIO(cond, folio) WARN_ON(cond)
#define VM_WARN_ON_ONCE_FOLIO(cond, folio) WARN_ON_ONCE(cond)

/*
 * ---- spinlock.h: the C locks' spinlock (src/locks/c/spinlock.ts) with a name, as
 * spin_lock_init(&class->lock) names it "&class->lock" in the kernel's lockdep; one
 * kernel call per operation carries the lockdep event with it.
 */
typedef struct { int locked; const char *name; } spinlock_t;
typedef spinlock_t raw_spinlock_t;
#define __SPIN_LOCK_UNLOCKED(n) { 0, #n }
#define __RAW_SPIN_LOCK_UNLOCKED(n) { 0, #n }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RAW_SPINLOCK(x) raw_spinlock_t x = __RAW_SPIN_LOCK_UNLOCKED(x)
#define spin_lock_init(l) do { __zs_store(&(l)->locked, 0, __ZS_RELAXED); (l)->name = #l; } while (0)
__zs_kernel(kspin_lock) void __zsk_spin_lock(spinlock_t *l, const char *func);
__zs_kernel(kspin_unlock) void __zsk_spin_unlock(spinlock_t *l, const char *func);
__zs_kernel(kspin_trylock) int __zsk_spin_trylock(spinlock_t *l, const char *func);
/* a lock in a freed page or slab object is KASAN's (zsk_kasan_obj(), harness.c) */
#define spin_lock(l) do { zsk_kasan_obj((l), __func__); __zsk_spin_lock((l), __func__); } while (0)
#define spin_unlock(l) __zsk_spin_unlock((l), __func__)
#define spin_trylock(l) (zsk_kasan_obj((l), __func__), __zsk_spin_trylock((l), __func__) != 0)
#define spin_is_locked(l) (__zs_load(&(l)->locked, __ZS_RELAXED) != 0)
#define assert_spin_locked(l) BUG_ON(!spin_is_locked(l))
#define lockdep_assert_held(l) do { } while (0)
#define lockdep_assert_held_write(l) do { } while (0)

/*
 * ---- rwlock.h: the queued rwlock (include/asm-generic/qrwlock.h, kernel/locking/qrwlock.c).
 * `cnts` holds the readers (_QR_BIAS each), a waiting writer (_QW_WAITING) and the writer
 * (_QW_LOCKED). The fast paths take it at once when they can, as the kernel's do; a
 * thread that cannot queues on `wait_lock` (a ticket lock: `next` taken, `owner` served),
 * and a queued writer's _QW_WAITING holds back new readers, so readers cannot starve a
 * writer. rwlock_is_contended() is "somebody is queued" (__zs_compact() then yields the
 * pool lock), as queued_rwlock_is_contended() asks whether wait_lock is held. A lock
 * stricter than this (nobody takes it at once while anybody queues) hands every
 * acquisition through the queue, to a thread the OS may not be running: on two cores the
 * pool lock then convoys, and churn and migration crawl.
 */
typedef struct { atomic_t cnts; atomic_t next; atomic_t owner; const char *name; } rwlock_t;
#define __RW_LOCK_UNLOCKED(n) { ATOMIC_INIT(0), ATOMIC_INIT(0), ATOMIC_INIT(0), #n }
#define DEFINE_RWLOCK(x) rwlock_t x = __RW_LOCK_UNLOCKED(x)
#define rwlock_init(l) do { atomic_set(&(l)->cnts, 0); atomic_set(&(l)->next, 0); atomic_set(&(l)->owner, 0); (l)->name = #l; } while (0)
#define rwlock_is_contended(l) (atomic_read(&(l)->next) != atomic_read(&(l)->owner))
#define _QW_WAITING 0x100
#define _QW_LOCKED 0x0ff
#define _QW_WMASK 0x1ff
#define _QR_BIAS 0x200

/* queued_read_trylock() */
static __always_inline bool __zsk_read_trylock(rwlock_t *l)
{
	int c = atomic_read(&l->cnts);

	if (!(c & _QW_WMASK)) {
		if (!(atomic_add_return_acquire(_QR_BIAS, &l->cnts) & _QW_WMASK))
			return true;
		atomic_sub(_QR_BIAS, &l->cnts);
	}
	return false;
}

/* queued_write_trylock() */
static __always_inline bool __zsk_write_trylock(rwlock_t *l)
{
	int c = atomic_read(&l->cnts);

	return c == 0 && atomic_try_cmpxchg_acquire(&l->cnts, &c, _QW_LOCKED);
}

/* arch_spin_lock() / arch_spin_unlock() of wait_lock, a ticket lock */
static inline void __zsk_wait_lock(rwlock_t *l)
{
	int ticket = atomic_fetch_add(1, &l->next);

	atomic_cond_read_acquire(&l->owner, VAL == ticket);
}
#define __zsk_wait_unlock(l) atomic_fetch_add_release(1, &(l)->owner)

/* queued_read_lock_slowpath(): the reader's bias off, in the queue, back on, until no writer holds it */
static inline void __zsk_read_lock_slowpath(rwlock_t *l)
{
	atomic_sub(_QR_BIAS, &l->cnts);
	__zsk_wait_lock(l);
	atomic_add(_QR_BIAS, &l->cnts);
	atomic_cond_read_acquire(&l->cnts, !(VAL & _QW_LOCKED));
	__zsk_wait_unlock(l);
}

/* queued_write_lock_slowpath(): in the queue, then _QW_WAITING until readers and writer are gone */
static inline void __zsk_write_lock_slowpath(rwlock_t *l)
{
	int c;

	__zsk_wait_lock(l);
	c = atomic_read(&l->cnts);
	if (c != 0 || !atomic_try_cmpxchg_acquire(&l->cnts, &c, _QW_LOCKED)) {
		atomic_or(_QW_WAITING, &l->cnts);
		do {
			c = atomic_cond_read_relaxed(&l->cnts, VAL == _QW_WAITING);
		} while (!atomic_try_cmpxchg_acquire(&l->cnts, &c, _QW_LOCKED));
	}
	__zsk_wait_unlock(l);
}

/* queued_read_lock() */
static inline void __zsk_read_lock(rwlock_t *l)
{
	if (atomic_add_return_acquire(_QR_BIAS, &l->cnts) & _QW_WMASK)
		__zsk_read_lock_slowpath(l);
}

/* queued_write_lock() */
static inline void __zsk_write_lock(rwlock_t *l)
{
	int c = 0;

	if (!atomic_try_cmpxchg_acquire(&l->cnts, &c, _QW_LOCKED))
		__zsk_write_lock_slowpath(l);
}

static inline bool __zsk_rw_trylock(rwlock_t *l, bool write, const char *func)
{
	zsk_kasan_obj(l, func);
	preempt_disable();
	__zsk_lock_event(l, write ? __ZSK_ACQUIRE_WRITE : __ZSK_ACQUIRE_READ, 1, __ZSK_RWLOCK, func);
	if (write ? __zsk_write_trylock(l) : __zsk_read_trylock(l)) {
		__zsk_lock_event(l, __ZSK_ACQUIRED, 1, __ZSK_RWLOCK, func);
		return true;
	}
	__zsk_lock_event(l, __ZSK_RELEASE, 1, __ZSK_RWLOCK, func);
	preempt_enable();
	return false;
}

#define read_lock(l) do { zsk_kasan_obj((l), __func__); preempt_disable(); __zsk_lock_event(l, __ZSK_ACQUIRE_READ, 0, __ZSK_RWLOCK, __func__); __zsk_read_lock(l); __zsk_lock_event(l, __ZSK_ACQUIRED, 0, __ZSK_RWLOCK, __func__); } while (0)
#define write_lock(l) do { zsk_kasan_obj((l), __func__); preempt_disable(); __zsk_lock_event(l, __ZSK_ACQUIRE_WRITE, 0, __ZSK_RWLOCK, __func__); __zsk_write_lock(l); __zsk_lock_event(l, __ZSK_ACQUIRED, 0, __ZSK_RWLOCK, __func__); } while (0)
#define read_unlock(l) do { __zsk_lock_event(l, __ZSK_RELEASE, 0, __ZSK_RWLOCK, __func__); atomic_fetch_sub_release(_QR_BIAS, &(l)->cnts); preempt_enable(); } while (0)
/* queued_write_unlock() clears the writer's byte: a queued writer's _QW_WAITING stays */
#define write_unlock(l) do { __zsk_lock_event(l, __ZSK_RELEASE, 0, __ZSK_RWLOCK, __func__); atomic_fetch_sub_release(_QW_LOCKED, &(l)->cnts); preempt_enable(); } while (0)
#define read_trylock(l) __zsk_rw_trylock((l), false, __func__)
#define write_trylock(l) __zsk_rw_trylock((l), true, __func__)
#define read_lock_irqsave(l, f) do { local_irq_save(f); read_lock(l); } while (0)
#define read_unlock_irqrestore(l, f) do { read_unlock(l); local_irq_restore(f); } while (0)
#define write_lock_irqsave(l, f) do { local_irq_save(f); write_lock(l); } while (0)
#define write_unlock_irqrestore(l, f) do { write_unlock(l); local_irq_restore(f); } while (0)

/* ---- lockdep.h: the annotations are events the harness receives ------------------ */
struct lock_class_key { int unused; };
struct lockdep_map { const char *name; };
#define lockdep_init_map(map, n, key, sub) do { (map)->name = (n); (void)(key); (void)(sub); } while (0)
#define rwsem_acquire(map, sub, try, ip) zsk_kasan_obj((map), __func__), __zsk_lock_event((map), __ZSK_ACQUIRE_WRITE, (try), __ZSK_LOCKDEP_MAP, __func__)
#define rwsem_acquire_read(map, sub, try, ip) zsk_kasan_obj((map), __func__), __zsk_lock_event((map), __ZSK_ACQUIRE_READ, (try), __ZSK_LOCKDEP_MAP, __func__)
#define rwsem_release(map, ip) __zsk_lock_event((map), __ZSK_RELEASE, 0, __ZSK_LOCKDEP_MAP, __func__)
#define lock_acquired(map, ip) __zsk_lock_event((map), __ZSK_ACQUIRED, 0, __ZSK_LOCKDEP_MAP, __func__)
#define lock_contended(map, ip) __zsk_lock_event((map), __ZSK_CONTENDED, 0, __ZSK_LOCKDEP_MAP, __func__)
#define lock_map_acquire(map) __zsk_lock_event((map), __ZSK_ACQUIRE_WRITE, 0, __ZSK_LOCKDEP_MAP, __func__)
#define lock_map_release(map) __zsk_lock_event((map), __ZSK_RELEASE, 0, __ZSK_LOCKDEP_MAP, __func__)
#define _RET_IP_ 0UL
#define _THIS_IP_ 0UL

/* ---- local_lock.h (6.12's per-CPU mapping area): preemption off while held -------- */
typedef struct { int owner; const char *name; } local_lock_t;
#define INIT_LOCAL_LOCK(n) { 0, #n }
#define local_lock_init(l) do { (l)->name = #l; } while (0)
#define local_lock(l) do { preempt_disable(); __zsk_lock_event(l, __ZSK_ACQUIRE_WRITE, 0, __ZSK_LOCAL_LOCK, __func__); __zsk_lock_event(l, __ZSK_ACQUIRED, 0, __ZSK_LOCAL_LOCK, __func__); } while (0)
#define local_unlock(l) do { __zsk_lock_event(l, __ZSK_RELEASE, 0, __ZSK_LOCAL_LOCK, __func__); preempt_enable(); } while (0)

#endif /* ZSK_LOCKS_H */
