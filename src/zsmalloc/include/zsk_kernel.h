/*
 * zspage-stress kernel pool shim: the part of the Linux kernel API that mm/zsmalloc.c
 * uses, for the kernel's own file compiled unchanged to WebAssembly and run on the
 * harness's shared arena, one worker thread per CPU. Force-included before the file;
 * every <linux/...> and <asm/...> header it names resolves to this shim.
 *
 * It keeps the kernel's promises where zsmalloc relies on them: pages and slab objects
 * live in the arena (zsk_mm.h), the page lock is a real lock with real waits, a
 * spinlock or rwlock raises preempt_count, lockdep annotations and WARN/BUG reach the
 * harness's checks (zsk_locks.h), and the workqueue, shrinker and zone statistics are
 * recorded stubs (zsk_stubs.h). Atomics, spinlocks and sleeps are the C locks' shim
 * (src/locks/c/include): one instrumented path for a lock and for the pool.
 */
#ifndef ZSK_KERNEL_H
#define ZSK_KERNEL_H

/* the kernel configuration zsmalloc is built with */
#define CONFIG_MMU 1
#define CONFIG_COMPACTION 1
#define CONFIG_MIGRATION 1
#define CONFIG_ZSMALLOC 1
#define CONFIG_ZSMALLOC_CHAIN_SIZE 8
#define CONFIG_DEBUG_LOCK_ALLOC 1
#define CONFIG_LOCKDEP 1
#define NR_CPUS 64
#define MAX_NUMNODES 1
#define NUMA_NO_NODE (-1)
#define KBUILD_MODNAME "zsmalloc"

#define ZSPAGE_OWN_RWLOCK 1
#include "zspage_base.h"
#include "zspage_spinlock.h"
#include "zspage_bitops.h"

/* ---- kconfig.h: IS_ENABLED(CONFIG_X) is 1 when CONFIG_X is defined as 1 ---------- */
#define __ZSK_ARG_PLACEHOLDER_1 0,
#define __zsk_second(ignored, val, ...) val
#define __zsk_defined(x) ___zsk_defined(x)
#define ___zsk_defined(val) ____zsk_defined(__ZSK_ARG_PLACEHOLDER_##val)
#define ____zsk_defined(arg1_or_junk) __zsk_second(arg1_or_junk 1, 0)
#define IS_ENABLED(option) __zsk_defined(option)
#define IS_BUILTIN(option) __zsk_defined(option)

/* ---- types.h ------------------------------------------------------------------ */
typedef unsigned int gfp_t;
typedef unsigned long pgoff_t;
typedef unsigned long phys_addr_t;
typedef unsigned long uintptr_t;
typedef long intptr_t;
typedef unsigned int isolate_mode_t;
typedef unsigned short umode_t;
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef u64 __u64;
typedef long long loff_t;
/* memcontrol.h: the memcg statistics a pool may account to (6.18+) */
enum memcg_stat_item { MEMCG_SWAP = 0, MEMCG_ZSWAP_B, MEMCG_ZSWAPPED, MEMCG_NR_STAT };

#define __init
#define __exit
#define __initdata
#define __read_mostly
#define __ro_after_init
#define __user
#define __force
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define fallthrough __attribute__((__fallthrough__))
#define __aligned(x) __attribute__((aligned(x)))
#define __packed __attribute__((packed))
#define __always_unused __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define static_assert(expr, ...) _Static_assert(expr, #expr)
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")
#define BUILD_BUG_ON_MSG(cond, msg) _Static_assert(!(cond), msg)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define typeof_member(T, m) typeof(((T *)0)->m)

/* ---- const.h, limits.h, math.h, minmax.h --------------------------------------- */
#define __AC(X, Y) (X##Y)
#define _AC(X, Y) __AC(X, Y)
#define _UL(x) (_AC(x, UL))
#define UL(x) (_UL(x))
#define INT_MAX 0x7fffffff
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX 0xffffffffU
#define LONG_MAX 0x7fffffffL
#define ULONG_MAX 0xffffffffUL
#define SZ_1K 0x400
#define SZ_4K 0x1000
#define SZ_1M 0x100000
#define SZ_16M 0x1000000
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define round_up(x, y) ((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y) - 1)))
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define min(a, b) ({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); __a < __b ? __a : __b; })
#define max(a, b) ({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); __a > __b ? __a : __b; })
#define min_t(t, a, b) ({ t __a = (a); t __b = (b); __a < __b ? __a : __b; })
#define max_t(t, a, b) ({ t __a = (a); t __b = (b); __a > __b ? __a : __b; })
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define clamp(v, lo, hi) min(max(v, lo), hi)
static inline bool is_power_of_2(unsigned long n) { return n != 0 && (n & (n - 1)) == 0; }

/* ---- err.h, errno.h -------------------------------------------------------------- */
#define EPERM 1
#define ENOENT 2
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28
#define ENOSYS 38
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR_VALUE((unsigned long)ptr); }

#include "zsk_list.h"
#include "zsk_locks.h"
#include "zsk_mm.h"
#include "zsk_stubs.h"

#endif /* ZSK_KERNEL_H */
