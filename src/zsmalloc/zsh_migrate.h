/*
 * zspage-stress: the MM core's page migration around zsmalloc's movable_operations, part
 * of harness.c. isolate_movable_ops_page() (isolate_movable_page() before 6.16), then
 * migrate_pages_batch() in MIGRATE_ASYNC mode: both pages locked while zsmalloc's
 * migrate_page() runs, putback_movable_ops_page() when it fails. One page at a time
 * (zsh_migrate()), or a cluster isolated first and moved after (zsh_migrate_cluster()), as
 * compaction does.
 */

/* what became of a page; ZSH_ISOLATED only between the two phases */
enum { ZSH_MIGRATED = 0, ZSH_NOT_MOVABLE = 1, ZSH_PAGE_BUSY = 2, ZSH_NO_PAGE = 3, ZSH_REFUSED = 4, ZSH_ISOLATED = 5 };

/* page_movable_ops() (6.16+), PageMovable() before: the page belongs to a type that registered
 * movable operations, and (before 6.16) its type has not released it (__ClearPageMovable()) */
static bool zsh_page_movable(struct page *page)
{
	return PageMovableOps(page) || PageMovable(page);
}

/* putback_movable_ops_page(); before 6.16, putback_movable_pages(): not to a type that released the page */
static void zsh_putback(struct page *page)
{
	folio_lock(page_folio(page));
	if (zsh_page_movable(page))
		zsk_movable_ops->putback_page(page);
	ClearPageMovableOpsIsolated(page);
	folio_unlock(page_folio(page));
	put_page(page);
}

/*
 * isolate_movable_ops_page() for the page at `pfn`: ZSH_ISOLATED with *out the page, isolated,
 * holding the isolation's reference and unlocked; or why not
 */
static int zsh_isolate(unsigned long pfn, struct page **out)
{
	struct page *page;

	if (!zsk_movable_ops || pfn < zsk_mm.base_pfn || pfn >= zsk_mm.base_pfn + zsk_mm.nr_pages)
		return ZSH_NOT_MOVABLE;
	page = pfn_to_page(pfn);
	/* isolate_movable_ops_page(): a reference, the page lock, the type's isolate_page() */
	if (!get_page_unless_zero(page))
		return ZSH_NOT_MOVABLE;
	/*
	 * the movable check comes before the page lock, as the kernel's: the owner of a newly
	 * allocated page may rely on its lock being free (SetZsPageMovable()'s WARN_ON)
	 */
	if (!PageMovableOps(page) && !__PageMovable(page)) {
		put_page(page);
		return ZSH_NOT_MOVABLE;
	}
	if (!folio_trylock(page_folio(page))) {
		put_page(page);
		return ZSH_PAGE_BUSY;
	}
	if (!zsh_page_movable(page) || PageMovableOpsIsolated(page) || !zsk_movable_ops->isolate_page(page, 0)) {
		folio_unlock(page_folio(page));
		put_page(page);
		return ZSH_NOT_MOVABLE;
	}
	SetPageMovableOpsIsolated(page);
	folio_unlock(page_folio(page));
	*out = page;
	return ZSH_ISOLATED;
}

/* migrate_pages_batch() for one isolated page: a ZSH_* result; *rc: what migrate_page() returned */
static int zsh_move(struct page *page, int *rc)
{
	struct page *newpage;

	*rc = 0;
	/*
	 * migrate_folio_unmap(), in its order: first, without the page lock, the type freed the
	 * page after isolation and only the isolation's reference is left ("Folio was freed
	 * from under us"). The type can still free it after this check and before the trylock
	 * below: move_to_new_folio() (before 6.16) and mainline's zs_page_migrate() check for that.
	 */
	if (page_ref_count(page) == 1) {
		ClearPageMovableOpsIsolated(page);
		put_page(page);
		return ZSH_NOT_MOVABLE;
	}
	/* then a new page; MIGRATE_ASYNC only trylocks the old one */
	newpage = zsk_alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!newpage) {
		zsh_putback(page);
		return ZSH_NO_PAGE;
	}
	if (!folio_trylock(page_folio(page))) {
		put_page(newpage);
		zsh_putback(page);
		return ZSH_PAGE_BUSY;
	}
	/* move_to_new_folio() wants dst locked: a page nobody else can see yet */
	BUG_ON(!folio_trylock(page_folio(newpage)));
	/*
	 * move_to_new_folio() before 6.16: a page released after isolation (the page lock is
	 * dropped in between, and zsmalloc may free the zspage) has nothing to move
	 */
	if (!PageMovableOps(page) && !PageMovable(page))
		*rc = MIGRATEPAGE_SUCCESS;
	else
		*rc = zsk_movable_ops->migrate_page(newpage, page, MIGRATE_ASYNC);
	if (*rc == MIGRATEPAGE_SUCCESS) {
		ClearPageMovableOpsIsolated(page);
		folio_unlock(page_folio(newpage));
		folio_unlock(page_folio(page));
		/* migrate_folio_done(): the isolation's reference on the old page, the
		 * allocation's on the new one (the type took its own) */
		put_page(page);
		put_page(newpage);
		return ZSH_MIGRATED;
	}
	folio_unlock(page_folio(newpage));
	put_page(newpage);
	folio_unlock(page_folio(page));
	zsh_putback(page);
	return ZSH_REFUSED;
}

/* one migration of the page at `pfn`: a ZSH_* result; *rc: what migrate_page() returned */
ZSH_EXPORT(zsh_migrate) int zsh_migrate(unsigned long pfn, int *rc)
{
	struct page *page;
	int r = zsh_isolate(pfn, &page);

	*rc = 0;
	return r == ZSH_ISOLATED ? zsh_move(page, rc) : r;
}

/*
 * compaction's cluster (COMPACT_CLUSTER_MAX pages): isolate_migratepages_block() isolates
 * each page of `pfns` first, then migrate_pages() moves the isolated ones, so a page waits
 * isolated and unlocked while the others before it are isolated and moved. results[i]: the
 * ZSH_* result for pfns[i]; rc: scratch for migrate_page()'s return.
 */
#define ZSH_CLUSTER_MAX 32
ZSH_EXPORT(zsh_migrate_cluster) void zsh_migrate_cluster(const unsigned long *pfns, int n, int *results, int *rc)
{
	struct page *isolated[ZSH_CLUSTER_MAX];
	int i;

	for (i = 0; i < n && i < ZSH_CLUSTER_MAX; i++)
		results[i] = zsh_isolate(pfns[i], &isolated[i]);
	for (i = 0; i < n && i < ZSH_CLUSTER_MAX; i++)
		if (results[i] == ZSH_ISOLATED)
			results[i] = zsh_move(isolated[i], rc);
}
