/*
 * A zspage lock in the style of Linux 6.15's zsmalloc: a spinlock guarding a
 * count. Readers may sleep while they hold the lock, so a writer never waits
 * for them: write_trylock takes the lock only when nobody reads, and keeps the
 * spinlock held for the whole write section, which also keeps new readers out.
 *
 *   npx zspage-stress run --lock examples/zspage-lock.c
 *   npx zspage-stress explore --lock examples/zspage-lock.c
 */
#include <linux/spinlock.h>
#include <linux/lockdep.h>

#define PAGE_UNLOCKED 0
#define PAGE_WRITE_LOCKED -1

struct zspage_lock {
	spinlock_t lock;
	int cnt; /* readers inside, or PAGE_WRITE_LOCKED */
};

/* The harness reserves sizeof(struct zspage) per zspage; only the lock lives here. */
struct zspage {
	struct zspage_lock zsl;
};

static void page_lock_init(struct zspage *zspage)
{
	struct zspage_lock *zsl = &zspage->zsl;

	spin_lock_init(&zsl->lock);
	zsl->cnt = PAGE_UNLOCKED;
}

/* Never sleeps; spins only on the spinlock, which nobody holds for long. */
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

	spin_lock(&zsl->lock);
	zsl->cnt--;
	spin_unlock(&zsl->lock);
}

/* On success the spinlock stays held until page_write_unlock(). */
static __must_check bool page_write_trylock(struct zspage *zspage)
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

	WARN_ON(zsl->cnt != PAGE_WRITE_LOCKED);
	zsl->cnt = PAGE_UNLOCKED;
	spin_unlock(&zsl->lock);
}

ZSPAGE_LOCK_OPS(page_lock_init, page_read_lock, page_read_unlock, page_write_trylock, page_write_unlock);
