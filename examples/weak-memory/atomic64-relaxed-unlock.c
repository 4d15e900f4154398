/*
 * BUG: atomic64-lock.c with a writer that unlocks with a relaxed atomic64_set():
 * nothing orders its write section before the store that lets readers in, so a
 * reader may see the lock free and still read stale data. Stress runs and explore
 * --memory sc pass it.
 *
 *   npx zspage-stress explore --lock examples/weak-memory/atomic64-relaxed-unlock.c --memory weak
 */
#include <linux/atomic.h>
#include <linux/lockdep.h>
#include <linux/string.h>

#define ZS_WRITER (1LL << 32)

struct zspage {
	atomic64_t state;
	char owner[8]; /* who holds the write lock, for a debugger */
	struct lockdep_map dep_map;
};

static struct lock_class_key zs_lock_key;
/* write sections so far; changed only under the write lock */
static unsigned int zs_write_sections;

static void zs_lock_init(struct zspage *zspage)
{
	atomic64_set(&zspage->state, 0);
	memset(zspage->owner, 0, sizeof(zspage->owner));
	lockdep_init_map(&zspage->dep_map, "zspage->state", &zs_lock_key, 0);
}

static void zs_read_lock(struct zspage *zspage)
{
	s64 old = atomic64_read(&zspage->state);

	for (;;) {
		if (old & ZS_WRITER) {
			cpu_relax();
			old = atomic64_read(&zspage->state);
			continue;
		}
		if (atomic64_try_cmpxchg_acquire(&zspage->state, &old, old + 1))
			return;
	}
}

static void zs_read_unlock(struct zspage *zspage)
{
	atomic64_dec_return_release(&zspage->state);
}

static bool zs_write_trylock(struct zspage *zspage)
{
	s64 unlocked = 0;

	if (!atomic64_try_cmpxchg_acquire(&zspage->state, &unlocked, ZS_WRITER))
		return false;
	memcpy(zspage->owner, "writer", sizeof("writer"));
	zs_write_sections++;
	return true;
}

static void zs_write_unlock(struct zspage *zspage)
{
	WARN_ON_ONCE(atomic64_read(&zspage->state) != ZS_WRITER);
	memset(zspage->owner, 0, sizeof(zspage->owner));
	atomic64_set(&zspage->state, 0); /* BUG: must be atomic64_set_release() */
}

ZSPAGE_LOCK_OPS(zs_lock_init, zs_read_lock, zs_read_unlock, zs_write_trylock, zs_write_unlock);
