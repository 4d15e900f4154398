/*
 * BUG: inc-unless-negative.c with a reader that tries atomic_add_unless(&lock, 1, -1)
 * once and goes on whether or not it got in. When a writer holds the lock (-1) the
 * add is refused, the reader never rechecks, and it reads beside the writer.
 *
 *   npx zspage-stress check --lock examples/broken-add-unless.c
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

static void zs_read_lock(struct zspage *zspage)
{
	/* BUG: the result is ignored; a refused reader must wait and try again */
	atomic_add_unless(&zspage->lock, 1, ZS_WRITE_LOCKED);
}

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
	atomic_set_release(&zspage->lock, 0);
}

ZSPAGE_LOCK_OPS(zs_lock_init, zs_read_lock, zs_read_unlock, zs_write_trylock, zs_write_unlock);
