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
 * This file is force-included, with zspage_atomics.h (the atomic_t, atomic64_t
 * and atomic_long_t families, generated from the kernel's atomics.tbl),
 * zspage_once.h (READ_ONCE, barriers, xchg/cmpxchg, smp_cond_load_*),
 * zspage_bitops.h (bit operations, bit spinlocks) and zspage_spinlock.h
 * (preempt/irq context, spinlocks, rwlocks). <linux/...> headers resolve here.
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
typedef long ssize_t;

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
/* the kernel call that sleeps, as slept-in-atomic names it */
enum { __ZS_MSLEEP = 0, __ZS_USLEEP_RANGE = 1, __ZS_SCHEDULE = 2, __ZS_COND_RESCHED = 3, __ZS_MIGHT_SLEEP = 4 };

/* 32-bit atomics on an aligned int; the RMWs return the old value */
__zs_kernel(load) int __zs_load(const volatile int *p, int order);
__zs_kernel(store) void __zs_store(volatile int *p, int v, int order);
__zs_kernel(add) int __zs_add(volatile int *p, int v, int order);
__zs_kernel(and) int __zs_and(volatile int *p, int v, int order);
__zs_kernel(or) int __zs_or(volatile int *p, int v, int order);
__zs_kernel(xor) int __zs_xor(volatile int *p, int v, int order);
__zs_kernel(xchg) int __zs_xchg(volatile int *p, int v, int order);
/* returns the value found; `order` on success, `failure` on failure */
__zs_kernel(cmpxchg) int __zs_cmpxchg(volatile int *p, int old, int new_, int order, int failure);
/* 64-bit atomics on an 8-byte aligned s64: one operation on two words */
__zs_kernel(load64) long long __zs_load64(const volatile long long *p, int order);
__zs_kernel(store64) void __zs_store64(volatile long long *p, long long v, int order);
__zs_kernel(add64) long long __zs_add64(volatile long long *p, long long v, int order);
__zs_kernel(and64) long long __zs_and64(volatile long long *p, long long v, int order);
__zs_kernel(or64) long long __zs_or64(volatile long long *p, long long v, int order);
__zs_kernel(xor64) long long __zs_xor64(volatile long long *p, long long v, int order);
__zs_kernel(xchg64) long long __zs_xchg64(volatile long long *p, long long v, int order);
__zs_kernel(cmpxchg64) long long __zs_cmpxchg64(volatile long long *p, long long old, long long new_, int order, int failure);
__zs_kernel(fence) void __zs_fence(int order);
__zs_kernel(relax) void __zs_relax(void);
/* adds delta to preempt_count and returns the new count */
__zs_kernel(preempt) int __zs_preempt(int delta);
/* usecs < 0: might_sleep() (no sleep, only the check); `call` names the kernel call */
__zs_kernel(sleep) void __zs_sleep(int usecs, int call);
__zs_kernel(warn) void __zs_warn(int line, int kind);
__zs_kernel(spin_lock) void __zs_spin_lock(volatile int *p);
__zs_kernel(spin_unlock) void __zs_spin_unlock(volatile int *p);
__zs_kernel(spin_trylock) int __zs_spin_trylock(volatile int *p);

/* ---- string.h: memory.copy / memory.fill (bulk memory); plain accesses ---------- */
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
static inline int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

#define cpu_relax() __zs_relax()

#include "zspage_once.h"

/* ---- atomic.h ----------------------------------------------------------------- */
typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }
#include "zspage_atomics.h"
#define atomic_cond_read_relaxed(v, c) smp_cond_load_relaxed(&(v)->counter, (c))
#define atomic_cond_read_acquire(v, c) smp_cond_load_acquire(&(v)->counter, (c))
#define atomic64_cond_read_relaxed(v, c) smp_cond_load_relaxed(&(v)->counter, (c))
#define atomic64_cond_read_acquire(v, c) smp_cond_load_acquire(&(v)->counter, (c))
#define atomic_long_cond_read_relaxed atomic_cond_read_relaxed
#define atomic_long_cond_read_acquire atomic_cond_read_acquire

/* ---- delay.h and sleeping calls ---------------------------------------------- */
#define might_sleep() __zs_sleep(-1, __ZS_MIGHT_SLEEP)
#define msleep(ms) __zs_sleep((int)(ms) * 1000, __ZS_MSLEEP)
#define usleep_range(min, max) __zs_sleep((int)(min), __ZS_USLEEP_RANGE)
#define schedule() __zs_sleep(0, __ZS_SCHEDULE)
#define cond_resched() __zs_sleep(0, __ZS_COND_RESCHED)
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

#include "zspage_spinlock.h"
#include "zspage_bitops.h"

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
