/*
 * Ticket spinlocks: fair, so that no CPU starves under contention.  Built on
 * the compiler's atomics so that common code using them also runs on the
 * host in unit tests.
 */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <keel/types.h>
#include <asm/system.h>

typedef struct {
    uint16_t next;   /* next ticket to hand out */
    uint16_t owner;  /* ticket being served */
} spinlock_t;

#define SPIN_LOCK_UNLOCKED { 0, 0 }
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED

static inline void spin_lock_init(spinlock_t *l) { l->next = l->owner = 0; }

static inline void spin_lock(spinlock_t *l)
{
    uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
        cpu_relax();
}

static inline bool spin_trylock(spinlock_t *l)
{
    uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
    spinlock_t old = { owner, owner }, new = { (uint16_t)(owner + 1), owner };
    uint32_t o, n;
    __builtin_memcpy(&o, &old, sizeof(o));
    __builtin_memcpy(&n, &new, sizeof(n));
    return __atomic_compare_exchange_n((uint32_t *)l, &o, n, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
    return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
           __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

#define spin_lock_irqsave(l, flags) \
    do { local_irq_save(flags); spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) \
    do { spin_unlock(l); local_irq_restore(flags); } while (0)

#endif
