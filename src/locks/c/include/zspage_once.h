/*
 * zspage-stress kernel shim: READ_ONCE/WRITE_ONCE, barriers, xchg/cmpxchg on plain
 * variables and smp_cond_load_*(). Part of zspage_kernel.h; not included on its own.
 *
 * Every access is one call of the harness: 4 and 8-byte objects as 32 and 64-bit
 * atomics, 1 and 2-byte objects through the aligned word that holds them (a load
 * of that word; a store as a compare-and-swap loop on it, the only way to change
 * part of a word atomically).
 */
#ifndef ZSPAGE_ONCE_H
#define ZSPAGE_ONCE_H

#define __zs_word_of(p) ((volatile int *)((unsigned long)(p) & ~3UL))
#define __zs_shift_of(p) (((unsigned long)(p) & 3UL) * 8)

static __always_inline unsigned int __zs_load_part(const volatile void *p, unsigned int mask, int order)
{
	return ((unsigned int)__zs_load(__zs_word_of(p), order) >> __zs_shift_of(p)) & mask;
}

static __always_inline void __zs_store_part(volatile void *p, unsigned int v, unsigned int mask, int order)
{
	volatile int *w = __zs_word_of(p);
	unsigned int shift = __zs_shift_of(p);
	int old = __zs_load(w, __ZS_RELAXED);
	for (;;) {
		int new_ = (int)(((unsigned int)old & ~(mask << shift)) | ((v & mask) << shift));
		int found = __zs_cmpxchg(w, old, new_, order, __ZS_RELAXED);
		if (found == old)
			return;
		old = found;
	}
}

static __always_inline void __zs_read_sized(const volatile void *p, unsigned int size, int order, void *out)
{
	switch (size) {
	case 1: *(u8 *)out = (u8)__zs_load_part(p, 0xffU, order); break;
	case 2: *(u16 *)out = (u16)__zs_load_part(p, 0xffffU, order); break;
	case 4: *(int *)out = __zs_load((const volatile int *)p, order); break;
	default: *(s64 *)out = __zs_load64((const volatile long long *)p, order); break;
	}
}

static __always_inline void __zs_write_sized(volatile void *p, unsigned int size, int order, const void *in)
{
	switch (size) {
	case 1: __zs_store_part(p, *(const u8 *)in, 0xffU, order); break;
	case 2: __zs_store_part(p, *(const u16 *)in, 0xffffU, order); break;
	case 4: __zs_store((volatile int *)p, *(const int *)in, order); break;
	default: __zs_store64((volatile long long *)p, *(const s64 *)in, order); break;
	}
}

#define __zs_once_size(x, what)                                                                   \
	_Static_assert(sizeof(x) == 1 || sizeof(x) == 2 || sizeof(x) == 4 || sizeof(x) == 8,   \
		       what ": only 1, 2, 4 and 8-byte objects are supported")

/* A value of x's type carried in (up to) 8 bytes, for the sized calls above. */
#define __zs_carrier(x) union { __typeof_unqual__(x) __v; s64 __d; }

#define __zs_read_once(x, order) ({                                                    \
	__zs_once_size(x, "READ_ONCE");                                                  \
	__zs_carrier(x) __u = { .__d = 0 };                                             \
	__zs_read_sized(&(x), sizeof(x), (order), &__u);                                \
	__u.__v; })

#define __zs_write_once(x, val, order) do {                                            \
	__zs_once_size(x, "WRITE_ONCE");                                                 \
	__zs_carrier(x) __u = { .__d = 0 };                                             \
	__u.__v = (val);                                                                  \
	__zs_write_sized(&(x), sizeof(x), (order), &__u);                               \
} while (0)

#define READ_ONCE(x) __zs_read_once(x, __ZS_RELAXED)
#define WRITE_ONCE(x, v) __zs_write_once(x, v, __ZS_RELAXED)

/* ---- barriers (asm-generic/barrier.h; LKMM: Documentation/memory-barriers.txt) ---- */
#define smp_mb() __zs_fence(__ZS_SEQ_CST)
#define smp_rmb() __zs_fence(__ZS_ACQUIRE)
#define smp_wmb() __zs_fence(__ZS_RELEASE)
#define mb() smp_mb()
#define rmb() smp_rmb()
#define wmb() smp_wmb()
#define smp_mb__before_atomic() smp_mb()
#define smp_mb__after_atomic() smp_mb()
#define smp_mb__after_spinlock() smp_mb()
#define smp_acquire__after_ctrl_dep() smp_rmb()
#define smp_load_acquire(p) __zs_read_once(*(p), __ZS_ACQUIRE)
#define smp_store_release(p, v) __zs_write_once(*(p), v, __ZS_RELEASE)
#define smp_store_mb(var, value) do { WRITE_ONCE(var, value); smp_mb(); } while (0)

/* asm-generic/barrier.h: spin on a relaxed load until cond_expr (of VAL) holds */
#define smp_cond_load_relaxed(ptr, cond_expr) ({                \
	__typeof__(ptr) __PTR = (ptr);                           \
	__typeof_unqual__(*(ptr)) VAL;                                \
	for (;;) {                                               \
		VAL = READ_ONCE(*__PTR);                         \
		if (cond_expr)                                   \
			break;                                   \
		cpu_relax();                                     \
	}                                                        \
	(__typeof__(*(ptr)))VAL; })

#define smp_cond_load_acquire(ptr, cond_expr) ({                \
	__typeof_unqual__(*(ptr)) _val;                               \
	_val = smp_cond_load_relaxed(ptr, cond_expr);            \
	smp_acquire__after_ctrl_dep();                           \
	(__typeof__(*(ptr)))_val; })

/* ---- xchg, cmpxchg, try_cmpxchg on plain 4 and 8-byte variables ------------------- */
#define __zs_rmw_size(x, what) _Static_assert(sizeof(x) == 4 || sizeof(x) == 8, what ": only 4 and 8-byte objects are supported")

#define __zs_xchg_op(ptr, val, order) ({                                                \
	__typeof__(ptr) __p = (ptr);                                                     \
	__zs_rmw_size(*__p, "xchg");                                                     \
	__zs_carrier(*__p) __n = { .__d = 0 }, __o = { .__d = 0 };                      \
	__n.__v = (val);                                                                  \
	if (sizeof(*__p) == 8)                                                            \
		__o.__d = __zs_xchg64((volatile long long *)__p, __n.__d, (order));       \
	else                                                                              \
		__o.__d = __zs_xchg((volatile int *)__p, (int)__n.__d, (order));          \
	__o.__v; })

/* a failed cmpxchg orders nothing (atomic_t.txt) */
#define __zs_cmpxchg_op(ptr, old, new_, order) ({                                       \
	__typeof__(ptr) __p = (ptr);                                                     \
	__zs_rmw_size(*__p, "cmpxchg");                                                  \
	__zs_carrier(*__p) __e = { .__d = 0 }, __n = { .__d = 0 }, __f = { .__d = 0 }; \
	__e.__v = (old);                                                                  \
	__n.__v = (new_);                                                                 \
	if (sizeof(*__p) == 8)                                                            \
		__f.__d = __zs_cmpxchg64((volatile long long *)__p, __e.__d, __n.__d, (order), __ZS_RELAXED); \
	else                                                                              \
		__f.__d = __zs_cmpxchg((volatile int *)__p, (int)__e.__d, (int)__n.__d, (order), __ZS_RELAXED); \
	__f.__v; })

#define __zs_try_cmpxchg_op(ptr, oldp, new_, order) ({                                  \
	__typeof__(ptr) __p = (ptr);                                                     \
	__typeof__(oldp) __op = (oldp);                                                  \
	__zs_rmw_size(*__p, "try_cmpxchg");                                              \
	__zs_carrier(*__p) __e = { .__d = 0 }, __n = { .__d = 0 }, __f = { .__d = 0 }; \
	__e.__v = *__op;                                                                  \
	__n.__v = (new_);                                                                 \
	if (sizeof(*__p) == 8)                                                            \
		__f.__d = __zs_cmpxchg64((volatile long long *)__p, __e.__d, __n.__d, (order), __ZS_RELAXED); \
	else                                                                              \
		__f.__d = __zs_cmpxchg((volatile int *)__p, (int)__e.__d, (int)__n.__d, (order), __ZS_RELAXED); \
	bool __ok = sizeof(*__p) == 8 ? __f.__d == __e.__d : (int)__f.__d == (int)__e.__d; \
	if (unlikely(!__ok))                                                              \
		*__op = __f.__v;                                                         \
	likely(__ok); })

#define xchg(ptr, v) __zs_xchg_op(ptr, v, __ZS_SEQ_CST)
#define xchg_acquire(ptr, v) __zs_xchg_op(ptr, v, __ZS_ACQUIRE)
#define xchg_release(ptr, v) __zs_xchg_op(ptr, v, __ZS_RELEASE)
#define xchg_relaxed(ptr, v) __zs_xchg_op(ptr, v, __ZS_RELAXED)
#define cmpxchg(ptr, o, n) __zs_cmpxchg_op(ptr, o, n, __ZS_SEQ_CST)
#define cmpxchg_acquire(ptr, o, n) __zs_cmpxchg_op(ptr, o, n, __ZS_ACQUIRE)
#define cmpxchg_release(ptr, o, n) __zs_cmpxchg_op(ptr, o, n, __ZS_RELEASE)
#define cmpxchg_relaxed(ptr, o, n) __zs_cmpxchg_op(ptr, o, n, __ZS_RELAXED)
#define try_cmpxchg(ptr, po, n) __zs_try_cmpxchg_op(ptr, po, n, __ZS_SEQ_CST)
#define try_cmpxchg_acquire(ptr, po, n) __zs_try_cmpxchg_op(ptr, po, n, __ZS_ACQUIRE)
#define try_cmpxchg_release(ptr, po, n) __zs_try_cmpxchg_op(ptr, po, n, __ZS_RELEASE)
#define try_cmpxchg_relaxed(ptr, po, n) __zs_try_cmpxchg_op(ptr, po, n, __ZS_RELAXED)
#define __zs_is_8(ptr, what) _Static_assert(sizeof(*(ptr)) == 8, what ": only 8-byte objects")
#define cmpxchg64(ptr, o, n) ({ __zs_is_8(ptr, "cmpxchg64"); cmpxchg(ptr, o, n); })
#define cmpxchg64_acquire(ptr, o, n) ({ __zs_is_8(ptr, "cmpxchg64"); cmpxchg_acquire(ptr, o, n); })
#define cmpxchg64_release(ptr, o, n) ({ __zs_is_8(ptr, "cmpxchg64"); cmpxchg_release(ptr, o, n); })
#define cmpxchg64_relaxed(ptr, o, n) ({ __zs_is_8(ptr, "cmpxchg64"); cmpxchg_relaxed(ptr, o, n); })
#define try_cmpxchg64(ptr, po, n) ({ __zs_is_8(ptr, "try_cmpxchg64"); try_cmpxchg(ptr, po, n); })
#define try_cmpxchg64_acquire(ptr, po, n) ({ __zs_is_8(ptr, "try_cmpxchg64"); try_cmpxchg_acquire(ptr, po, n); })
#define try_cmpxchg64_release(ptr, po, n) ({ __zs_is_8(ptr, "try_cmpxchg64"); try_cmpxchg_release(ptr, po, n); })
#define try_cmpxchg64_relaxed(ptr, po, n) ({ __zs_is_8(ptr, "try_cmpxchg64"); try_cmpxchg_relaxed(ptr, po, n); })
/* _local: atomic only against this CPU in the kernel; here as atomic as the others, relaxed */
#define cmpxchg_local(ptr, o, n) cmpxchg_relaxed(ptr, o, n)
#define cmpxchg64_local(ptr, o, n) cmpxchg64_relaxed(ptr, o, n)
#define try_cmpxchg_local(ptr, po, n) try_cmpxchg_relaxed(ptr, po, n)
#define try_cmpxchg64_local(ptr, po, n) try_cmpxchg64_relaxed(ptr, po, n)
#define sync_cmpxchg(ptr, o, n) cmpxchg(ptr, o, n)
#define sync_try_cmpxchg(ptr, po, n) try_cmpxchg(ptr, po, n)

#endif /* ZSPAGE_ONCE_H */
