/*
 * zspage-stress kernel shim: bit operations on unsigned long bitmaps and bit
 * spinlocks. Part of zspage_kernel.h; not included on its own.
 *
 * As asm-generic/bitops/{atomic,lock,generic-non-atomic}.h build them on
 * atomic_long_t, with the orderings of Documentation/atomic_bitops.txt: the void
 * ops are relaxed; test_and_{set,clear,change}_bit are fully ordered and, when they
 * change nothing, unordered; test_and_set_bit_lock is acquire, clear_bit_unlock
 * release. unsigned long is 32 bits here.
 */
#ifndef ZSPAGE_BITOPS_H
#define ZSPAGE_BITOPS_H

#define BITS_PER_LONG 32
#define BIT(nr) (1UL << (nr))
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define __zs_bitword(nr, addr) ((atomic_long_t *)((addr) + BIT_WORD(nr)))

static __always_inline void set_bit(long nr, volatile unsigned long *addr)
{
	atomic_long_or(BIT_MASK(nr), __zs_bitword(nr, addr));
}

static __always_inline void clear_bit(long nr, volatile unsigned long *addr)
{
	atomic_long_andnot(BIT_MASK(nr), __zs_bitword(nr, addr));
}

static __always_inline void change_bit(long nr, volatile unsigned long *addr)
{
	atomic_long_xor(BIT_MASK(nr), __zs_bitword(nr, addr));
}

/* asm-generic/bitops/atomic.h: arch_test_and_set_bit */
static __always_inline bool test_and_set_bit(long nr, volatile unsigned long *addr)
{
	unsigned long mask = BIT_MASK(nr);
	if (READ_ONCE(addr[BIT_WORD(nr)]) & mask)
		return true;
	return !!(atomic_long_fetch_or(mask, __zs_bitword(nr, addr)) & mask);
}

static __always_inline bool test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	unsigned long mask = BIT_MASK(nr);
	if (!(READ_ONCE(addr[BIT_WORD(nr)]) & mask))
		return false;
	return !!(atomic_long_fetch_andnot(mask, __zs_bitword(nr, addr)) & mask);
}

static __always_inline bool test_and_change_bit(long nr, volatile unsigned long *addr)
{
	unsigned long mask = BIT_MASK(nr);
	return !!(atomic_long_fetch_xor(mask, __zs_bitword(nr, addr)) & mask);
}

static __always_inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return 1UL & (READ_ONCE(addr[BIT_WORD(nr)]) >> (nr & (BITS_PER_LONG - 1)));
}

static __always_inline bool test_bit_acquire(long nr, const volatile unsigned long *addr)
{
	return 1UL & (smp_load_acquire(&addr[BIT_WORD(nr)]) >> (nr & (BITS_PER_LONG - 1)));
}

/* asm-generic/bitops/lock.h: arch_test_and_set_bit_lock */
static __always_inline bool test_and_set_bit_lock(long nr, volatile unsigned long *addr)
{
	unsigned long mask = BIT_MASK(nr);
	if (READ_ONCE(addr[BIT_WORD(nr)]) & mask)
		return true;
	return !!(atomic_long_fetch_or_acquire(mask, __zs_bitword(nr, addr)) & mask);
}

static __always_inline void clear_bit_unlock(long nr, volatile unsigned long *addr)
{
	atomic_long_fetch_andnot_release(BIT_MASK(nr), __zs_bitword(nr, addr));
}

/* the holder is the only writer of the word: a plain read, then a release store */
static __always_inline void __clear_bit_unlock(long nr, volatile unsigned long *addr)
{
	unsigned long old = READ_ONCE(addr[BIT_WORD(nr)]);
	atomic_long_set_release(__zs_bitword(nr, addr), old & ~BIT_MASK(nr));
}

/* generic-non-atomic.h: plain read-modify-writes, for bitmaps nobody else touches */
static __always_inline void __set_bit(long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static __always_inline void __clear_bit(long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

/* ---- bit_spinlock.h ---------------------------------------------------------------- */
static __always_inline void bit_spin_lock(int bitnum, unsigned long *addr)
{
	preempt_disable();
	while (unlikely(test_and_set_bit_lock(bitnum, addr))) {
		preempt_enable();
		do {
			cpu_relax();
		} while (test_bit(bitnum, addr));
		preempt_disable();
	}
}

static __always_inline int bit_spin_trylock(int bitnum, unsigned long *addr)
{
	preempt_disable();
	if (unlikely(test_and_set_bit_lock(bitnum, addr))) {
		preempt_enable();
		return 0;
	}
	return 1;
}

static __always_inline void bit_spin_unlock(int bitnum, unsigned long *addr)
{
	BUG_ON(!test_bit(bitnum, addr));
	clear_bit_unlock(bitnum, addr);
	preempt_enable();
}

static __always_inline void __bit_spin_unlock(int bitnum, unsigned long *addr)
{
	BUG_ON(!test_bit(bitnum, addr));
	__clear_bit_unlock(bitnum, addr);
	preempt_enable();
}

static __always_inline int bit_spin_is_locked(int bitnum, unsigned long *addr)
{
	return test_bit(bitnum, addr);
}

#endif /* ZSPAGE_BITOPS_H */
