/*
 * A zspage lock in one atomic_t, written with the kernel's conditional atomics:
 * readers count up from 0, a writer holds it at -1. A reader that finds a writer
 * waits for the count to turn non-negative again, then retries; a writer only
 * tries once, so it never waits for a reader (readers may sleep holding the lock).
 *
 *   npx zspage-stress check --lock examples/inc-unless-negative.c
 */
#include <linux/atomic.h>

#define ZS_WRITE_LOCKED -1

struct zspage {
	atomic_t lock;
};

static void zs_lock_init(struct zspage *zspage)
{
	atomic_set(&zspage->lock, 0);
}

/* atomic_inc_unless_negative() is fully ordered when it takes the lock. */
static void zs_read_lock(struct zspage *zspage)
{
	while (!atomic_inc_unless_negative(&zspage->lock))
		atomic_cond_read_acquire(&zspage->lock, VAL >= 0);
}

/* release: the section's accesses stay before the count drops */
static void zs_read_unlock(struct zspage *zspage)
{
	atomic_dec_return_release(&zspage->lock);
}

static bool zs_write_trylock(struct zspage *zspage)
{
	int unlocked = 0;

	return atomic_try_cmpxchg_acquire(&zspage->lock, &unlocked, ZS_WRITE_LOCKED);
}

static void zs_write_unlock(struct zspage *zspage)
{
	WARN_ON_ONCE(atomic_read(&zspage->lock) != ZS_WRITE_LOCKED);
	atomic_set_release(&zspage->lock, 0);
}

ZSPAGE_LOCK_OPS(zs_lock_init, zs_read_lock, zs_read_unlock, zs_write_trylock, zs_write_unlock);
