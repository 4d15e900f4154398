// Where the model takes and drops its locks: the kernel function each site models,
// as lockdep names the function that acquired a lock.
export const LOCK_SITES = [
  'zs_malloc',
  'zs_free',
  'free_zspage',
  '__free_zspage',
  'async_free_zspage',
  'lock_zspage',
  'alloc_page',
  '__free_page',
  'cache_alloc_zspage',
  'cache_free_zspage',
  'zs_obj_read_begin',
  'zs_obj_read_end',
  'zs_obj_write',
  'zs_page_migrate',
  '__zs_compact',
  'migrate_pages',
  'zspage_read_lock',
  'zspage_read_unlock',
  'zspage_write_trylock',
  'zspage_write_unlock',
  'zspage_lock_init',
  'zram_read', // the user of zs_obj_read_begin(), sleeping with the object mapped
] as const;
export type LockSiteName = (typeof LOCK_SITES)[number];

export const SITE = Object.fromEntries(LOCK_SITES.map((name, i) => [name, i])) as Record<LockSiteName, number>;
