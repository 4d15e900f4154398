/*
 * zspage-stress: the MM core's page migration around zsmalloc's movable_operations, part
 * of harness.c. isolate_movable_ops_page() (isolate_movable_page() before 6.16), then
 * migrate_pages_batch() for one page in MIGRATE_ASYNC mode: both pages locked while
 * zsmalloc's migrate_page() runs, putback_movable_ops_page() when it fails.
 */

enum { ZSH_MIGRATED = 0, ZSH_NOT_MOVABLE = 1, ZSH_PAGE_BUSY = 2, ZSH_NO_PAGE = 3, ZSH_REFUSED = 4 };

/* page_movable_ops() (6.16+), PageMovable() before: the page belongs to a type that registered
 * movable operations, and (before 6.16) its type has not released it (__ClearPageMovable()) */
static bool zsh_page_movable(struct page *page)
{
	return PageMovableOps(page) || PageMovable(page);
}

/* putback_movable_ops_page() */
static void zsh_putback(struct page *page)
{
	folio_lock(page_folio(page));
	zsk_movable_ops->putback_page(page);
	ClearPageMovableOpsIsolated(page);
	folio_unlock(page_folio(page));
	put_page(page);
}

/* one migration of the page at `pfn`: a ZSH_* result; *rc: what migrate_page() returned */
ZSH_EXPORT(zsh_migrate) int zsh_migrate(unsigned long pfn, int *rc)
{
	struct page *page, *newpage;

	*rc = 0;
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

	/* migrate_pages_batch(): a new page; MIGRATE_ASYNC only trylocks the old one */
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
	/*
	 * migrate_folio_unmap(): the type freed the page while the lock was dropped after
	 * isolation, and only the isolation's reference is left ("Folio was freed from under
	 * us"); 6.12's zsmalloc has no check of its own (mainline's zs_page_migrate() does).
	 */
	if (page_ref_count(page) == 1) {
		ClearPageMovableOpsIsolated(page);
		folio_unlock(page_folio(page));
		put_page(newpage);
		put_page(page);
		return ZSH_NOT_MOVABLE;
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
