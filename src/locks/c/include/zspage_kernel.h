/*
 * zspage-stress kernel shim: the part of the Linux kernel API a zspage lock uses,
 * for a lock compiled to WebAssembly and run on the harness's shared arena.
 *
 * Every atomic operation, cpu_relax(), preempt_count change, sleep and WARN/BUG
 * is a call into the harness (import module "kernel"), which runs it through the
 * same instrumented atomics a JavaScript lock is given. Plain C accesses
 * (zsl->cnt++) are real loads and stores on the shared memory.
 *
 * Memory orderings follow Documentation/atomic_t.txt: value-returning RMWs are
 * fully ordered, void RMWs and _relaxed are relaxed, _acquire/_release as named.
 * Stress runs execute every operation sequentially consistent.
 *
 * This file is force-included; <linux/atomic.h>, <linux/spinlock.h>,
 * <linux/preempt.h>, <linux/lockdep.h>, <linux/delay.h>, <linux/compiler.h> and
 * <linux/bug.h> resolve here.
 */
#ifndef ZSPAGE_KERNEL_H
#define ZSPAGE_KERNEL_H

/* ---- types ---------------------------------------------------------------- */
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)
typedef signed char s8;
typedef unsigned char u8;
typedef short s16;
typedef unsigned short u16;
typedef int s32;
typedef unsigned int u32;
typedef long long s64;
typedef unsigned long long u64;
typedef unsigned long size_t;

/* ---- compiler.h ----------------------------------------------------------- */
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __must_check __attribute__((warn_unused_result))
#define __always_inline inline __attribute__((always_inline))
#define noinline __attribute__((noinline))
#define __maybe_unused __attribute__((unused))
#define __always_unused __attribute__((unused))
#define barrier() __asm__ __volatile__("" ::: "memory")
#define offsetof(t, m) __builtin_offsetof(t, m)
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* ---- the harness's side (import module "kernel") --------------------------- */
#define __zs_kernel(name) __attribute__((import_module("kernel"), import_name(#name)))
enum { __ZS_RELAXED = 0, __ZS_ACQUIRE = 1, __ZS_RELEASE = 2, __ZS_ACQ_REL = 3, __ZS_SEQ_CST = 4 };
enum { __ZS_WARN = 0, __ZS_WARN_ONCE = 1, __ZS_BUG = 2 };

__zs_kernel(load) int __zs_load(const volatile int *p, int order);
__zs_kernel(store) void __zs_store(volatile int *p, int v, int order);
/* returns the old value */
__zs_kernel(add) int __zs_add(volatile int *p, int v, int order);
__zs_kernel(xchg) int __zs_xchg(volatile int *p, int v, int order);
/* returns the value found; `order` on success, `failure` on failure */
__zs_kernel(cmpxchg) int __zs_cmpxchg(volatile int *p, int old, int new_, int order, int failure);
__zs_kernel(fence) void __zs_fence(int order);
__zs_kernel(relax) void __zs_relax(void);
/* adds delta to preempt_count and returns the new count */
__zs_kernel(preempt) int __zs_preempt(int delta);
/* usecs < 0: might_sleep() (no sleep, only the check) */
__zs_kernel(sleep) void __zs_sleep(int usecs);
__zs_kernel(warn) void __zs_warn(int line, int kind);
__zs_kernel(spin_lock) void __zs_spin_lock(volatile int *p);
__zs_kernel(spin_unlock) void __zs_spin_unlock(volatile int *p);
__zs_kernel(spin_trylock) int __zs_spin_trylock(volatile int *p);

#define __zs_int_ptr(x) \
	({ _Static_assert(sizeof(x) == sizeof(int), "READ_ONCE/WRITE_ONCE: only 4-byte objects are supported"); \
	   (volatile int *)&(x); })
#define READ_ONCE(x) ((__typeof__(x))__zs_load(__zs_int_ptr(x), __ZS_RELAXED))
#define WRITE_ONCE(x, v) __zs_store(__zs_int_ptr(x), (int)(v), __ZS_RELAXED)
#define smp_load_acquire(p) ((__typeof__(*(p)))__zs_load(__zs_int_ptr(*(p)), __ZS_ACQUIRE))
#define smp_store_release(p, v) __zs_store(__zs_int_ptr(*(p)), (int)(v), __ZS_RELEASE)
#define smp_mb() __zs_fence(__ZS_SEQ_CST)
#define smp_rmb() __zs_fence(__ZS_ACQUIRE)
#define smp_wmb() __zs_fence(__ZS_RELEASE)
#define smp_mb__before_atomic() smp_mb()
#define smp_mb__after_atomic() smp_mb()

/* ---- atomic.h --------------------------------------------------------------- */
typedef struct { int counter; } atomic_t;
#define ATOMIC_INIT(i) { (i) }

static inline int atomic_read(const atomic_t *v) { return __zs_load(&v->counter, __ZS_RELAXED); }
static inline int atomic_read_acquire(const atomic_t *v) { return __zs_load(&v->counter, __ZS_ACQUIRE); }
static inline void atomic_set(atomic_t *v, int i) { __zs_store(&v->counter, i, __ZS_RELAXED); }
static inline void atomic_set_release(atomic_t *v, int i) { __zs_store(&v->counter, i, __ZS_RELEASE); }

/* void RMWs are relaxed; _return and fetch_ are fully ordered unless suffixed */
#define __ZS_ATOMIC_ARITH(op, sign)                                                                    \
	static inline void atomic_##op(int i, atomic_t *v) { __zs_add(&v->counter, sign i, __ZS_RELAXED); } \
	static inline int atomic_##op##_return(int i, atomic_t *v)                                      \
	{ return __zs_add(&v->counter, sign i, __ZS_SEQ_CST) + (sign i); }                              \
	static inline int atomic_##op##_return_acquire(int i, atomic_t *v)                              \
	{ return __zs_add(&v->counter, sign i, __ZS_ACQUIRE) + (sign i); }                              \
	static inline int atomic_##op##_return_release(int i, atomic_t *v)                              \
	{ return __zs_add(&v->counter, sign i, __ZS_RELEASE) + (sign i); }                              \
	static inline int atomic_##op##_return_relaxed(int i, atomic_t *v)                              \
	{ return __zs_add(&v->counter, sign i, __ZS_RELAXED) + (sign i); }                              \
	static inline int atomic_fetch_##op(int i, atomic_t *v) { return __zs_add(&v->counter, sign i, __ZS_SEQ_CST); } \
	static inline int atomic_fetch_##op##_acquire(int i, atomic_t *v)                               \
	{ return __zs_add(&v->counter, sign i, __ZS_ACQUIRE); }                                         \
	static inline int atomic_fetch_##op##_release(int i, atomic_t *v)                               \
	{ return __zs_add(&v->counter, sign i, __ZS_RELEASE); }                                         \
	static inline int atomic_fetch_##op##_relaxed(int i, atomic_t *v)                               \
	{ return __zs_add(&v->counter, sign i, __ZS_RELAXED); }
__ZS_ATOMIC_ARITH(add, +)
__ZS_ATOMIC_ARITH(sub, -)

#define __ZS_ATOMIC_INCDEC(op, arith)                                                                  \
	static inline void atomic_##op(atomic_t *v) { atomic_##arith(1, v); }                          \
	static inline int atomic_##op##_return(atomic_t *v) { return atomic_##arith##_return(1, v); }  \
	static inline int atomic_##op##_return_acquire(atomic_t *v) { return atomic_##arith##_return_acquire(1, v); } \
	static inline int atomic_##op##_return_release(atomic_t *v) { return atomic_##arith##_return_release(1, v); } \
	static inline int atomic_##op##_return_relaxed(atomic_t *v) { return atomic_##arith##_return_relaxed(1, v); } \
	static inline int atomic_fetch_##op(atomic_t *v) { return atomic_fetch_##arith(1, v); }        \
	static inline int atomic_fetch_##op##_acquire(atomic_t *v) { return atomic_fetch_##arith##_acquire(1, v); } \
	static inline int atomic_fetch_##op##_release(atomic_t *v) { return atomic_fetch_##arith##_release(1, v); } \
	static inline int atomic_fetch_##op##_relaxed(atomic_t *v) { return atomic_fetch_##arith##_relaxed(1, v); }
__ZS_ATOMIC_INCDEC(inc, add)
__ZS_ATOMIC_INCDEC(dec, sub)

static inline bool atomic_dec_and_test(atomic_t *v) { return atomic_dec_return(v) == 0; }
static inline bool atomic_inc_and_test(atomic_t *v) { return atomic_inc_return(v) == 0; }
static inline bool atomic_sub_and_test(int i, atomic_t *v) { return atomic_sub_return(i, v) == 0; }

static inline int atomic_xchg(atomic_t *v, int n) { return __zs_xchg(&v->counter, n, __ZS_SEQ_CST); }
static inline int atomic_xchg_acquire(atomic_t *v, int n) { return __zs_xchg(&v->counter, n, __ZS_ACQUIRE); }
static inline int atomic_xchg_release(atomic_t *v, int n) { return __zs_xchg(&v->counter, n, __ZS_RELEASE); }
static inline int atomic_xchg_relaxed(atomic_t *v, int n) { return __zs_xchg(&v->counter, n, __ZS_RELAXED); }

/* a failed cmpxchg orders nothing (atomic_t.txt) */
static inline int atomic_cmpxchg(atomic_t *v, int old, int n)
{ return __zs_cmpxchg(&v->counter, old, n, __ZS_SEQ_CST, __ZS_RELAXED); }
static inline int atomic_cmpxchg_acquire(atomic_t *v, int old, int n)
{ return __zs_cmpxchg(&v->counter, old, n, __ZS_ACQUIRE, __ZS_RELAXED); }
static inline int atomic_cmpxchg_release(atomic_t *v, int old, int n)
{ return __zs_cmpxchg(&v->counter, old, n, __ZS_RELEASE, __ZS_RELAXED); }
static inline int atomic_cmpxchg_relaxed(atomic_t *v, int old, int n)
{ return __zs_cmpxchg(&v->counter, old, n, __ZS_RELAXED, __ZS_RELAXED); }

/* on failure *old is updated to the value found, as in the kernel */
#define __ZS_TRY_CMPXCHG(suffix, order)                                               \
	static inline bool atomic_try_cmpxchg##suffix(atomic_t *v, int *old, int n)      \
	{                                                                                 \
		int expected = *old;                                                      \
		int found = __zs_cmpxchg(&v->counter, expected, n, order, __ZS_RELAXED); \
		if (likely(found == expected))                                            \
			return true;                                                      \
		*old = found;                                                             \
		return false;                                                             \
	}
__ZS_TRY_CMPXCHG(, __ZS_SEQ_CST)
__ZS_TRY_CMPXCHG(_acquire, __ZS_ACQUIRE)
__ZS_TRY_CMPXCHG(_release, __ZS_RELEASE)
__ZS_TRY_CMPXCHG(_relaxed, __ZS_RELAXED)

/* ---- preempt.h -------------------------------------------------------------- */
#define preempt_count() __zs_preempt(0)
#define preempt_disable() do { __zs_preempt(1); barrier(); } while (0)
#define preempt_enable() do { barrier(); __zs_preempt(-1); } while (0)
#define preempt_enable_no_resched() preempt_enable()
#define preemptible() (__zs_preempt(0) == 0)
#define in_atomic() (__zs_preempt(0) != 0)
#define cpu_relax() __zs_relax()

/* ---- spinlock.h: holding a spinlock raises preempt_count ---------------------- */
typedef struct { int locked; } spinlock_t;
typedef spinlock_t raw_spinlock_t;
#define __SPIN_LOCK_UNLOCKED(name) { 0 }
#define spin_lock_init(l) __zs_store(&(l)->locked, 0, __ZS_RELAXED)
#define spin_lock(l) __zs_spin_lock(&(l)->locked)
#define spin_unlock(l) __zs_spin_unlock(&(l)->locked)
#define spin_trylock(l) (__zs_spin_trylock(&(l)->locked) != 0)
#define spin_is_locked(l) (__zs_load(&(l)->locked, __ZS_RELAXED) != 0)
#define raw_spin_lock_init spin_lock_init
#define raw_spin_lock spin_lock
#define raw_spin_unlock spin_unlock
#define raw_spin_trylock spin_trylock

/* ---- delay.h and sleeping calls ---------------------------------------------- */
#define might_sleep() __zs_sleep(-1)
#define msleep(ms) __zs_sleep((int)(ms) * 1000)
#define usleep_range(min, max) __zs_sleep((int)(min))
#define schedule() __zs_sleep(0)
#define cond_resched() __zs_sleep(0)
#define udelay(us) do { (void)(us); cpu_relax(); } while (0)
#define ndelay(ns) do { (void)(ns); cpu_relax(); } while (0)

/* ---- bug.h: a WARN or BUG that fires is a violation naming this file and line ---- */
#define WARN_ON(cond) ({ bool __zs_c = !!(cond); if (unlikely(__zs_c)) __zs_warn(__LINE__, __ZS_WARN); __zs_c; })
#define WARN_ON_ONCE(cond) ({ bool __zs_c = !!(cond); if (unlikely(__zs_c)) __zs_warn(__LINE__, __ZS_WARN_ONCE); __zs_c; })
#define WARN(cond, ...) WARN_ON(cond)
#define WARN_ONCE(cond, ...) WARN_ON_ONCE(cond)
#define BUG_ON(cond) do { if (unlikely(cond)) __zs_warn(__LINE__, __ZS_BUG); } while (0)
#define BUG() __zs_warn(__LINE__, __ZS_BUG)
#define VM_BUG_ON(cond) BUG_ON(cond)
#define VM_WARN_ON(cond) WARN_ON(cond)
#define VM_WARN_ON_ONCE(cond) WARN_ON_ONCE(cond)

/* ---- lockdep.h: annotations compile to nothing (CONFIG_DEBUG_LOCK_ALLOC unset) ---- */
struct lock_class_key { };
struct lockdep_map { };
#define lockdep_init_map(lock, name, key, sub) do { (void)(name); (void)(key); (void)(sub); } while (0)
#define rwsem_acquire(map, sub, try, ip) do { } while (0)
#define rwsem_acquire_read(map, sub, try, ip) do { } while (0)
#define rwsem_release(map, ip) do { } while (0)
#define lock_acquired(map, ip) do { } while (0)
#define lock_contended(map, ip) do { } while (0)
#define lockdep_assert_held(l) do { } while (0)
#define _RET_IP_ 0UL
#define _THIS_IP_ 0UL

/* ---- the lock's table, as the harness calls it ---------------------------------- */
struct zspage;
/*
 * ZSPAGE_LOCK_OPS(init, read_lock, read_unlock, write_trylock, write_unlock);
 * names the five functions; each takes a struct zspage *, write_trylock returns bool.
 */
#define ZSPAGE_LOCK_OPS(init, read_lock, read_unlock, write_trylock, write_unlock)                    \
	__attribute__((export_name("zs_init"))) void __zs_op_init(struct zspage *z) { init(z); }            \
	__attribute__((export_name("zs_read_lock"))) void __zs_op_read_lock(struct zspage *z) { read_lock(z); } \
	__attribute__((export_name("zs_read_unlock"))) void __zs_op_read_unlock(struct zspage *z)            \
	{ read_unlock(z); }                                                                                 \
	__attribute__((export_name("zs_write_trylock"))) int __zs_op_write_trylock(struct zspage *z)         \
	{ return write_trylock(z) ? 1 : 0; }                                                                \
	__attribute__((export_name("zs_write_unlock"))) void __zs_op_write_unlock(struct zspage *z)          \
	{ write_unlock(z); }                                                                                \
	__attribute__((export_name("zs_sizeof"))) int __zs_op_sizeof(void) { return sizeof(struct zspage); } \
	__attribute__((export_name("zs_alignof"))) int __zs_op_alignof(void) { return _Alignof(struct zspage); } \
	_Static_assert(sizeof(struct zspage) <= 64, "struct zspage must fit in 64 bytes")

#endif /* ZSPAGE_KERNEL_H */
