/*
 * BUG: the 6.15 zspage lock (a spinlock guarding a count) with a lock-free "fast path":
 * write_trylock reads zsl->cnt plainly before taking the spinlock, racing with a
 * reader's cnt++ under it. Stress runs and explore --memory sc pass it; explore
 * --memory weak (which builds the lock with its plain accesses instrumented) reports
 * the data race.
 *
 *   npx zspage-stress explore --lock examples/weak-memory/spinlock-plain-fast-path.c --memory weak
 */
#include <linux/spinlock.h>

#define ZS_PAGE_UNLOCKED 0
#define ZS_PAGE_WRLOCKED -1

struct zspage_lock {
	spinlock_t lock;
	int cnt;
};

struct zspage {
	struct zspage_lock zsl;
};

static void zspage_lock_init(struct zspage *zspage)
{
	spin_lock_init(&zspage->zsl.lock);
	zspage->zsl.cnt = ZS_PAGE_UNLOCKED;
}

static void zspage_read_lock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	spin_lock(&zsl->lock);
	zsl->cnt++;
	spin_unlock(&zsl->lock);
}

static void zspage_read_unlock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	spin_lock(&zsl->lock);
	zsl->cnt--;
	spin_unlock(&zsl->lock);
}

static bool zspage_write_trylock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	if (zsl->cnt != ZS_PAGE_UNLOCKED) /* BUG: a plain read outside the spinlock */
		return false;
	spin_lock(&zsl->lock);
	if (zsl->cnt == ZS_PAGE_UNLOCKED) {
		zsl->cnt = ZS_PAGE_WRLOCKED;
		return true;
	}
	spin_unlock(&zsl->lock);
	return false;
}

static void zspage_write_unlock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	zsl->cnt = ZS_PAGE_UNLOCKED;
	spin_unlock(&zsl->lock);
}

ZSPAGE_LOCK_OPS(zspage_lock_init, zspage_read_lock, zspage_read_unlock, zspage_write_trylock, zspage_write_unlock);
