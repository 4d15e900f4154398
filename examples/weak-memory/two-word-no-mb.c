/*
 * BUG: two-word.c without the reader's smp_mb__after_atomic(): the reader's look for a
 * writer may be satisfied before its increment is visible, while the writer misses the
 * increment: both enter. Stress runs and explore --memory sc pass it.
 *
 *   npx zspage-stress explore --lock examples/weak-memory/two-word-no-mb.c --memory weak
 */
#include <linux/atomic.h>

struct zspage {
	atomic_t readers;
	atomic_t writer;
};

static void zspage_lock_init(struct zspage *zspage)
{
	atomic_set(&zspage->readers, 0);
	atomic_set(&zspage->writer, 0);
}

static void zspage_read_lock(struct zspage *zspage)
{
	for (;;) {
		atomic_inc(&zspage->readers);
		/* BUG: no smp_mb__after_atomic() here; atomic_inc() orders nothing */
		if (!atomic_read_acquire(&zspage->writer))
			return;
		atomic_dec(&zspage->readers); /* a writer holds: back off */
		while (atomic_read_acquire(&zspage->writer))
			cpu_relax();
	}
}

static void zspage_read_unlock(struct zspage *zspage)
{
	atomic_dec_return_release(&zspage->readers);
}

static bool zspage_write_trylock(struct zspage *zspage)
{
	if (atomic_cmpxchg_acquire(&zspage->writer, 0, 1) != 0)
		return false;
	smp_mb();
	if (atomic_read_acquire(&zspage->readers) == 0)
		return true;
	atomic_set_release(&zspage->writer, 0); /* readers inside */
	return false;
}

static void zspage_write_unlock(struct zspage *zspage)
{
	atomic_set_release(&zspage->writer, 0);
}

ZSPAGE_LOCK_OPS(zspage_lock_init, zspage_read_lock, zspage_read_unlock, zspage_write_trylock, zspage_write_unlock);
