/*
 * zspage-stress kernel shim: preempt and irq context, spinlocks and rwlocks. Part of
 * zspage_kernel.h; not included on its own.
 *
 * Context is the harness's per-thread preempt_count (the `preempt` kernel call), as
 * slept-in-atomic and the explorer's sleep check read it. Interrupts off is one more
 * bit of that count (__ZS_IRQS_OFF, above the kernel's NMI bits): sleeping with them
 * off is as wrong as with preemption off, and preempt_count() does not show it.
 */
#ifndef ZSPAGE_SPINLOCK_H
#define ZSPAGE_SPINLOCK_H

/* ---- preempt.h, irqflags.h, bottom_half.h ------------------------------------------ */
#define __ZS_IRQS_OFF 0x10000000
#define SOFTIRQ_DISABLE_OFFSET 0x200
#define preempt_count() (__zs_preempt(0) & (__ZS_IRQS_OFF - 1))
#define preempt_disable() do { __zs_preempt(1); barrier(); } while (0)
#define preempt_enable() do { barrier(); __zs_preempt(-1); } while (0)
#define preempt_enable_no_resched() preempt_enable()
#define preemptible() (__zs_preempt(0) == 0)
#define in_atomic() (preempt_count() != 0)
#define irqs_disabled() ((__zs_preempt(0) & __ZS_IRQS_OFF) != 0)
#define local_irq_disable() do { if (!irqs_disabled()) __zs_preempt(__ZS_IRQS_OFF); } while (0)
#define local_irq_enable() do { if (irqs_disabled()) __zs_preempt(-__ZS_IRQS_OFF); } while (0)
/* flags: whether interrupts were off before */
#define local_irq_save(flags) do { (flags) = irqs_disabled(); local_irq_disable(); } while (0)
#define local_irq_restore(flags) do { if (!(flags)) local_irq_enable(); } while (0)
#define local_bh_disable() do { __zs_preempt(SOFTIRQ_DISABLE_OFFSET); barrier(); } while (0)
#define local_bh_enable() do { barrier(); __zs_preempt(-SOFTIRQ_DISABLE_OFFSET); } while (0)

/* ---- spinlock.h: holding a spinlock raises preempt_count ------------------------- */
#ifndef ZSPAGE_OWN_RWLOCK /* the kernel pool's shim names its spinlocks for its lockdep (zsk_locks.h) */
typedef struct { int locked; } spinlock_t;
typedef spinlock_t raw_spinlock_t;
#define __SPIN_LOCK_UNLOCKED(name) { 0 }
#define __RAW_SPIN_LOCK_UNLOCKED(name) { 0 }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RAW_SPINLOCK(x) raw_spinlock_t x = __RAW_SPIN_LOCK_UNLOCKED(x)
#define spin_lock_init(l) __zs_store(&(l)->locked, 0, __ZS_RELAXED)
#define spin_lock(l) __zs_spin_lock(&(l)->locked)
#define spin_unlock(l) __zs_spin_unlock(&(l)->locked)
#define spin_trylock(l) (__zs_spin_trylock(&(l)->locked) != 0)
#define spin_is_locked(l) (__zs_load(&(l)->locked, __ZS_RELAXED) != 0)
#endif /* ZSPAGE_OWN_RWLOCK */

#define spin_lock_bh(l) do { local_bh_disable(); spin_lock(l); } while (0)
#define spin_unlock_bh(l) do { spin_unlock(l); local_bh_enable(); } while (0)
#define spin_lock_irq(l) do { local_irq_disable(); spin_lock(l); } while (0)
#define spin_unlock_irq(l) do { spin_unlock(l); local_irq_enable(); } while (0)
#define spin_lock_irqsave(l, flags) do { local_irq_save(flags); spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) do { spin_unlock(l); local_irq_restore(flags); } while (0)
#define spin_trylock_bh(l) ({ local_bh_disable(); spin_trylock(l) ? 1 : ({ local_bh_enable(); 0; }); })
#define spin_trylock_irq(l) ({ local_irq_disable(); spin_trylock(l) ? 1 : ({ local_irq_enable(); 0; }); })
#define spin_trylock_irqsave(l, flags) ({ local_irq_save(flags); spin_trylock(l) ? 1 : ({ local_irq_restore(flags); 0; }); })

#define raw_spin_lock_init spin_lock_init
#define raw_spin_lock spin_lock
#define raw_spin_unlock spin_unlock
#define raw_spin_trylock spin_trylock
#define raw_spin_is_locked spin_is_locked
#define raw_spin_lock_bh spin_lock_bh
#define raw_spin_unlock_bh spin_unlock_bh
#define raw_spin_lock_irq spin_lock_irq
#define raw_spin_unlock_irq spin_unlock_irq
#define raw_spin_lock_irqsave spin_lock_irqsave
#define raw_spin_unlock_irqrestore spin_unlock_irqrestore
#define raw_spin_trylock_irqsave spin_trylock_irqsave

#ifndef ZSPAGE_OWN_RWLOCK /* the kernel pool's shim has rwlocks of its own (zsk_locks.h) */
/*
 * ---- rwlock.h: readers count up, a writer holds it at -1 --------------------------
 * Not the kernel's queued rwlock (no fairness), but its orderings: acquire to take,
 * release to drop, and preemption off while held.
 */
typedef struct { atomic_t cnts; } rwlock_t;
#define __RW_LOCK_UNLOCKED(name) { ATOMIC_INIT(0) }
#define DEFINE_RWLOCK(x) rwlock_t x = __RW_LOCK_UNLOCKED(x)
#define rwlock_init(l) atomic_set(&(l)->cnts, 0)

static __always_inline bool __zs_read_trylock(rwlock_t *l)
{
	int c = atomic_read(&l->cnts);
	return c >= 0 && atomic_try_cmpxchg_acquire(&l->cnts, &c, c + 1);
}

static __always_inline void __zs_read_lock(rwlock_t *l)
{
	for (;;) {
		int c = atomic_cond_read_relaxed(&l->cnts, VAL >= 0);
		if (atomic_try_cmpxchg_acquire(&l->cnts, &c, c + 1))
			return;
	}
}

static __always_inline bool __zs_write_trylock(rwlock_t *l)
{
	int c = 0;
	return atomic_try_cmpxchg_acquire(&l->cnts, &c, -1);
}

static __always_inline void __zs_write_lock(rwlock_t *l)
{
	for (;;) {
		int c = atomic_cond_read_relaxed(&l->cnts, VAL == 0);
		if (atomic_try_cmpxchg_acquire(&l->cnts, &c, -1))
			return;
	}
}

#define read_lock(l) do { preempt_disable(); __zs_read_lock(l); } while (0)
#define read_unlock(l) do { atomic_fetch_sub_release(1, &(l)->cnts); preempt_enable(); } while (0)
#define write_lock(l) do { preempt_disable(); __zs_write_lock(l); } while (0)
#define write_unlock(l) do { atomic_set_release(&(l)->cnts, 0); preempt_enable(); } while (0)
#define read_trylock(l) ({ preempt_disable(); __zs_read_trylock(l) ? 1 : ({ preempt_enable(); 0; }); })
#define write_trylock(l) ({ preempt_disable(); __zs_write_trylock(l) ? 1 : ({ preempt_enable(); 0; }); })
#define read_lock_bh(l) do { local_bh_disable(); read_lock(l); } while (0)
#define read_unlock_bh(l) do { read_unlock(l); local_bh_enable(); } while (0)
#define write_lock_bh(l) do { local_bh_disable(); write_lock(l); } while (0)
#define write_unlock_bh(l) do { write_unlock(l); local_bh_enable(); } while (0)
#define read_lock_irq(l) do { local_irq_disable(); read_lock(l); } while (0)
#define read_unlock_irq(l) do { read_unlock(l); local_irq_enable(); } while (0)
#define write_lock_irq(l) do { local_irq_disable(); write_lock(l); } while (0)
#define write_unlock_irq(l) do { write_unlock(l); local_irq_enable(); } while (0)
#define read_lock_irqsave(l, flags) do { local_irq_save(flags); read_lock(l); } while (0)
#define read_unlock_irqrestore(l, flags) do { read_unlock(l); local_irq_restore(flags); } while (0)
#define write_lock_irqsave(l, flags) do { local_irq_save(flags); write_lock(l); } while (0)
#define write_unlock_irqrestore(l, flags) do { write_unlock(l); local_irq_restore(flags); } while (0)

#endif /* ZSPAGE_OWN_RWLOCK */

#endif /* ZSPAGE_SPINLOCK_H */
