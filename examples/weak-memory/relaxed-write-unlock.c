/*
 * BUG: write_unlock by atomic_set(), which releases nothing: a reader after the writer may see its data half-written.
 * Stress runs and explore --memory sc pass it; explore --memory weak finds the bug.
 *
 *   npx zspage-stress explore --lock examples/weak-memory/relaxed-write-unlock.c --memory weak
 */
#include <linux/atomic.h>

#define ZS_PAGE_UNLOCKED 0
#define ZS_PAGE_WRLOCKED -1

struct zspage {
	atomic_t lock;
};

static void zspage_lock_init(struct zspage *zspage)
{
	atomic_set(&zspage->lock, ZS_PAGE_UNLOCKED);
}

static void zspage_read_lock(struct zspage *zspage)
{
	atomic_t *lock = &zspage->lock;
	int old = atomic_read_acquire(lock);

	for (;;) {
		if (old == ZS_PAGE_WRLOCKED) {
			cpu_relax();
			old = atomic_read_acquire(lock);
			continue;
		}
		if (atomic_try_cmpxchg_acquire(lock, &old, old + 1))
			return;
	}
}

static void zspage_read_unlock(struct zspage *zspage)
{
	atomic_dec_return_release(&zspage->lock);
}

static bool zspage_write_trylock(struct zspage *zspage)
{
	int old = ZS_PAGE_UNLOCKED;

	return atomic_try_cmpxchg_acquire(&zspage->lock, &old, ZS_PAGE_WRLOCKED);
}

static void zspage_write_unlock(struct zspage *zspage)
{
	atomic_set(&zspage->lock, ZS_PAGE_UNLOCKED); /* BUG: atomic_set_release() */
}

ZSPAGE_LOCK_OPS(zspage_lock_init, zspage_read_lock, zspage_read_unlock, zspage_write_trylock, zspage_write_unlock);
