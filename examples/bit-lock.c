/*
 * A zspage lock from the kernel's other lock-building kit: a writer bit in a flags
 * word, taken with test_and_set_bit_lock() and dropped with clear_bit_unlock(), and
 * an atomic_long_t count of readers.
 *
 * Reader and writer each announce themselves (the count, the bit), then look for the
 * other. The full barrier between the two steps on both sides (smp_mb__after_atomic,
 * since atomic_long_inc() and the bit's acquire order nothing before the look) makes
 * sure at least one of them sees the other: without it both can look first and enter.
 *
 *   npx zspage-stress check --lock examples/bit-lock.c
 */
#include <linux/atomic.h>
#include <linux/bitops.h>

#define ZS_WRITER 0 /* bit number in flags */

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
		/* acquire: the last writer's section comes before ours */
		if (!test_bit_acquire(ZS_WRITER, &zspage->flags))
			return;
		/* a writer holds the lock: step back until it is gone */
		atomic_long_dec(&zspage->readers);
		while (test_bit(ZS_WRITER, &zspage->flags))
			cpu_relax();
	}
}

static void zs_read_unlock(struct zspage *zspage)
{
	atomic_long_dec_return_release(&zspage->readers);
}

/* Never waits for a reader: it backs off if any is inside. */
static bool zs_write_trylock(struct zspage *zspage)
{
	if (test_and_set_bit_lock(ZS_WRITER, &zspage->flags))
		return false;
	smp_mb__after_atomic();
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
