/*
 * zspage-stress kernel pool shim: the kernel services zsmalloc calls but does not depend
 * on for correctness, as recorded stubs (the harness counts each call: `stub`), and the
 * module, printk, scatterlist, per-CPU and CPU-hotplug glue. Part of zsk_kernel.h.
 */
#ifndef ZSK_STUBS_H
#define ZSK_STUBS_H

/* what a recorded stub was */
enum {
	__ZSK_STUB_SCHEDULE_WORK = 0, __ZSK_STUB_FLUSH_WORK, __ZSK_STUB_SHRINKER_ALLOC, __ZSK_STUB_SHRINKER_REGISTER,
	__ZSK_STUB_SHRINKER_FREE, __ZSK_STUB_PRINTK, __ZSK_STUB_DEBUGFS, __ZSK_STUB_CPUHP,
};
__zs_kernel(stub) void __zsk_stub(int which, int arg);

/* ---- module.h ---------------------------------------------------------------------- */
#define module_init(fn) int zsk_module_init(void) { return fn(); }
#define module_exit(fn) void zsk_module_exit(void) { fn(); }
#define MODULE_LICENSE(x) _Static_assert(1, "")
#define MODULE_AUTHOR(x) _Static_assert(1, "")
#define MODULE_DESCRIPTION(x) _Static_assert(1, "")
#define MODULE_ALIAS(x) _Static_assert(1, "")
#define MODULE_IMPORT_NS(x) _Static_assert(1, "")
#define EXPORT_SYMBOL(x) _Static_assert(1, "")
#define EXPORT_SYMBOL_GPL(x) _Static_assert(1, "")
#define EXPORT_SYMBOL_NS_GPL(x, ns) _Static_assert(1, "")
#define THIS_MODULE ((void *)0)

/* ---- printk.h: recorded, not formatted ----------------------------------------------- */
#define __zsk_printk(level, fmt, ...) __zsk_stub(__ZSK_STUB_PRINTK, (level))
#define printk(fmt, ...) __zsk_printk(4, fmt)
#define pr_emerg(fmt, ...) __zsk_printk(0, fmt)
#define pr_alert(fmt, ...) __zsk_printk(1, fmt)
#define pr_crit(fmt, ...) __zsk_printk(2, fmt)
#define pr_err(fmt, ...) __zsk_printk(3, fmt)
#define pr_warn(fmt, ...) __zsk_printk(4, fmt)
#define pr_notice(fmt, ...) __zsk_printk(5, fmt)
#define pr_info(fmt, ...) __zsk_printk(6, fmt)
#define pr_debug(fmt, ...) do { } while (0)
#define pr_warn_once pr_warn
#define pr_err_once pr_err
#define pr_info_ratelimited pr_info
#define pr_warn_ratelimited pr_warn
#define dump_stack() do { } while (0)
static inline int snprintf(char *buf, size_t size, const char *fmt, ...) { (void)fmt; if (size) buf[0] = 0; return 0; }
#define sprintf(buf, fmt, ...) snprintf((buf), 1, (fmt))
#define scnprintf snprintf
/* the name unformatted: only ever a cache's name */
#define kasprintf(gfp, fmt, ...) kstrdup((fmt), (gfp))

/* ---- workqueue.h: schedule_work() records the item; a harness thread runs it ----------- */
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct { atomic_t pending; work_func_t func; };
void zsk_register_work(struct work_struct *work);
#define INIT_WORK(w, f) do { atomic_set(&(w)->pending, 0); (w)->func = (f); zsk_register_work(w); } while (0)
static inline bool schedule_work(struct work_struct *work)
{
	if (atomic_xchg(&work->pending, 1))
		return false;
	__zsk_stub(__ZSK_STUB_SCHEDULE_WORK, 0);
	return true;
}
#define queue_work(wq, w) schedule_work(w)
static inline bool flush_work(struct work_struct *work)
{
	__zsk_stub(__ZSK_STUB_FLUSH_WORK, 0);
	if (!atomic_xchg(&work->pending, 0))
		return false;
	work->func(work);
	return true;
}

/* ---- shrinker.h ---------------------------------------------------------------------- */
struct shrink_control { gfp_t gfp_mask; int nid; unsigned long nr_to_scan; unsigned long nr_scanned; };
struct shrinker {
	unsigned long (*count_objects)(struct shrinker *, struct shrink_control *sc);
	unsigned long (*scan_objects)(struct shrinker *, struct shrink_control *sc);
	long batch;
	int seeks;
	unsigned int flags;
	void *private_data;
};
#define SHRINK_STOP (~0UL)
#define SHRINK_EMPTY (~0UL - 1)
#define DEFAULT_SEEKS 2
extern struct shrinker *zsk_shrinker;
static inline struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct shrinker *s = kzalloc(sizeof(*s), GFP_KERNEL);
	(void)fmt;
	__zsk_stub(__ZSK_STUB_SHRINKER_ALLOC, s != NULL);
	if (s)
		s->flags = flags;
	return s;
}
static inline void shrinker_register(struct shrinker *s) { zsk_shrinker = s; __zsk_stub(__ZSK_STUB_SHRINKER_REGISTER, 0); }
static inline void shrinker_free(struct shrinker *s)
{
	__zsk_stub(__ZSK_STUB_SHRINKER_FREE, 0);
	if (zsk_shrinker == s)
		zsk_shrinker = NULL;
	kfree(s);
}

/* ---- debugfs.h (CONFIG_ZSMALLOC_STAT is off: only the types) ------------------------------ */
struct dentry;
struct seq_file;
static inline bool debugfs_initialized(void) { return false; }

/* ---- scatterlist.h ---------------------------------------------------------------------- */
struct scatterlist { unsigned long page_link; unsigned int offset; unsigned int length; };
#define SG_CHAIN 0x01UL
#define SG_END 0x02UL
static inline void sg_init_table(struct scatterlist *sg, unsigned int nents)
{
	memset(sg, 0, sizeof(*sg) * nents);
	sg[nents - 1].page_link |= SG_END;
}
static inline void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len, unsigned int offset)
{
	sg->page_link = (unsigned long)page | (sg->page_link & (SG_CHAIN | SG_END));
	sg->offset = offset;
	sg->length = len;
}
static inline struct page *sg_page(struct scatterlist *sg) { return (struct page *)(sg->page_link & ~(SG_CHAIN | SG_END)); }
static inline struct scatterlist *sg_next(struct scatterlist *sg) { return (sg->page_link & SG_END) ? NULL : sg + 1; }
static inline void *sg_virt(struct scatterlist *sg) { return (char *)page_address(sg_page(sg)) + sg->offset; }

/* ---- sched.h, smp.h, percpu.h, cpuhotplug.h: a worker thread is a CPU ---------------------- */
__zs_kernel(cpu) int __zsk_cpu(void);
#define raw_smp_processor_id() __zsk_cpu()
#define smp_processor_id() __zsk_cpu()
#define get_cpu() ({ preempt_disable(); __zsk_cpu(); })
#define put_cpu() preempt_enable()
#define num_possible_cpus() NR_CPUS
/* a per-CPU variable is thread-local: each worker's instance has its own */
#define DEFINE_PER_CPU(type, name) _Thread_local __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern _Thread_local __typeof__(type) name
#define this_cpu_ptr(p) (p)
#define raw_cpu_ptr(p) (p)
#define get_cpu_ptr(p) ({ preempt_disable(); (p); })
#define put_cpu_ptr(p) preempt_enable()
/* another CPU's copy is out of reach: the harness brings each CPU up on its own thread */
#define per_cpu_ptr(p, cpu) ({ BUG_ON((cpu) != __zsk_cpu()); (p); })
#define per_cpu(var, cpu) (*per_cpu_ptr(&(var), (cpu)))
enum cpuhp_state { CPUHP_INVALID = -1, CPUHP_MM_ZS_PREPARE = 40, CPUHP_ONLINE_DYN = 200 };
/* the callbacks a version registered; each CPU (worker) runs startup when it comes up */
extern int (*zsk_cpu_startup)(unsigned int cpu);
extern int (*zsk_cpu_teardown)(unsigned int cpu);
static inline int cpuhp_setup_state(enum cpuhp_state state, const char *name, int (*startup)(unsigned int),
				    int (*teardown)(unsigned int))
{
	(void)state;
	(void)name;
	zsk_cpu_startup = startup;
	zsk_cpu_teardown = teardown;
	__zsk_stub(__ZSK_STUB_CPUHP, 0);
	return startup ? startup((unsigned int)__zsk_cpu()) : 0;
}
static inline void cpuhp_remove_state(enum cpuhp_state state) { (void)state; }

/* ---- uaccess.h, hardirq.h, kmsan.h ---------------------------------------------------- */
#define pagefault_disable() barrier()
#define pagefault_enable() barrier()
#define in_interrupt() 0
#define in_task() 1
#define kmsan_copy_page_meta(dst, src) do { (void)(dst); (void)(src); } while (0)

#endif /* ZSK_STUBS_H */
