/*
 * BUG: write_trylock by a _relaxed cmpxchg: the writer does not acquire the last reader's release.
 * Stress runs and explore --memory sc pass it; explore --memory weak finds the bug.
 *
 *   npx zspage-stress explore --lock examples/weak-memory/relaxed-trylock.c --memory weak
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

	return atomic_try_cmpxchg_relaxed(&zspage->lock, &old, ZS_PAGE_WRLOCKED); /* BUG: _acquire */
}

static void zspage_write_unlock(struct zspage *zspage)
{
	atomic_set_release(&zspage->lock, ZS_PAGE_UNLOCKED);
}

ZSPAGE_LOCK_OPS(zspage_lock_init, zspage_read_lock, zspage_read_unlock, zspage_write_trylock, zspage_write_unlock);
