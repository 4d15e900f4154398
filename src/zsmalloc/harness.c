/*
 * zspage-stress: the kernel's own mm/zsmalloc.c as the pool. This file includes the
 * user's zsmalloc.c unchanged (as the kernel's tools/testing/vma includes mm/vma.c), so
 * that its static functions and structures are in reach, and gives the harness one
 * export per role step. What the MM core does around zsmalloc (the page allocator,
 * slab, page migration, the workqueue) is modelled here, each part naming the kernel
 * function it stands for. The zsk_kernel.h shim is force-included before this file.
 *
 * Build flags from the source (src/zsmalloc/version.ts): ZSH_MALLOC_NID,
 * ZSH_CREATE_POOL_ARGS, ZSH_READ_BEGIN (else zs_map_object()), ZSH_READ_MEM_LEN,
 * ZSH_OBJ_WRITE.
 */
#include ZSH_SOURCE

/*
 * With ZSH_KASAN_FULL (-fsanitize-coverage=trace-loads,trace-stores) every plain load and
 * store of zsmalloc.c calls __sanitizer_cov_load*() / _store*() (below); the harness's
 * own code from here on is the allocators and the MM core, which write freed memory by
 * design, so it is not instrumented.
 */
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)

#define ZSH_EXPORT(name) __attribute__((export_name(#name)))

struct zsk_mm zsk_mm;
struct zone zsk_zone;
const struct movable_operations *zsk_movable_ops;
struct shrinker *zsk_shrinker;
int (*zsk_cpu_startup)(unsigned int cpu);
int (*zsk_cpu_teardown)(unsigned int cpu);
static struct zs_pool *zsh_pool;

/* ---- the MM's own spinlock: not the code under test, so not instrumented ----------- */
static void zsh_raw_lock(int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			;
}

static void zsh_raw_unlock(int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

/* fail_page_alloc / failslab: every n-th allocation fails when n is set */
static bool zsh_should_fail(int every, int *count)
{
	return every > 0 && __atomic_add_fetch(count, 1, __ATOMIC_RELAXED) % every == 0;
}

/* ---- the page allocator (alloc_pages(), __free_pages()) --------------------------------- */
#define ZSH_POISON_FREE 0x6b
struct page *zsk_alloc_page(gfp_t gfp)
{
	struct page *page = NULL;

	might_sleep_if(gfpflags_allow_blocking(gfp));
	if (zsh_should_fail(zsk_mm.fail_page_every, &zsk_mm.page_allocs)) {
		__atomic_add_fetch(&zsk_mm.pages_failed, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	zsh_raw_lock(&zsk_mm.lock);
	if (zsk_mm.free_top > 0) {
		page = pfn_to_page(zsk_mm.free_pfns[--zsk_mm.free_top]);
		zsk_mm.pages_in_use++;
	}
	zsh_raw_unlock(&zsk_mm.lock);
	if (!page)
		return NULL;
	/* prep_new_page(): a fresh page has no flags, no type and one reference */
	page->flags = 0;
	INIT_LIST_HEAD(&page->lru);
	page->mapping = NULL;
	page->index = 0;
	page->private = 0;
	page->page_type = UINT_MAX;
	atomic_set(&page->_refcount, 1);
	return page;
}

/* free_unref_page(): the last reference is gone (put_page() calls this) */
void zsk_free_page(struct page *page)
{
	/* free_page_is_bad(): a page still locked or mapped by a movable type is a bug */
	BUG_ON(PageLocked(page));
	page->flags = 1UL << PG_free;
	page->page_type = (unsigned int)PGTY_buddy << 24;
	page->mapping = NULL;
	page->private = 0;
	memset(page_address(page), ZSH_POISON_FREE, PAGE_SIZE);
	zsh_raw_lock(&zsk_mm.lock);
	zsk_mm.free_pfns[zsk_mm.free_top++] = page_to_pfn(page);
	zsk_mm.pages_in_use--;
	zsh_raw_unlock(&zsk_mm.lock);
}

/* ---- slab: object caches carved from pages, each object followed by a tag word ---------- */
#define ZSH_SLAB_LIVE 0x5a5a11feU
#define ZSH_SLAB_FREE 0x6b6bf4eeU
struct kmem_cache {
	const char *name;
	unsigned int size; /* object bytes (8-aligned) */
	unsigned int stride; /* object, tag word, next-free word */
	int lock;
	char *free;
	int in_use;
};
#define ZSH_CACHES 40
static struct kmem_cache zsh_caches[ZSH_CACHES];
static int zsh_nr_caches;
/* kmalloc()'s caches, by power of two from 8 bytes to half a page; larger is a page of its own */
static struct kmem_cache *zsh_kmalloc_caches[9];

#define zsh_tag(c, obj) ((unsigned int *)((obj) + (c)->size))
#define zsh_next(c, obj) ((char **)((obj) + (c)->size + 4))

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align, unsigned int flags,
				     void (*ctor)(void *))
{
	int i = __atomic_fetch_add(&zsh_nr_caches, 1, __ATOMIC_RELAXED);
	struct kmem_cache *c;

	(void)align;
	(void)flags;
	(void)ctor;
	if (i >= ZSH_CACHES)
		return NULL;
	c = &zsh_caches[i];
	c->name = name;
	c->size = ALIGN(size < 8 ? 8 : size, 8);
	c->stride = c->size + 8;
	c->lock = 0;
	c->free = NULL;
	c->in_use = 0;
	return c;
}

void kmem_cache_destroy(struct kmem_cache *c) { (void)c; }

/* allocate_slab(): a new page cut into objects, onto the free list */
static bool zsh_grow(struct kmem_cache *c)
{
	struct page *page = zsk_alloc_page(GFP_NOWAIT);
	char *base, *obj;

	if (!page)
		return false;
	page->page_type = (unsigned int)PGTY_slab << 24;
	page->private = (unsigned long)c; /* page->slab_cache, for kfree() */
	base = page_address(page);
	for (obj = base; obj + c->stride <= base + PAGE_SIZE; obj += c->stride) {
		*zsh_tag(c, obj) = ZSH_SLAB_FREE;
		*zsh_next(c, obj) = c->free;
		c->free = obj;
	}
	return true;
}

void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	char *obj;

	might_sleep_if(gfpflags_allow_blocking(gfp));
	if (zsh_should_fail(zsk_mm.fail_slab_every, &zsk_mm.slab_allocs)) {
		__atomic_add_fetch(&zsk_mm.slabs_failed, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	zsh_raw_lock(&c->lock);
	if (!c->free && !zsh_grow(c)) {
		zsh_raw_unlock(&c->lock);
		return NULL;
	}
	obj = c->free;
	c->free = *zsh_next(c, obj);
	c->in_use++;
	zsh_raw_unlock(&c->lock);
	*zsh_tag(c, obj) = ZSH_SLAB_LIVE;
	if (gfp & __GFP_ZERO)
		memset(obj, 0, c->size);
	return obj;
}

void kmem_cache_free(struct kmem_cache *c, void *p)
{
	char *obj = p;

	if (!obj)
		return;
	/* a double free, or a free of what this cache never gave: KASAN's invalid-free */
	BUG_ON(*zsh_tag(c, obj) != ZSH_SLAB_LIVE);
	*zsh_tag(c, obj) = ZSH_SLAB_FREE;
	memset(obj, ZSH_POISON_FREE, c->size);
	zsh_raw_lock(&c->lock);
	*zsh_next(c, obj) = c->free;
	c->free = obj;
	c->in_use--;
	zsh_raw_unlock(&c->lock);
}

/*
 * KASAN's check of the memory a lock lives in, before it is taken: a freed page
 * (PG_free), or a slab object whose tag says it was freed (kmem_cache_free()). A lock
 * outside the page frames (static data, mem_map[]) is not the allocators' to judge.
 */
void zsk_kasan_obj(const volatile void *p, const char *func)
{
	unsigned long pfn = (unsigned long)p >> PAGE_SHIFT, off;
	struct kmem_cache *c;
	struct page *page;

	if (pfn - zsk_mm.base_pfn >= zsk_mm.nr_pages)
		return;
	page = zsk_mm.mem_map + (pfn - zsk_mm.base_pfn);
	if (READ_ONCE(page->flags) & (1UL << PG_free)) {
		__zsk_kasan(__ZSK_KASAN_PAGE, pfn, func);
		return;
	}
	if ((READ_ONCE(page->page_type) >> 24) != PGTY_slab || !READ_ONCE(page->private))
		return;
	c = (struct kmem_cache *)page->private;
	off = ((unsigned long)p & ~PAGE_MASK) % c->stride;
	if (off < c->size && __atomic_load_n(zsh_tag(c, (char *)p - off), __ATOMIC_RELAXED) != ZSH_SLAB_LIVE)
		__zsk_kasan(__ZSK_KASAN_SLAB, (unsigned long)p, func);
}

static struct kmem_cache *zsh_kmalloc_cache(size_t size)
{
	unsigned int i = 0;

	while ((8u << i) < size)
		i++;
	return i < ARRAY_SIZE(zsh_kmalloc_caches) ? zsh_kmalloc_caches[i] : NULL;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	struct kmem_cache *c = zsh_kmalloc_cache(size);
	struct page *page;

	if (c)
		return kmem_cache_alloc(c, gfp);
	/* kmalloc_large(): a page (no slab cache: private stays 0) */
	if (size > PAGE_SIZE)
		return NULL;
	page = zsk_alloc_page(gfp);
	if (!page)
		return NULL;
	page->page_type = (unsigned int)PGTY_slab << 24;
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE);
	return page_address(page);
}

void kfree(const void *p)
{
	struct page *page;

	if (!p)
		return;
	page = virt_to_page(p);
	BUG_ON((page->page_type >> 24) != PGTY_slab);
	if (page->private)
		kmem_cache_free((struct kmem_cache *)page->private, (void *)p);
	else
		put_page(page);
}

/* ---- the workqueue: zsmalloc's work items, run by a harness thread ---------------------- */
#define ZSH_WORKS 8
static struct work_struct *zsh_works[ZSH_WORKS];
static int zsh_nr_works;

void zsk_register_work(struct work_struct *work)
{
	int i;

	for (i = 0; i < __atomic_load_n(&zsh_nr_works, __ATOMIC_ACQUIRE); i++)
		if (zsh_works[i] == work)
			return;
	i = __atomic_fetch_add(&zsh_nr_works, 1, __ATOMIC_ACQ_REL);
	if (i < ZSH_WORKS)
		zsh_works[i] = work;
}

/* process_one_work(): every pending item, on the calling thread; returns how many ran */
ZSH_EXPORT(zsh_run_work) int zsh_run_work(void)
{
	int i, ran = 0;

	for (i = 0; i < __atomic_load_n(&zsh_nr_works, __ATOMIC_ACQUIRE) && i < ZSH_WORKS; i++) {
		struct work_struct *w = zsh_works[i];
		if (w && atomic_xchg(&w->pending, 0)) {
			w->func(w);
			ran++;
		}
	}
	return ran;
}

/* ---- boot: the memory map, the module's init, the pool --------------------------------- */
/* mem_map[] at `mem_map` for nr_pages frames from base_pfn; free_pfns: room for nr_pages words */
ZSH_EXPORT(zsh_setup) void zsh_setup(struct page *mem_map, unsigned long base_pfn, unsigned int nr_pages,
				     unsigned long *free_pfns)
{
	unsigned int i;

	zsk_mm.mem_map = mem_map;
	zsk_mm.base_pfn = base_pfn;
	zsk_mm.nr_pages = nr_pages;
	zsk_mm.free_pfns = free_pfns;
	zsk_mm.free_top = 0;
	for (i = nr_pages; i-- > 0;) {
		struct page *page = &mem_map[i];
		page->flags = 1UL << PG_free;
		page->page_type = (unsigned int)PGTY_buddy << 24;
		atomic_set(&page->_refcount, 0);
		free_pfns[zsk_mm.free_top++] = base_pfn + i;
	}
	for (i = 0; i < ARRAY_SIZE(zsh_kmalloc_caches); i++)
		zsh_kmalloc_caches[i] = kmem_cache_create("kmalloc", 8u << i, 8, 0, NULL);
}

/* the module's init (zs_init()), then zs_create_pool(): 0, or the error */
ZSH_EXPORT(zsh_boot) int zsh_boot(void)
{
	int rc = zsk_module_init();

	if (rc)
		return rc;
#if ZSH_CREATE_POOL_ARGS == 1
	zsh_pool = zs_create_pool("zspage-stress");
#else
	zsh_pool = zs_create_pool("zspage-stress", false, 0, 0);
#endif
	return zsh_pool ? 0 : -ENOMEM;
}

/* a CPU (worker thread) comes up: the CPU-hotplug callbacks a version registered */
ZSH_EXPORT(zsh_cpu_up) int zsh_cpu_up(void)
{
	return zsk_cpu_startup ? zsk_cpu_startup((unsigned int)__zsk_cpu()) : 0;
}

/* ---- the zsmalloc API, as zram calls it ------------------------------------------------- */
/* a handle, or 0 with the error in *err */
ZSH_EXPORT(zsh_malloc) unsigned long zsh_malloc(unsigned int size, int *err)
{
#ifdef ZSH_MALLOC_NID
	unsigned long h = zs_malloc(zsh_pool, size, GFP_NOIO | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE, NUMA_NO_NODE);
#else
	unsigned long h = zs_malloc(zsh_pool, size, GFP_NOIO | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE);
#endif
	if (IS_ERR_VALUE(h)) {
		*err = (int)h;
		return 0;
	}
	*err = 0;
	return h;
}

ZSH_EXPORT(zsh_free) void zsh_free(unsigned long handle) { zs_free(zsh_pool, handle); }

/* zram_write_page(): the object's bytes from `src` */
ZSH_EXPORT(zsh_write) void zsh_write(unsigned long handle, void *src, unsigned int len)
{
#ifdef ZSH_OBJ_WRITE
	zs_obj_write(zsh_pool, handle, src, len);
#else
	void *dst = zs_map_object(zsh_pool, handle, ZS_MM_WO);
	memcpy(dst, src, len);
	zs_unmap_object(zsh_pool, handle);
#endif
}

/* zram_read_from_zspool(): the object's address, held until zsh_read_end() */
ZSH_EXPORT(zsh_read_begin) void *zsh_read_begin(unsigned long handle, unsigned int len, void *local_copy)
{
#if defined(ZSH_READ_BEGIN) && defined(ZSH_READ_MEM_LEN)
	return zs_obj_read_begin(zsh_pool, handle, len, local_copy);
#elif defined(ZSH_READ_BEGIN)
	(void)len;
	return zs_obj_read_begin(zsh_pool, handle, local_copy);
#else
	(void)len;
	(void)local_copy;
	return zs_map_object(zsh_pool, handle, ZS_MM_RO);
#endif
}

ZSH_EXPORT(zsh_read_end) void zsh_read_end(unsigned long handle, unsigned int len, void *addr)
{
#if defined(ZSH_READ_BEGIN) && defined(ZSH_READ_MEM_LEN)
	zs_obj_read_end(zsh_pool, handle, len, addr);
#elif defined(ZSH_READ_BEGIN)
	(void)len;
	zs_obj_read_end(zsh_pool, handle, addr);
#else
	(void)len;
	(void)addr;
	zs_unmap_object(zsh_pool, handle);
#endif
}

ZSH_EXPORT(zsh_compact) unsigned long zsh_compact(void) { return zs_compact(zsh_pool); }

/* memory pressure: the shrinker zsmalloc registered, as shrink_slab() calls it */
ZSH_EXPORT(zsh_shrink) unsigned long zsh_shrink(void)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nr_to_scan = 128 };
	unsigned long n;

	if (!zsk_shrinker)
		return 0;
	n = zsk_shrinker->count_objects(zsk_shrinker, &sc);
	if (n == 0 || n == SHRINK_EMPTY)
		return 0;
	n = zsk_shrinker->scan_objects(zsk_shrinker, &sc);
	return n == SHRINK_STOP ? 0 : n;
}

ZSH_EXPORT(zsh_total_pages) unsigned long zsh_total_pages(void) { return zs_get_total_pages(zsh_pool); }
ZSH_EXPORT(zsh_pages_in_use) int zsh_pages_in_use(void) { return __atomic_load_n(&zsk_mm.pages_in_use, __ATOMIC_RELAXED); }

/* fault injection: every n-th page or slab allocation fails (0: none) */
ZSH_EXPORT(zsh_fail_every) void zsh_fail_every(int pages, int slabs)
{
	zsk_mm.fail_page_every = pages;
	zsk_mm.fail_slab_every = slabs;
}

#ifdef ZSH_KASAN_FULL
/*
 * KASAN's check of one plain access by zsmalloc.c (check_memory_region()): against the
 * page frames' state, a load or store inside a free page (PG_free) or inside a slab
 * object whose tag says it was freed. Memory outside the frames (static data, stacks,
 * mem_map[]) is not checked. memcpy()/memset() are bulk-memory instructions, not seen.
 */
static void zsh_kasan_access(unsigned long addr, int write)
{
	unsigned long pfn = addr >> PAGE_SHIFT, off;
	struct kmem_cache *c;
	struct page *page;

	if (pfn - zsk_mm.base_pfn >= zsk_mm.nr_pages)
		return;
	page = zsk_mm.mem_map + (pfn - zsk_mm.base_pfn);
	if (__atomic_load_n(&page->flags, __ATOMIC_RELAXED) & (1UL << PG_free)) {
		__zsk_kasan(__ZSK_KASAN_PAGE_ACCESS + write, addr, NULL);
		return;
	}
	if ((__atomic_load_n(&page->page_type, __ATOMIC_RELAXED) >> 24) != PGTY_slab)
		return;
	c = (struct kmem_cache *)__atomic_load_n(&page->private, __ATOMIC_RELAXED);
	if (!c)
		return;
	off = (addr & ~PAGE_MASK) % c->stride;
	if (off < c->size && __atomic_load_n(zsh_tag(c, (char *)(addr - off)), __ATOMIC_RELAXED) != ZSH_SLAB_LIVE)
		__zsk_kasan(__ZSK_KASAN_SLAB_ACCESS + write, addr, NULL);
}

#define ZSH_SANCOV(n)                                                                  \
	void __sanitizer_cov_load##n(void *p) { zsh_kasan_access((unsigned long)p, 0); }  \
	void __sanitizer_cov_store##n(void *p) { zsh_kasan_access((unsigned long)p, 1); }
ZSH_SANCOV(1)
ZSH_SANCOV(2)
ZSH_SANCOV(4)
ZSH_SANCOV(8)
ZSH_SANCOV(16)
#endif

#include "zsh_migrate.h"
#include "zsh_inspect.h"

#pragma clang attribute pop
