/*
 * Credit scheduler: see keel/sched.h for the model and the caller's
 * protocol.  Everything is under one lock; queues are short (a few vCPUs
 * per CPU), so choosing the next entity is a scan of the queue, and the
 * period refill is a scan of all entities.
 */
#include <keel/bug.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/list.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/time.h>

/* Higher runs first.  Parked entities stay queued but never run. */
enum prio { PRIO_PARKED, PRIO_OVER, PRIO_UNDER, PRIO_BOOST };

struct sched_pcpu {
    struct list_head queue;     /* waiting entities, in arrival order */
    unsigned int nr_queued;
    struct sched_entity *curr;  /* running here, NULL: idle */
};

static DEFINE_SPINLOCK(sched_lock);
static struct sched_pcpu pcpus[NR_CPUS];
static LIST_HEAD(all_entities);
static unsigned int sched_nr_cpus;  /* 0 until sched_init: everything fails */
static s_time_t slice = SCHED_SLICE_DEFAULT;
static s_time_t period = SCHED_SLICE_DEFAULT * SCHED_PERIOD_SLICES;
static s_time_t next_period;        /* when the next refill is due */
static uint64_t epoch;              /* counts refills (see refill()) */

/* pos: each struct containing a `member` on the list at head. */
#define for_each_in(pos, head, member) \
    for (pos = list_entry((head)->next, __typeof__(*pos), member); \
         &pos->member != (head); \
         pos = list_entry(pos->member.next, __typeof__(*pos), member))

void sched_init(unsigned int nr_cpus, s_time_t slice_ns)
{
    unsigned long flags;

    spin_lock_irqsave(&sched_lock, flags);
    sched_nr_cpus = MIN(MAX(nr_cpus, 1U), (unsigned int)NR_CPUS);
    if (slice_ns <= 0)
        slice_ns = SCHED_SLICE_DEFAULT;
    /* Shorter slices make the refill scan a noticeable cost; longer ones
     * make latency for non-boosted entities poor. */
    slice = MIN(MAX(slice_ns, MICROSECS(100)), SECONDS(1));
    period = slice * SCHED_PERIOD_SLICES;
    next_period = 0;                /* the first call starts a period */
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
        list_init(&pcpus[cpu].queue);
        pcpus[cpu].nr_queued = 0;
        pcpus[cpu].curr = NULL;
    }
    list_init(&all_entities);
    spin_unlock_irqrestore(&sched_lock, flags);
}

s_time_t sched_slice(void) { return slice; }
s_time_t sched_period(void) { return period; }

static bool domain_params_ok(unsigned int weight, unsigned int cap)
{
    return weight >= 1 && weight <= SCHED_WEIGHT_MAX &&
           cap <= 100 * sched_nr_cpus;
}

/* What a capped domain may use per period. */
static s_time_t cap_budget(const struct sched_domain *sd)
{
    return period * sd->cap / 100;
}

int sched_domain_init(struct sched_domain *sd, unsigned int weight, unsigned int cap)
{
    if (!sd || !domain_params_ok(weight, cap))
        return -EINVAL;
    *sd = (struct sched_domain){ .weight = weight, .cap = cap };
    return 0;
}

int sched_domain_set(struct sched_domain *sd, unsigned int weight, unsigned int cap)
{
    unsigned long flags;

    if (!sd || !domain_params_ok(weight, cap))
        return -EINVAL;
    spin_lock_irqsave(&sched_lock, flags);
    sd->weight = weight;
    sd->cap = cap;
    if (!cap)
        sd->cap_used = 0;
    /* Unparked work waits at most until the next period: idle CPUs with
     * anything queued anywhere look again then. */
    sd->parked = cap && sd->cap_used >= cap_budget(sd);
    spin_unlock_irqrestore(&sched_lock, flags);
    return 0;
}

int sched_entity_init(struct sched_entity *se, struct sched_domain *sd,
                      unsigned int cpu, void *owner)
{
    unsigned long flags;

    if (!se || !sd || cpu >= sched_nr_cpus || !domain_params_ok(sd->weight, sd->cap))
        return -EINVAL;
    /* One slice of credit: a new vCPU is UNDER, and boosted when it first
     * wakes, without waiting for a refill (it is not active until then). */
    *se = (struct sched_entity){ .sd = sd, .owner = owner, .cpu = cpu,
                                 .initialised = true, .credit = slice };
    list_init(&se->queue_elem);
    spin_lock_irqsave(&sched_lock, flags);
    list_add_tail(&se->all_elem, &all_entities);
    spin_unlock_irqrestore(&sched_lock, flags);
    return 0;
}

static enum prio prio(const struct sched_entity *se)
{
    if (se->sd->parked)
        return PRIO_PARKED;
    if (se->boosted)
        return PRIO_BOOST;
    return se->credit > 0 ? PRIO_UNDER : PRIO_OVER;
}

/* Always at the tail: entities of one priority take turns. */
static void enqueue(struct sched_entity *se)
{
    struct sched_pcpu *pc = &pcpus[se->cpu];

    list_add_tail(&se->queue_elem, &pc->queue);
    pc->nr_queued++;
    se->queued = true;
}

static void dequeue(struct sched_entity *se)
{
    list_del(&se->queue_elem);
    pcpus[se->cpu].nr_queued--;
    se->queued = false;
}

/* The first-queued of the highest priority waiting on cpu; never parked. */
static struct sched_entity *best_queued(unsigned int cpu)
{
    struct sched_entity *se, *best = NULL;

    for_each_in(se, &pcpus[cpu].queue, queue_elem) {
        if (prio(se) > (best ? prio(best) : PRIO_PARKED))
            best = se;
    }
    return best;
}

static unsigned int cpu_load(unsigned int cpu)
{
    return pcpus[cpu].nr_queued + (pcpus[cpu].curr ? 1 : 0);
}

static bool cpu_idle(unsigned int cpu)
{
    return !pcpus[cpu].curr && !best_queued(cpu);
}

/*
 * Charge se (running) for the time since it was last charged: it loses
 * credit, and its domain's cap budget.  Debt is bounded by one period so
 * that a past burst is forgotten in a few periods.
 */
static void burn(struct sched_entity *se, s_time_t now)
{
    struct sched_domain *sd = se->sd;
    s_time_t delta = now - se->start;

    if (delta <= 0)     /* CPUs' clocks may disagree by a little */
        return;
    se->start = now;
    se->ran = true;
    se->credit = MAX(se->credit - delta, -period);
    if (sd->cap) {
        sd->cap_used += delta;
        if (sd->cap_used >= cap_budget(sd))
            sd->parked = true;
    }
}

/*
 * Start a new accounting period, lazily at the first call once it is due.
 * Running entities are charged first so that their time counts against the
 * period it was (mostly) spent in.  Then every active domain (one with an
 * entity that is runnable or ran during the period) receives its weight's
 * share of nr_cpus * period, at most its cap, split evenly among its active
 * entities; an entity keeps at most one period of credit (it cannot use
 * more than one CPU, and savings would keep it UNDER and boosted long
 * after it began to use more than its share).  Cap
 * debt is paid back by the periods elapsed, and unparks when paid.
 * Domains are reached through their entities; `epoch` marks the ones
 * already visited.
 */
static void refill(s_time_t now)
{
    struct sched_entity *se;
    uint64_t total_weight = 0;
    s_time_t periods;

    if (now < next_period)
        return;
    periods = (now - next_period) / period + 1;
    next_period += periods * period;
    epoch++;

    for (unsigned int cpu = 0; cpu < sched_nr_cpus; cpu++) {
        if (pcpus[cpu].curr)
            burn(pcpus[cpu].curr, now);
    }

    for_each_in(se, &all_entities, all_elem) {
        struct sched_domain *sd = se->sd;

        if (sd->epoch != epoch) {
            sd->epoch = epoch;
            sd->nr_active = 0;
            if (sd->cap) {
                s_time_t budget = cap_budget(sd);
                /* Written so that many idle periods cannot overflow. */
                sd->cap_used = periods > sd->cap_used / budget ? 0 :
                               sd->cap_used - periods * budget;
                sd->parked = sd->cap_used >= budget;
            } else {
                sd->cap_used = 0;
                sd->parked = false;
            }
        }
        if ((se->runnable || se->ran) && sd->nr_active++ == 0)
            total_weight += sd->weight;
    }

    for_each_in(se, &all_entities, all_elem) {
        struct sched_domain *sd = se->sd;
        s_time_t share;

        if (!se->runnable && !se->ran)
            continue;
        se->ran = false;
        share = (s_time_t)(sched_nr_cpus * period * sd->weight / total_weight);
        if (sd->cap)
            share = MIN(share, cap_budget(sd));
        share /= sd->nr_active;
        se->credit = MIN(se->credit + share, period);
    }
}

/*
 * The best entity waiting on another CPU that is better for this one than
 * its own best (of priority mine, with load my_load once it runs it):
 * strictly higher priority, or equal priority on a CPU with at least two
 * more entities (moving one evens the load and cannot bounce back).
 * Highest priority first, then the most loaded CPU, then the lowest number,
 * so that the choice is deterministic.
 */
static struct sched_entity *steal(unsigned int cpu, enum prio mine,
                                  unsigned int my_load)
{
    struct sched_entity *found = NULL;
    unsigned int found_load = 0;

    for (unsigned int c = 0; c < sched_nr_cpus; c++) {
        struct sched_entity *se;
        unsigned int load = cpu_load(c);

        if (c == cpu || !(se = best_queued(c)))
            continue;
        if (prio(se) < mine || (prio(se) == mine && load < my_load + 2))
            continue;
        if (found && (prio(se) < prio(found) ||
                      (prio(se) == prio(found) && load <= found_load)))
            continue;
        found = se;
        found_load = load;
    }
    if (found) {
        dequeue(found);
        found->cpu = cpu;
    }
    return found;
}

int sched_entity_remove(struct sched_entity *se)
{
    unsigned long flags;
    int rc = 0;

    if (!se)
        return -EINVAL;
    spin_lock_irqsave(&sched_lock, flags);
    if (!se->initialised) {
        rc = -EINVAL;
    } else if (se->running) {
        rc = -EBUSY;
    } else {
        if (se->queued)
            dequeue(se);
        list_del(&se->all_elem);
        se->initialised = se->runnable = false;
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    return rc;
}

int sched_wake(struct sched_entity *se, s_time_t now)
{
    struct sched_entity *curr;
    unsigned long flags;
    int kick = -1;

    if (!se)
        return -1;
    spin_lock_irqsave(&sched_lock, flags);
    refill(now);
    if (!se->initialised || se->runnable)
        goto out;
    se->runnable = true;
    /* Still running (slept and woke before its CPU rescheduled): it simply
     * goes on, sched_pick requeues it. */
    if (se->running)
        goto out;
    se->boosted = se->credit > 0 && !se->sd->parked;

    /* An idle CPU runs it at once; otherwise stay where the cache is warm. */
    if (!cpu_idle(se->cpu)) {
        for (unsigned int c = 0; c < sched_nr_cpus; c++) {
            if (cpu_idle(c)) {
                se->cpu = c;
                break;
            }
        }
    }
    enqueue(se);
    curr = pcpus[se->cpu].curr;
    if (curr)
        burn(curr, now);        /* its priority as of now */
    /* An idle CPU is told even when se is parked: its sched_pick then
     * arms the timer for the period that unparks se. */
    if (!curr || prio(se) > prio(curr))
        kick = (int)se->cpu;
out:
    spin_unlock_irqrestore(&sched_lock, flags);
    return kick;
}

void sched_sleep(struct sched_entity *se)
{
    unsigned long flags;

    if (!se)
        return;
    spin_lock_irqsave(&sched_lock, flags);
    if (se->initialised && se->runnable) {
        se->runnable = false;
        se->boosted = false;
        if (se->queued)
            dequeue(se);
    }
    spin_unlock_irqrestore(&sched_lock, flags);
}

static bool anything_queued(void)
{
    for (unsigned int cpu = 0; cpu < sched_nr_cpus; cpu++) {
        if (pcpus[cpu].nr_queued)
            return true;
    }
    return false;
}

struct sched_entity *sched_pick(unsigned int cpu, struct sched_entity *prev,
                                s_time_t now, s_time_t *resched_at)
{
    struct sched_pcpu *pc;
    struct sched_entity *next, *stolen;
    s_time_t at = 0;
    unsigned long flags;

    *resched_at = 0;
    if (cpu >= sched_nr_cpus)
        return NULL;
    pc = &pcpus[cpu];
    spin_lock_irqsave(&sched_lock, flags);
    BUG_ON(prev != pc->curr);   /* the caller lost track of what runs here */
    refill(now);

    if (prev) {
        burn(prev, now);
        prev->running = false;
        prev->boosted = false;  /* a boost lasts one turn */
        prev->sd->nr_running--;
        pc->curr = NULL;
        if (prev->runnable)
            enqueue(prev);      /* behind its equals: round-robin */
    }

    next = best_queued(cpu);
    stolen = steal(cpu, next ? prio(next) : PRIO_PARKED,
                   next ? pc->nr_queued : 0);
    if (stolen)
        next = stolen;
    else if (next)
        dequeue(next);

    if (next) {
        struct sched_domain *sd = next->sd;

        next->running = true;
        next->start = now;
        sd->nr_running++;
        pc->curr = next;
        at = now + slice;
        if (sd->cap) {
            /* Stop when the budget left runs out, assuming the domain's
             * other running entities use it up alongside; an overshoot
             * is debt that the next period pays. */
            s_time_t left = (cap_budget(sd) - sd->cap_used) / sd->nr_running;
            at = MIN(at, now + MAX(left, (s_time_t)1));
        }
    } else if (anything_queued()) {
        at = next_period;       /* parked work may be unparked then */
    }
    *resched_at = at;
    spin_unlock_irqrestore(&sched_lock, flags);
    return next;
}

static const char *const prio_names[] = {
    [PRIO_PARKED] = "parked", [PRIO_OVER] = "over", [PRIO_UNDER] = "under",
    [PRIO_BOOST] = "boost",
};

static void describe(const struct sched_entity *se,
                     void (*name)(const struct sched_entity *, char *, size_t),
                     char *buf, size_t size)
{
    char who[32];

    name(se, who, sizeof(who));
    snprintf(buf, size, "%s %s %ld us", who, prio_names[prio(se)], (long)(se->credit / 1000));
}

void sched_dump(s_time_t now, void (*name)(const struct sched_entity *, char *, size_t))
{
    unsigned long flags;
    char line[240], one[64];

    spin_lock_irqsave(&sched_lock, flags);
    printk("scheduler: credit, slice %ld us, period %ld us, next refill in %ld us\n",
           (long)(slice / 1000), (long)(period / 1000), (long)((next_period - now) / 1000));
    for (unsigned int cpu = 0; cpu < sched_nr_cpus; cpu++) {
        struct sched_pcpu *pc = &pcpus[cpu];
        struct sched_entity *se;
        size_t n = 0;

        if (pc->curr)
            describe(pc->curr, name, one, sizeof(one));
        n += snprintf(line + n, sizeof(line) - n, "CPU%u: running %s; queue (%u):", cpu,
                      pc->curr ? one : "idle", pc->nr_queued);
        for_each_in(se, &pc->queue, queue_elem) {
            if (n >= sizeof(line))
                break;
            describe(se, name, one, sizeof(one));
            n += snprintf(line + n, sizeof(line) - n, " %s;", one);
        }
        printk("  %s\n", line);
    }
    spin_unlock_irqrestore(&sched_lock, flags);
}

unsigned int sched_queue_len(unsigned int cpu)
{
    return cpu < sched_nr_cpus ? READ_ONCE(pcpus[cpu].nr_queued) : 0;
}

struct sched_entity *sched_cpu_current(unsigned int cpu)
{
    return cpu < sched_nr_cpus ? READ_ONCE(pcpus[cpu].curr) : NULL;
}
