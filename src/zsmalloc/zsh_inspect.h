/*
 * zspage-stress: what the harness reads of the kernel's pool, part of harness.c: the
 * class table (for the differential test against the model) and the quiescent audit
 * of every class's fullness lists against its zspages and statistics.
 */

/* class i: out = { index, size, pages_per_zspage, objs_per_zspage }; 0 past the last */
ZSH_EXPORT(zsh_class_info) int zsh_class_info(int i, int *out)
{
	struct size_class *class;

	if (i < 0 || i >= ZS_SIZE_CLASSES)
		return 0;
	class = zsh_pool->size_class[i];
	out[0] = (int)class->index;
	out[1] = class->size;
	out[2] = class->pages_per_zspage;
	out[3] = class->objs_per_zspage;
	return 1;
}

ZSH_EXPORT(zsh_classes) int zsh_classes(void) { return ZS_SIZE_CLASSES; }

/* class i's statistics: out = { zspages per fullness group (NR_FULLNESS_GROUPS), objects
 * allocated, objects in use }; 0 when size index i is merged into a larger class */
ZSH_EXPORT(zsh_class_stats) int zsh_class_stats(int i, int *out)
{
	struct size_class *class;
	int fg;

	if (i < 0 || i >= ZS_SIZE_CLASSES || (int)zsh_pool->size_class[i]->index != i)
		return 0;
	class = zsh_pool->size_class[i];
	spin_lock(&class->lock);
	for (fg = 0; fg < NR_FULLNESS_GROUPS; fg++)
		out[fg] = (int)class->stats.objs[fg];
	out[NR_FULLNESS_GROUPS] = (int)class->stats.objs[ZS_OBJS_ALLOCATED];
	out[NR_FULLNESS_GROUPS + 1] = (int)class->stats.objs[ZS_OBJS_INUSE];
	spin_unlock(&class->lock);
	return 1;
}

/* the pfn an object's handle points into now, as a pfn scanner sees it (no lock: the
 * migration core checks the page again under its lock) */
ZSH_EXPORT(zsh_handle_pfn) unsigned long zsh_handle_pfn(unsigned long handle)
{
	return READ_ONCE(*(unsigned long *)handle) >> OBJ_INDEX_BITS;
}

/* what the audit found wrong (out[2]) */
enum { ZSH_AUDIT_OK = 0, ZSH_AUDIT_MAGIC, ZSH_AUDIT_CLASS, ZSH_AUDIT_FULLNESS, ZSH_AUDIT_INUSE, ZSH_AUDIT_GROUP_COUNT,
       ZSH_AUDIT_ALLOCATED, ZSH_AUDIT_INUSE_TOTAL };

/*
 * With the pool quiescent: every zspage on class c's fullness list fg has the magic, the
 * class and the fullness group its inuse gives, and the class's statistics count them.
 * out = { class, group, what, found, expected }; returns the zspages walked, or -1.
 */
ZSH_EXPORT(zsh_audit) int zsh_audit(int *out)
{
	int i, fg, walked = 0;

	for (i = 0; i < ZS_SIZE_CLASSES; i++) {
		struct size_class *class = zsh_pool->size_class[i];
		unsigned long zspages = 0, inuse = 0;
		struct zspage *zspage;

		if ((int)class->index != i)
			continue;
		out[0] = i;
		spin_lock(&class->lock);
		for (fg = 0; fg < NR_FULLNESS_GROUPS; fg++) {
			unsigned long n = 0;
			int bad = ZSH_AUDIT_OK, found = 0, expected = 0;

			list_for_each_entry(zspage, &class->fullness_list[fg], list) {
				n++;
				inuse += get_zspage_inuse(zspage);
				if (zspage->magic != ZSPAGE_MAGIC)
					bad = ZSH_AUDIT_MAGIC, found = zspage->magic, expected = ZSPAGE_MAGIC;
				else if ((int)zspage->class != i)
					bad = ZSH_AUDIT_CLASS, found = zspage->class, expected = i;
				else if (get_fullness_group(class, zspage) != fg || (int)zspage->fullness != fg)
					bad = ZSH_AUDIT_FULLNESS, found = zspage->fullness, expected = fg;
				else if (get_zspage_inuse(zspage) > class->objs_per_zspage)
					bad = ZSH_AUDIT_INUSE, found = get_zspage_inuse(zspage), expected = class->objs_per_zspage;
				if (bad)
					break;
			}
			if (!bad && n != class->stats.objs[fg])
				bad = ZSH_AUDIT_GROUP_COUNT, found = (int)n, expected = (int)class->stats.objs[fg];
			if (bad) {
				spin_unlock(&class->lock);
				out[1] = fg, out[2] = bad, out[3] = found, out[4] = expected;
				return -1;
			}
			zspages += n;
		}
		walked += (int)zspages;
		out[1] = -1;
		if (zspages * class->objs_per_zspage != class->stats.objs[ZS_OBJS_ALLOCATED]) {
			out[2] = ZSH_AUDIT_ALLOCATED, out[3] = (int)(zspages * class->objs_per_zspage);
			out[4] = (int)class->stats.objs[ZS_OBJS_ALLOCATED];
			spin_unlock(&class->lock);
			return -1;
		}
		if (inuse != class->stats.objs[ZS_OBJS_INUSE]) {
			out[2] = ZSH_AUDIT_INUSE_TOTAL, out[3] = (int)inuse, out[4] = (int)class->stats.objs[ZS_OBJS_INUSE];
			spin_unlock(&class->lock);
			return -1;
		}
		spin_unlock(&class->lock);
	}
	return walked;
}

/* the test helpers: fill and check an object's bytes from a seed (xorshift32 per word) */
ZSH_EXPORT(zsh_fill) void zsh_fill(unsigned char *p, unsigned int len, unsigned int seed)
{
	unsigned int x = seed | 1, i;

	for (i = 0; i < len; i++) {
		if ((i & 3) == 0) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
		}
		p[i] = (unsigned char)(x >> ((i & 3) * 8));
	}
}

/* the first byte that differs from what zsh_fill() wrote, or -1 */
ZSH_EXPORT(zsh_check) int zsh_check(const unsigned char *p, unsigned int len, unsigned int seed)
{
	unsigned int x = seed | 1, i;

	for (i = 0; i < len; i++) {
		if ((i & 3) == 0) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
		}
		if (p[i] != (unsigned char)(x >> ((i & 3) * 8)))
			return (int)i;
	}
	return -1;
}
