/*
 * zspage-stress kernel pool shim: pages, folios and slab, in the arena. Part of
 * zsk_kernel.h; the allocators themselves are in src/zsmalloc/harness.c.
 *
 * A page frame's address is its pfn << PAGE_SHIFT in the arena (the frames are
 * page-aligned), and mem_map[] holds a struct page per frame, laid out as zsmalloc's
 * struct zpdesc expects. The page lock is PG_locked in page->flags, with real waits; a
 * page's _refcount frees it at zero. Any allocation can be made to fail (failslab,
 * fail_page_alloc).
 */
#ifndef ZSK_MM_H
#define ZSK_MM_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define MAX_PHYSMEM_BITS 32
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)

/* ---- gfp.h --------------------------------------------------------------------- */
#define __GFP_DMA 0x01u
#define __GFP_HIGHMEM 0x02u
#define __GFP_MOVABLE 0x08u
#define __GFP_RECLAIMABLE 0x10u
#define __GFP_HIGH 0x20u
#define __GFP_IO 0x40u
#define __GFP_FS 0x80u
#define __GFP_ZERO 0x100u
#define __GFP_DIRECT_RECLAIM 0x400u
#define __GFP_KSWAPD_RECLAIM 0x800u
#define __GFP_NOWARN 0x2000u
#define __GFP_COMP 0x4000u
#define __GFP_NORETRY 0x10000u
#define __GFP_NOMEMALLOC 0x80000u
#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO (__GFP_RECLAIM)
#define GFP_NOFS (__GFP_RECLAIM | __GFP_IO)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_HIGHUSER_MOVABLE (GFP_KERNEL | __GFP_HIGHMEM | __GFP_MOVABLE)
static inline bool gfpflags_allow_blocking(gfp_t gfp) { return (gfp & __GFP_DIRECT_RECLAIM) != 0; }
#define might_sleep_if(cond) do { if (cond) might_sleep(); } while (0)

/* ---- mm_types.h, page-flags.h ------------------------------------------------------- */
enum pageflags { PG_locked = 0, PG_referenced, PG_uptodate, PG_dirty, PG_lru, PG_private, PG_isolated, PG_movable_ops, PG_slab, PG_free };
/* the migration core's isolated mark: PG_isolated before 6.16, PG_movable_ops_isolated since */
#define PG_movable_ops_isolated PG_isolated
/* page_type: a type in the top byte (zsmalloc keeps its first object offset below it) */
enum pagetype { PGTY_buddy = 0xf0, PGTY_offline = 0xf1, PGTY_table = 0xf2, PGTY_guard = 0xf3, PGTY_hugetlb = 0xf4, PGTY_slab = 0xf5, PGTY_zsmalloc = 0xf6, PGTY_unaccepted = 0xf7, PGTY_mapcount_underflow = 0xff };
#define PAGE_MAPPING_MOVABLE 0x2
#define PAGE_MAPPING_FLAGS 0x3

struct address_space;
struct zone { int id; };
struct page {
	unsigned long flags;
	struct list_head lru;
	struct address_space *mapping;
	pgoff_t index;
	unsigned long private;
	unsigned int page_type;
	atomic_t _refcount;
};
struct folio { struct page page; };
#define page_folio(p) ((struct folio *)(p))
#define folio_page(f, n) (&(f)->page + (n))

/* the harness's memory: mem_map[] and its frames (set up once by zsk_mm_setup) */
struct zsk_mm {
	struct page *mem_map;
	unsigned long base_pfn;
	unsigned int nr_pages;
	/* the page allocator: a stack of free pfns under a spinlock of its own */
	int lock;
	int free_top;
	unsigned long *free_pfns;
	/* fault injection: fail every n-th allocation (0: never), and how many failed */
	int fail_page_every, fail_slab_every;
	int page_allocs, slab_allocs, pages_failed, slabs_failed;
	/* threads asleep in a page-lock wait: an unlock wakes only when there are some */
	int page_waiters;
	/* zone statistics (NR_ZSPAGES) */
	atomic_long_t nr_zspages;
	int pages_in_use;
};
extern struct zsk_mm zsk_mm;

/*
 * KASAN, where the harness can tell cheaply: a pfn outside mem_map[] (a handle that no
 * longer decodes to an object), a map of a freed page, a lock inside a freed page or slab
 * object. The harness reports `memory-safety` and ends the operation, as the access would
 * oops; `func` is the kernel function (__func__ at the caller).
 */
enum {
	__ZSK_KASAN_PFN = 0, __ZSK_KASAN_PAGE = 1, __ZSK_KASAN_SLAB = 2,
	/* a plain access (ZSH_KASAN_FULL): + 1 for a store */
	__ZSK_KASAN_PAGE_ACCESS = 3, __ZSK_KASAN_SLAB_ACCESS = 5,
};
__zs_kernel(kasan) void __zsk_kasan(int what, unsigned long addr, const char *func);

static inline unsigned long page_to_pfn(const struct page *page) { return zsk_mm.base_pfn + (unsigned long)(page - zsk_mm.mem_map); }
static inline struct page *__zsk_pfn_to_page(unsigned long pfn, const char *func)
{
	if (unlikely(pfn - zsk_mm.base_pfn >= zsk_mm.nr_pages))
		__zsk_kasan(__ZSK_KASAN_PFN, pfn, func);
	return zsk_mm.mem_map + (pfn - zsk_mm.base_pfn);
}
#define pfn_to_page(pfn) __zsk_pfn_to_page((pfn), __func__)
#define folio_pfn(f) page_to_pfn(&(f)->page)
static inline void *page_address(const struct page *page) { return (void *)(page_to_pfn(page) << PAGE_SHIFT); }
static inline struct page *virt_to_page(const void *addr) { return pfn_to_page((unsigned long)addr >> PAGE_SHIFT); }
#define folio_address(f) page_address(&(f)->page)
#define page_private(p) ((p)->private)
#define set_page_private(p, v) ((p)->private = (unsigned long)(v))

#define __ZSK_PAGEFLAG(Name, bit)                                                                  \
	static inline bool Page##Name(const struct page *p) { return test_bit(bit, &p->flags); }         \
	static inline void SetPage##Name(struct page *p) { set_bit(bit, &p->flags); }                    \
	static inline void ClearPage##Name(struct page *p) { clear_bit(bit, &p->flags); }                \
	static inline void __SetPage##Name(struct page *p) { __set_bit(bit, &p->flags); }                \
	static inline void __ClearPage##Name(struct page *p) { __clear_bit(bit, &p->flags); }
__ZSK_PAGEFLAG(Private, PG_private)
__ZSK_PAGEFLAG(Isolated, PG_isolated)
__ZSK_PAGEFLAG(MovableOps, PG_movable_ops)
__ZSK_PAGEFLAG(MovableOpsIsolated, PG_movable_ops_isolated)
__ZSK_PAGEFLAG(Locked, PG_locked)
#define folio_test_locked(f) PageLocked(&(f)->page)

/* page types: PageZsmalloc() etc. (the top byte of page_type) */
static inline bool PageZsmalloc(const struct page *p) { return (READ_ONCE(p->page_type) >> 24) == PGTY_zsmalloc; }
static inline void __SetPageZsmalloc(struct page *p)
{
	if (!PageZsmalloc(p))
		p->page_type = (unsigned int)PGTY_zsmalloc << 24;
}
static inline void __ClearPageZsmalloc(struct page *p) { p->page_type = UINT_MAX; }
#define folio_test_zsmalloc(f) PageZsmalloc(&(f)->page)

/* ---- refcounts: the last put frees the page --------------------------------------- */
void zsk_free_page(struct page *page);
static inline int page_ref_count(const struct page *p) { return atomic_read(&p->_refcount); }
static inline void get_page(struct page *p) { atomic_inc(&p->_refcount); }
static inline void put_page(struct page *p)
{
	if (atomic_dec_and_test(&p->_refcount))
		zsk_free_page(p);
}
#define folio_get(f) get_page(&(f)->page)
#define folio_put(f) put_page(&(f)->page)
#define folio_ref_count(f) page_ref_count(&(f)->page)
static inline bool get_page_unless_zero(struct page *p) { return atomic_inc_not_zero(&p->_refcount); }
#define folio_try_get(f) get_page_unless_zero(&(f)->page)

/* ---- the page lock: a real lock, whose waits sleep --------------------------------- */
/* sleeps until bit `bit` of the word at `word` is clear (folio_wait_bit) */
__zs_kernel(wait_bit) void __zsk_wait_bit(volatile unsigned long *word, int bit);
/* wakes the threads waiting on the word at `word` */
__zs_kernel(wake) void __zsk_wake(volatile unsigned long *word);
/*
 * folio_wait_bit_common(): counted among the waiters while it waits. The count and PG_locked
 * are both sequentially consistent: an unlock that reads no waiter cleared the bit before
 * the waiter's own check of it, which then does not sleep.
 */
static inline void __zsk_folio_wait(struct folio *f)
{
	__atomic_add_fetch(&zsk_mm.page_waiters, 1, __ATOMIC_SEQ_CST);
	__zsk_wait_bit(&f->page.flags, PG_locked);
	__atomic_sub_fetch(&zsk_mm.page_waiters, 1, __ATOMIC_SEQ_CST);
}
/* `func`: the kernel function taking it (__func__ at the caller, for lockdep) */
static inline bool __zsk_folio_trylock(struct folio *f, const char *func)
{
	__zsk_lock_event(&f->page.flags, __ZSK_ACQUIRE_WRITE, 1, __ZSK_PAGE_LOCK, func);
	if (!test_and_set_bit_lock(PG_locked, &f->page.flags)) {
		__zsk_lock_event(&f->page.flags, __ZSK_ACQUIRED, 1, __ZSK_PAGE_LOCK, func);
		return true;
	}
	__zsk_lock_event(&f->page.flags, __ZSK_RELEASE, 1, __ZSK_PAGE_LOCK, func);
	return false;
}
static inline void __zsk_folio_lock(struct folio *f, const char *func)
{
	might_sleep();
	__zsk_lock_event(&f->page.flags, __ZSK_ACQUIRE_WRITE, 0, __ZSK_PAGE_LOCK, func);
	while (test_and_set_bit_lock(PG_locked, &f->page.flags))
		__zsk_folio_wait(f);
	__zsk_lock_event(&f->page.flags, __ZSK_ACQUIRED, 0, __ZSK_PAGE_LOCK, func);
}
static inline void __zsk_folio_unlock(struct folio *f, const char *func)
{
	BUG_ON(!folio_test_locked(f));
	__zsk_lock_event(&f->page.flags, __ZSK_RELEASE, 0, __ZSK_PAGE_LOCK, func);
	clear_bit_unlock(PG_locked, &f->page.flags);
	if (__atomic_load_n(&zsk_mm.page_waiters, __ATOMIC_SEQ_CST))
		__zsk_wake(&f->page.flags);
}
#define folio_trylock(f) __zsk_folio_trylock((f), __func__)
#define folio_lock(f) __zsk_folio_lock((f), __func__)
#define folio_unlock(f) __zsk_folio_unlock((f), __func__)
static inline void folio_wait_locked(struct folio *f)
{
	might_sleep();
	if (folio_test_locked(f))
		__zsk_folio_wait(f);
}
#define trylock_page(p) folio_trylock(page_folio(p))
#define lock_page(p) folio_lock(page_folio(p))
#define unlock_page(p) folio_unlock(page_folio(p))
#define wait_on_page_locked(p) folio_wait_locked(page_folio(p))

/* ---- highmem.h: every page is mapped at its own address; a freed one is KASAN's ------- */
static inline void *__zsk_kmap(const struct page *p, const char *func)
{
	if (unlikely(READ_ONCE(p->flags) & (1UL << PG_free)))
		__zsk_kasan(__ZSK_KASAN_PAGE, page_to_pfn(p), func);
	return page_address(p);
}
#define kmap_local_page(p) __zsk_kmap((p), __func__)
#define kmap_local_folio(f, off) ((char *)__zsk_kmap(&(f)->page, __func__) + (off))
#define kmap_atomic(p) ({ preempt_disable(); __zsk_kmap((p), __func__); })
#define kunmap_atomic(addr) do { (void)(addr); preempt_enable(); } while (0)
#define kunmap_local(addr) do { (void)(addr); } while (0)
#define kmap(p) page_address(p)
#define kunmap(p) do { (void)(p); } while (0)
static inline void memcpy_from_page(char *to, struct page *page, size_t offset, size_t len)
{
	memcpy(to, (char *)page_address(page) + offset, len);
}
static inline void memcpy_to_page(struct page *page, size_t offset, const char *from, size_t len)
{
	memcpy((char *)page_address(page) + offset, from, len);
}
static inline void copy_page(void *to, void *from) { memcpy(to, from, PAGE_SIZE); }
static inline void copy_highpage(struct page *to, struct page *from) { copy_page(page_address(to), page_address(from)); }

/* ---- the page allocator (harness.c) ------------------------------------------------- */
struct page *zsk_alloc_page(gfp_t gfp);
#define alloc_pages_node(nid, gfp, order) ({ BUILD_BUG_ON((order) != 0); zsk_alloc_page(gfp); })
#define alloc_pages(gfp, order) alloc_pages_node(0, (gfp), (order))
#define alloc_page(gfp) zsk_alloc_page(gfp)
#define __free_page(p) put_page(p)
#define __free_pages(p, order) put_page(p)

/* ---- mmzone.h, vmstat.h: one zone, NR_ZSPAGES counted -------------------------------- */
enum zone_stat_item { NR_ZSPAGES = 0, NR_VM_ZONE_STAT_ITEMS };
extern struct zone zsk_zone;
#define page_zone(p) (&zsk_zone)
#define folio_zone(f) (&zsk_zone)
#define inc_zone_page_state(p, item) atomic_long_inc(&zsk_mm.nr_zspages)
#define dec_zone_page_state(p, item) atomic_long_dec(&zsk_mm.nr_zspages)
#define mod_zone_page_state(z, item, d) atomic_long_add((d), &zsk_mm.nr_zspages)

/* ---- migrate.h: the movable operations a page type registers --------------------------- */
enum migrate_mode { MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT, MIGRATE_SYNC };
#define MIGRATEPAGE_SUCCESS 0
struct movable_operations {
	bool (*isolate_page)(struct page *, isolate_mode_t);
	int (*migrate_page)(struct page *dst, struct page *src, enum migrate_mode);
	void (*putback_page)(struct page *);
};
/* the operations zsmalloc registered: set_movable_ops() (6.15+) or __SetPageMovable() (6.12) */
extern const struct movable_operations *zsk_movable_ops;
static inline int set_movable_ops(const struct movable_operations *ops, enum pagetype type)
{
	(void)type;
	zsk_movable_ops = ops;
	return 0;
}
static inline void __SetPageMovable(struct page *page, const struct movable_operations *ops)
{
	zsk_movable_ops = ops;
	page->mapping = (struct address_space *)((unsigned long)ops | PAGE_MAPPING_MOVABLE);
}
static inline void __ClearPageMovable(struct page *page) { page->mapping = (struct address_space *)PAGE_MAPPING_MOVABLE; }
static inline bool __PageMovable(const struct page *page)
{
	return ((unsigned long)page->mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE;
}
/* PageMovable(): movable with its operations still set (__ClearPageMovable() keeps the flag, drops them) */
static inline bool PageMovable(const struct page *page)
{
	return __PageMovable(page) && ((unsigned long)page->mapping & ~(unsigned long)PAGE_MAPPING_FLAGS) != 0;
}

/* ---- slab.h (harness.c) ---------------------------------------------------------------- */
struct kmem_cache;
#define SLAB_HWCACHE_ALIGN 0x2000u
#define SLAB_PANIC 0x40000u
#define SLAB_RECLAIM_ACCOUNT 0x20000u
#define SLAB_ACCOUNT 0x4000000u
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align, unsigned int flags, void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *cache);
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *cache, void *obj);
#define kmem_cache_zalloc(c, gfp) kmem_cache_alloc((c), (gfp) | __GFP_ZERO)
#define kmem_cache_alloc_node(c, gfp, nid) kmem_cache_alloc((c), (gfp))
void *kmalloc(size_t size, gfp_t gfp);
void kfree(const void *p);
#define kzalloc(size, gfp) kmalloc((size), (gfp) | __GFP_ZERO)
#define kmalloc_node(size, gfp, nid) kmalloc((size), (gfp))
#define kzalloc_node(size, gfp, nid) kzalloc((size), (gfp))
#define kcalloc(n, size, gfp) kzalloc((n) * (size), (gfp))
#define kmalloc_array(n, size, gfp) kmalloc((n) * (size), (gfp))
#define kvfree(p) kfree(p)
#define kvmalloc(size, gfp) kmalloc((size), (gfp))
#define kvzalloc(size, gfp) kzalloc((size), (gfp))
/* kmalloc_obj() and friends (7.0): sizeof the variable or type named */
#define kmalloc_obj(T, ...) ((__typeof__(T) *)kmalloc(sizeof(T), GFP_KERNEL))
#define kzalloc_obj(T, ...) ((__typeof__(T) *)kzalloc(sizeof(T), GFP_KERNEL))
static inline char *kstrdup(const char *s, gfp_t gfp)
{
	size_t n = 0;
	char *d;
	if (!s)
		return NULL;
	while (s[n])
		n++;
	d = kmalloc(n + 1, gfp);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

#endif /* ZSK_MM_H */
