/*
 * A two-word zspage lock, Dekker style: a reader count and a writer flag. A reader
 * announces itself, then looks for a writer; a writer claims the flag, then looks for
 * readers. That is the store-buffering shape: each side needs a full barrier between
 * its store and its load (SB+fencembonceonces), or both may miss the other.
 *
 *   npx zspage-stress explore --lock examples/weak-memory/two-word.c --memory weak
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
		smp_mb__after_atomic();
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
