/*
 * A broken zspage lock: the same spinlock + count design as zspage-lock.c, except
 * that page_read_unlock() drops its count without taking the spinlock. Two
 * threads updating the count at once lose one update: a count too high leaves the
 * page write-locked out for good, one too low lets a writer in beside a reader.
 *
 *   npx zspage-stress run --lock examples/broken-unlock.c       # fails
 *   npx zspage-stress explore --lock examples/broken-unlock.c   # prints the schedule
 */
#include <linux/spinlock.h>

#define PAGE_UNLOCKED 0
#define PAGE_WRITE_LOCKED -1

struct zspage_lock {
	spinlock_t lock;
	int cnt;
};

struct zspage {
	struct zspage_lock zsl;
};

static void page_lock_init(struct zspage *zspage)
{
	spin_lock_init(&zspage->zsl.lock);
	zspage->zsl.cnt = PAGE_UNLOCKED;
}

static void page_read_lock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	spin_lock(&zsl->lock);
	zsl->cnt++;
	spin_unlock(&zsl->lock);
}

static void page_read_unlock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;
	int cnt;

	/* BUG: no spin_lock(&zsl->lock) around the read-modify-write */
	cnt = READ_ONCE(zsl->cnt);
	WRITE_ONCE(zsl->cnt, cnt - 1);
}

static bool page_write_trylock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	spin_lock(&zsl->lock);
	if (zsl->cnt == PAGE_UNLOCKED) {
		zsl->cnt = PAGE_WRITE_LOCKED;
		return true;
	}
	spin_unlock(&zsl->lock);
	return false;
}

static void page_write_unlock(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	zsl->cnt = PAGE_UNLOCKED;
	spin_unlock(&zsl->lock);
}

ZSPAGE_LOCK_OPS(page_lock_init, page_read_lock, page_read_unlock, page_write_trylock, page_write_unlock);
