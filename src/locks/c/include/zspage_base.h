/*
 * zspage-stress kernel shim, the base every build shares: types, compiler.h, the
 * harness's side (import module "kernel"), string.h, READ_ONCE and the barriers, the
 * atomic families, the sleeping calls and WARN/BUG. Included by zspage_kernel.h (a C
 * lock) and by the kernel pool's shim (src/zsmalloc/include/zsk_kernel.h).
 */
#ifndef ZSPAGE_BASE_H
#define ZSPAGE_BASE_H

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
/* or-ed into the ordering of a void RMW (atomic_inc()): nothing uses what it returns */
enum { __ZS_UNUSED = 8 };
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

#endif /* ZSPAGE_BASE_H */
