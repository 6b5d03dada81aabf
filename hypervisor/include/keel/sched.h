/*
 * The vCPU scheduler: a credit scheduler in the style of Xen's credit1,
 * arch-neutral and unaware of vCPUs and domains.  It schedules entities
 * (struct sched_entity, one per vCPU) grouped into accounts (struct
 * sched_domain, one per domain); `owner` leads back to the vCPU.
 *
 * - Weight: every accounting period (3 slices, 30 ms by default) each
 *   active domain receives credit (CPU time, ns) in proportion to its
 *   weight, out of nr_cpus * period in total, split evenly among its active
 *   entities.  Running burns credit.  An entity with credit left is UNDER,
 *   else OVER; UNDER runs before OVER, round-robin within a class.
 * - Boost: an UNDER entity that wakes up becomes BOOST until it is next
 *   descheduled, and preempts a running entity that is not boosted.  This
 *   gives I/O-bound guests low latency without letting them take more than
 *   their share (they only keep the boost while they have credit).
 * - Cap: a domain may use at most cap% of one physical CPU per period
 *   (cap > 100 for domains with several vCPUs).  Once over, its entities
 *   are parked until the period that pays the debt back, even if CPUs idle.
 * - Balancing: a CPU whose best local choice is worse than an entity
 *   waiting on another CPU (in particular one with nothing to run) steals
 *   it; a waking entity goes to an idle CPU if its own is busy.
 *
 * Time is always passed in (ns, s_time_t) so that the host unit tests can
 * drive it.  Calls are serialised by one global lock; they may come from
 * any CPU and from interrupt context.
 *
 * Caller's protocol:
 *   sched_wake(se) when the vCPU becomes runnable; if it returns a CPU,
 *   make that CPU reschedule.  sched_sleep(se) when it must stop (blocked,
 *   paused); if it was running, make its CPU reschedule.  A CPU reschedules
 *   by calling sched_pick(cpu, prev, now, &at), running the entity it
 *   returns (NULL: idle) and calling it again at `at` (0: only when kicked).
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/time.h>
#include <keel/types.h>

#define SCHED_WEIGHT_DEFAULT    256
#define SCHED_WEIGHT_MAX        65535
#define SCHED_SLICE_DEFAULT     MILLISECS(10)
#define SCHED_PERIOD_SLICES     3       /* accounting period = 3 slices */

/* One per domain.  Fields are the scheduler's; read them under no lock
 * only for debug output. */
struct sched_domain {
    unsigned int weight;        /* 1..SCHED_WEIGHT_MAX */
    unsigned int cap;           /* % of one CPU per period, 0: no cap */
    s_time_t cap_used;          /* time used against the cap (debt carries) */
    bool parked;                /* over its cap until a later period */
    unsigned int nr_running;    /* entities running now (cap deadline) */
    unsigned int nr_active;     /* scratch for the period refill */
    uint64_t epoch;             /* period refill that last visited it */
};

/* One per vCPU. */
struct sched_entity {
    struct sched_domain *sd;
    void *owner;                /* the vCPU; the scheduler never reads it */
    unsigned int cpu;           /* where it is queued or runs (may change) */
    bool initialised;
    bool runnable;              /* between sched_wake and sched_sleep */
    bool running;               /* returned by sched_pick, not yet replaced */
    bool queued;                /* on pcpu's run queue */
    bool boosted;               /* woke with credit; until descheduled */
    bool ran;                   /* ran during this period: still active */
    s_time_t credit;            /* ns; > 0: UNDER, <= 0: OVER */
    s_time_t start;             /* when its running time was last charged */
    struct list_head queue_elem;    /* on the CPU's run queue */
    struct list_head all_elem;      /* on the list of all entities */
};

/*
 * Reset the scheduler for nr_cpus CPUs (1..NR_CPUS) and a time slice
 * (<= 0: SCHED_SLICE_DEFAULT).  Forgets every entity.
 */
void sched_init(unsigned int nr_cpus, s_time_t slice);
s_time_t sched_slice(void);
s_time_t sched_period(void);

/* weight 1..65535, cap 0 (none) .. 100 * nr_cpus; else -EINVAL. */
int sched_domain_init(struct sched_domain *sd, unsigned int weight, unsigned int cap);
int sched_domain_set(struct sched_domain *sd, unsigned int weight, unsigned int cap);

/* A new entity on cpu (< nr_cpus), not runnable; -EINVAL on bad input. */
int sched_entity_init(struct sched_entity *se, struct sched_domain *sd,
                      unsigned int cpu, void *owner);
/* Forget se (dequeues it).  -EBUSY while it is running: sched_sleep it and
 * wait until its CPU has rescheduled. */
int sched_entity_remove(struct sched_entity *se);

/*
 * se became runnable at now.  Queues it on its CPU, or on an idle CPU if
 * its own is busy.  Returns the CPU that should reschedule now to run it
 * (an idle one, or one running something of lower priority), or -1.
 */
int sched_wake(struct sched_entity *se, s_time_t now);
/* se is no longer runnable: dequeued; if running, the caller reschedules
 * its CPU (sched_pick then does not requeue it). */
void sched_sleep(struct sched_entity *se);

/*
 * Called on cpu when it reschedules at now; prev is what it ran (NULL:
 * idle).  Charges prev, requeues it if still runnable, and returns what to
 * run next (possibly prev again, possibly one stolen from another CPU, whose
 * ->cpu is then this cpu; NULL: idle).  *resched_at is when to call again:
 * end of the slice or cap budget, or when idle the next period if work is
 * parked anywhere, else 0 (only when kicked).  Bad cpu: NULL, 0.
 */
struct sched_entity *sched_pick(unsigned int cpu, struct sched_entity *prev,
                                s_time_t now, s_time_t *resched_at);

static inline bool sched_entity_running(const struct sched_entity *se)
{
    return READ_ONCE(se->running);
}

static inline unsigned int sched_entity_cpu(const struct sched_entity *se)
{
    return READ_ONCE(se->cpu);
}

/* Debug: entities waiting on cpu's queue (not counting the running one),
 * and what it runs (NULL: idle or bad cpu). */
unsigned int sched_queue_len(unsigned int cpu);
/* Debug key 'r': each CPU's running entity and queue, named by name(). */
void sched_dump(s_time_t now, void (*name)(const struct sched_entity *se, char *buf, size_t len));
struct sched_entity *sched_cpu_current(unsigned int cpu);

#endif
