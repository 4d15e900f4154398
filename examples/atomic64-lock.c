/*
 * A zspage lock in one atomic64_t: the reader count in the low half, the writer
 * flag in the high half, so that no count of readers can ever reach the flag. Also
 * shows the rest of what a C lock may use: memcpy() into struct zspage, a static
 * lock class key and a static counter (kernel globals, which every thread shares).
 *
 *   npx zspage-stress check --lock examples/atomic64-lock.c
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
	atomic64_set_release(&zspage->state, 0);
}

ZSPAGE_LOCK_OPS(zs_lock_init, zs_read_lock, zs_read_unlock, zs_write_trylock, zs_write_unlock);
