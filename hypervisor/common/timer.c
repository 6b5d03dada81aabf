/* Per-CPU timer queues (see keel/timer.h). */
#include <keel/smp.h>
#include <keel/softirq.h>
#include <keel/spinlock.h>
#include <keel/timer.h>

struct timer_queue {
    spinlock_t lock;
    struct list_head timers;    /* sorted by expires, earliest first */
    struct timer *running;      /* whose callback runs right now */
};

static struct timer_queue queues[NR_CPUS];

void timer_subsystem_init(void)
{
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
        spin_lock_init(&queues[cpu].lock);
        list_init(&queues[cpu].timers);
    }
    open_softirq(TIMER_SOFTIRQ, timer_softirq_action);
}

void init_timer(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu)
{
    t->expires = 0;
    t->fn = fn;
    t->data = data;
    t->cpu = cpu < NR_CPUS ? cpu : 0;
    t->active = false;
    list_init(&t->entry);
}

/* Insert in order; returns whether t became the earliest. */
static bool queue_insert(struct timer_queue *q, struct timer *t)
{
    struct list_head *pos;

    list_for_each(pos, &q->timers) {
        if (list_entry(pos, struct timer, entry)->expires > t->expires)
            break;
    }
    list_add_tail(&t->entry, pos);      /* before pos */
    t->active = true;
    return q->timers.next == &t->entry;
}

static void queue_remove(struct timer *t)
{
    list_del(&t->entry);
    t->active = false;
}

void set_timer(struct timer *t, s_time_t expires)
{
    struct timer_queue *q = &queues[t->cpu];
    unsigned long flags;
    bool first;

    spin_lock_irqsave(&q->lock, flags);
    if (t->active)
        queue_remove(t);
    t->expires = expires;
    first = queue_insert(q, t);
    spin_unlock_irqrestore(&q->lock, flags);

    /* A new earliest timer: its CPU must re-arm its hardware timer. */
    if (first)
        cpu_raise_softirq(t->cpu, TIMER_SOFTIRQ);
}

void stop_timer(struct timer *t)
{
    struct timer_queue *q = &queues[t->cpu];
    unsigned long flags;

    spin_lock_irqsave(&q->lock, flags);
    if (t->active)
        queue_remove(t);
    spin_unlock_irqrestore(&q->lock, flags);
}

void timer_softirq_action(void)
{
    struct timer_queue *q = &queues[smp_processor_id()];
    unsigned long flags;

    spin_lock_irqsave(&q->lock, flags);
    while (!list_empty(&q->timers)) {
        struct timer *t = list_first_entry(&q->timers, struct timer, entry);
        if (t->expires > NOW())
            break;
        queue_remove(t);
        /* Call without the lock: the callback may re-arm this timer. */
        q->running = t;
        spin_unlock_irqrestore(&q->lock, flags);
        t->fn(t->data);
        spin_lock_irqsave(&q->lock, flags);
        q->running = NULL;
    }
    s_time_t next = list_empty(&q->timers) ? 0 :
                    list_first_entry(&q->timers, struct timer, entry)->expires;
    arch_timer_program(next);
    spin_unlock_irqrestore(&q->lock, flags);
}

void kill_timer(struct timer *t)
{
    struct timer_queue *q = &queues[t->cpu];

    stop_timer(t);
    /* Its callback may be running on its CPU: wait, unless that is us. */
    if (t->cpu == smp_processor_id())
        return;
    while (__atomic_load_n(&q->running, __ATOMIC_ACQUIRE) == t)
        cpu_relax();
}

s_time_t timer_next_expiry(unsigned int cpu)
{
    struct timer_queue *q = &queues[cpu];
    unsigned long flags;
    s_time_t next = 0;

    spin_lock_irqsave(&q->lock, flags);
    if (!list_empty(&q->timers))
        next = list_first_entry(&q->timers, struct timer, entry)->expires;
    spin_unlock_irqrestore(&q->lock, flags);
    return next;
}

void timer_for_each(unsigned int cpu, void (*fn)(const struct timer *t, void *arg), void *arg)
{
    struct timer_queue *q = &queues[cpu < NR_CPUS ? cpu : 0];
    struct list_head *pos;
    unsigned long flags;

    spin_lock_irqsave(&q->lock, flags);
    list_for_each(pos, &q->timers)
        fn(list_entry(pos, struct timer, entry), arg);
    spin_unlock_irqrestore(&q->lock, flags);
}
