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

#include "zspage_base.h"

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
