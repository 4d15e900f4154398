/*
 * BUG: bit-lock.c without the writer's smp_mb__after_atomic(). test_and_set_bit_lock()
 * is only an acquire: the writer's look at the reader count may be satisfied before
 * its bit is visible, while a reader (which does have its barrier) looks at the bit
 * before that and misses it: both enter. Stress runs and explore --memory sc pass it.
 *
 *   npx zspage-stress explore --lock examples/weak-memory/bit-lock-no-mb.c --memory weak
 */
#include <linux/atomic.h>
#include <linux/bitops.h>

#define ZS_WRITER 0

struct zspage {
	unsigned long flags;
	atomic_long_t readers;
};

static void zs_lock_init(struct zspage *zspage)
{
	zspage->flags = 0;
	atomic_long_set(&zspage->readers, 0);
}

static void zs_read_lock(struct zspage *zspage)
{
	for (;;) {
		atomic_long_inc(&zspage->readers);
		smp_mb__after_atomic();
		if (!test_bit_acquire(ZS_WRITER, &zspage->flags))
			return;
		atomic_long_dec(&zspage->readers);
		while (test_bit(ZS_WRITER, &zspage->flags))
			cpu_relax();
	}
}

static void zs_read_unlock(struct zspage *zspage)
{
	atomic_long_dec_return_release(&zspage->readers);
}

static bool zs_write_trylock(struct zspage *zspage)
{
	if (test_and_set_bit_lock(ZS_WRITER, &zspage->flags))
		return false;
	/* BUG: no smp_mb__after_atomic() here; the bit's acquire orders nothing before the read */
	if (atomic_long_read_acquire(&zspage->readers) == 0)
		return true;
	clear_bit_unlock(ZS_WRITER, &zspage->flags);
	return false;
}

static void zs_write_unlock(struct zspage *zspage)
{
	clear_bit_unlock(ZS_WRITER, &zspage->flags);
}

ZSPAGE_LOCK_OPS(zs_lock_init, zs_read_lock, zs_read_unlock, zs_write_trylock, zs_write_unlock);
