/*
 * The zspage lock of v5 of "zsmalloc: replace rwlock with ... zspage lock" (Sergey
 * Senozhatsky, 12 Feb 2025), as posted: one atomic_t, 0 unlocked, -1 write-locked,
 * n > 0 readers. `selftest --zsmalloc` splices it into a 6.15+ mm/zsmalloc.c in place
 * of its struct zspage_lock (src/zsmalloc/mutations.ts). Linux kernel code: GPL-2.0.
 * Its read lock's `continue` jumps to the cmpxchg with old == -1: a reader that finds
 * the zspage write-locked takes it from -1 to 0 and goes in.
 */
#define ZS_PAGE_UNLOCKED	0
#define ZS_PAGE_WRLOCKED	-1

static void zspage_lock_init(struct zspage *zspage)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_init_map(&zspage->lockdep_map, "zsmalloc-page",
			 &zspage->pool->lockdep_key, 0);
#endif

	atomic_set(&zspage->lock, ZS_PAGE_UNLOCKED);
}

static void zspage_read_lock(struct zspage *zspage)
{
	atomic_t *lock = &zspage->lock;
	int old = atomic_read_acquire(lock);

#ifdef CONFIG_DEBUG_LOCK_ALLOC
	rwsem_acquire_read(&zspage->lockdep_map, 0, 0, _RET_IP_);
#endif

	do {
		if (old == ZS_PAGE_WRLOCKED) {
			cpu_relax();
			old = atomic_read_acquire(lock);
			continue;
		}
	} while (!atomic_try_cmpxchg_acquire(lock, &old, old + 1));
}

static void zspage_read_unlock(struct zspage *zspage)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	rwsem_release(&zspage->lockdep_map, _RET_IP_);
#endif
	atomic_dec_return_release(&zspage->lock);
}

static __must_check bool zspage_try_write_lock(struct zspage *zspage)
{
	atomic_t *lock = &zspage->lock;
	int old = ZS_PAGE_UNLOCKED;

	WARN_ON_ONCE(preemptible());

	preempt_disable();
	if (atomic_try_cmpxchg_acquire(lock, &old, ZS_PAGE_WRLOCKED)) {
#ifdef CONFIG_DEBUG_LOCK_ALLOC
		rwsem_acquire(&zspage->lockdep_map, 0, 1, _RET_IP_);
#endif
		return true;
	}

	preempt_enable();
	return false;
}

static void zspage_write_unlock(struct zspage *zspage)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	rwsem_release(&zspage->lockdep_map, _RET_IP_);
#endif
	atomic_set_release(&zspage->lock, ZS_PAGE_UNLOCKED);
	preempt_enable();
}
