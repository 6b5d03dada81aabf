/*
 * Credit scheduler, driven by a small discrete-event simulator: N CPUs,
 * entities that are CPU-bound (hogs) or that run a burst and block for a
 * while (I/O-like).  The simulator calls sched_pick when a CPU's resched_at
 * comes or when sched_wake/sched_sleep says a CPU must reschedule, and
 * records each entity's CPU time and wake-up latency.  Shares are asserted
 * against the numbers the credit model promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/sched.h>
#include "include/harness.h"

#define SIM_CPUS 8
#define SIM_ENTS 16
#define NEVER    INT64_MAX

struct sim_ent {
    struct sched_entity se;
    bool io;                    /* runs burst, then blocks for sleep */
    s_time_t burst, sleep;
    s_time_t burst_left;
    bool blocked;
    bool removed;
    s_time_t wake_at;           /* when blocked: when it wakes (NEVER) */
    s_time_t woke_at;           /* runnable, not yet run since waking */
    bool waiting;
    s_time_t run;               /* CPU time received */
    s_time_t stretch, max_stretch;  /* uninterrupted running */
    s_time_t max_latency;       /* wake to first run */
    unsigned int wakes, migrations;
    unsigned int last_cpu;
};

struct sim_cpu {
    struct sched_entity *curr;
    s_time_t resched_at;        /* 0: none */
    bool kick;
    s_time_t idle;
};

static struct {
    s_time_t now;
    unsigned int nr_cpus, nr_ents;
    struct sim_cpu cpu[SIM_CPUS];
    struct sim_ent ent[SIM_ENTS];
    unsigned long picks;
} sim;

static void sim_init(unsigned int nr_cpus)
{
    memset(&sim, 0, sizeof(sim));
    sim.nr_cpus = nr_cpus;
    sched_init(nr_cpus, 0);
}

/* A new entity of sd on cpu that first wakes at `start`. */
static struct sim_ent *sim_add_at(struct sched_domain *sd, unsigned int cpu,
                                  s_time_t burst, s_time_t sleep, s_time_t start)
{
    struct sim_ent *e = &sim.ent[sim.nr_ents++];

    assert_true(sim.nr_ents <= SIM_ENTS);
    assert_int_equal(sched_entity_init(&e->se, sd, cpu, e), 0);
    e->io = burst > 0;
    e->burst = burst;
    e->sleep = sleep;
    e->blocked = true;
    e->wake_at = start;
    e->last_cpu = cpu;
    return e;
}

static struct sim_ent *sim_add(struct sched_domain *sd, unsigned int cpu,
                               s_time_t burst, s_time_t sleep)
{
    return sim_add_at(sd, cpu, burst, sleep, sim.now);
}

static struct sim_ent *sim_hog(struct sched_domain *sd, unsigned int cpu)
{
    return sim_add(sd, cpu, 0, 0);
}

static void sim_pick(unsigned int c)
{
    struct sim_cpu *pc = &sim.cpu[c];
    struct sched_entity *next;

    next = sched_pick(c, pc->curr, sim.now, &pc->resched_at);
    if (pc->curr && pc->curr != next)
        ((struct sim_ent *)pc->curr->owner)->stretch = 0;
    pc->kick = false;
    pc->curr = next;
    sim.picks++;
    if (!next) {
        assert_true(pc->resched_at == 0 || pc->resched_at > sim.now);
        return;
    }
    struct sim_ent *e = next->owner;
    assert_false(e->blocked);           /* never a sleeping entity */
    assert_false(e->removed);
    assert_true(sched_entity_running(next));
    assert_int_equal(sched_entity_cpu(next), c);
    assert_true(pc->resched_at > sim.now);
    assert_true(pc->resched_at <= sim.now + sched_slice());
    for (unsigned int o = 0; o < sim.nr_cpus; o++)
        assert_true(o == c || sim.cpu[o].curr != next);  /* not twice */
    if (e->last_cpu != c)
        e->migrations++;
    e->last_cpu = c;
    if (e->waiting) {
        e->waiting = false;
        if (sim.now - e->woke_at > e->max_latency)
            e->max_latency = sim.now - e->woke_at;
    }
}

static void sim_kick(int cpu)
{
    if (cpu >= 0) {
        assert_true((unsigned int)cpu < sim.nr_cpus);
        sim.cpu[cpu].kick = true;
    }
}

/* Run the simulation until time `until`. */
static void sim_run(s_time_t until)
{
    unsigned long max_picks = sim.picks + 1000000;

    while (sim.now < until) {
        s_time_t next = until, dt;

        if (sim.picks > max_picks)
            fail_msg("runaway: a million picks by %lld ns", (long long)sim.now);

        for (unsigned int c = 0; c < sim.nr_cpus; c++) {
            struct sim_cpu *pc = &sim.cpu[c];
            if (pc->kick)
                next = sim.now;
            if (pc->resched_at)
                next = MIN(next, MAX(pc->resched_at, sim.now));
            if (pc->curr && ((struct sim_ent *)pc->curr->owner)->io)
                next = MIN(next, sim.now + ((struct sim_ent *)pc->curr->owner)->burst_left);
        }
        for (unsigned int i = 0; i < sim.nr_ents; i++) {
            if (sim.ent[i].blocked)
                next = MIN(next, MAX(sim.ent[i].wake_at, sim.now));
        }

        dt = next - sim.now;
        for (unsigned int c = 0; c < sim.nr_cpus; c++) {
            struct sim_cpu *pc = &sim.cpu[c];
            if (pc->curr) {
                struct sim_ent *e = pc->curr->owner;
                e->run += dt;
                e->stretch += dt;
                e->max_stretch = MAX(e->max_stretch, e->stretch);
                if (e->io)
                    e->burst_left -= dt;
            } else {
                pc->idle += dt;
            }
        }
        sim.now = next;
        if (sim.now >= until)
            break;

        /* Bursts that ended block; their CPUs reschedule. */
        for (unsigned int c = 0; c < sim.nr_cpus; c++) {
            struct sim_cpu *pc = &sim.cpu[c];
            struct sim_ent *e = pc->curr ? pc->curr->owner : NULL;
            if (e && e->io && !e->blocked && e->burst_left <= 0) {
                e->blocked = true;
                e->wake_at = sim.now + e->sleep;
                sched_sleep(&e->se);
                pc->kick = true;
            }
        }
        for (unsigned int i = 0; i < sim.nr_ents; i++) {
            struct sim_ent *e = &sim.ent[i];
            if (e->blocked && e->wake_at <= sim.now) {
                e->blocked = false;
                e->burst_left = e->burst;
                e->woke_at = sim.now;
                e->waiting = true;
                e->wakes++;
                sim_kick(sched_wake(&e->se, sim.now));
            }
        }
        for (unsigned int c = 0; c < sim.nr_cpus; c++) {
            struct sim_cpu *pc = &sim.cpu[c];
            if (pc->kick || (pc->resched_at && pc->resched_at <= sim.now))
                sim_pick(c);
        }
    }
}

/* Stop e for good: it sleeps, its CPU reschedules, then it is removed. */
static void sim_stop_and_remove(struct sim_ent *e)
{
    e->blocked = true;
    e->wake_at = NEVER;
    sched_sleep(&e->se);
    for (unsigned int c = 0; c < sim.nr_cpus; c++) {
        if (sim.cpu[c].curr == &e->se)
            sim_pick(c);
    }
    assert_false(sched_entity_running(&e->se));
    assert_int_equal(sched_entity_remove(&e->se), 0);
    e->removed = true;
}

static double pct(s_time_t part, s_time_t whole)
{
    return 100.0 * (double)part / (double)whole;
}

static void assert_near(double got, double want, double tol, const char *what)
{
    if (getenv("UNIT_VERBOSE"))
        fprintf(stderr, "  %s: %.2f (want %.2f +- %.2f)\n", what, got, want, tol);
    if (got < want - tol || got > want + tol)
        fail_msg("%s: %.3f, want %.3f +- %.3f", what, got, want, tol);
}

static s_time_t cap_budget_ns(unsigned int cap)
{
    return sched_period() * cap / 100;
}

static int setup(void **state)
{
    sim_init(1);
    return 0;
}

/* (1) Weights 256:512 on one CPU give 1:2 (within 10%); the CPU never idles. */
static void test_weights_1_to_2(void **state)
{
    struct sched_domain a, b;

    assert_int_equal(sched_domain_init(&a, 256, 0), 0);
    assert_int_equal(sched_domain_init(&b, 512, 0), 0);
    struct sim_ent *ea = sim_hog(&a, 0), *eb = sim_hog(&b, 0);
    sim_run(SECONDS(3));
    assert_near((double)eb->run / (double)ea->run, 2.0, 0.2, "512:256 ratio");
    assert_int_equal(ea->run + eb->run, SECONDS(3));
}

/* (1) Equal weights share 1:1 within 5%. */
static void test_weights_equal(void **state)
{
    struct sched_domain a, b;

    sched_domain_init(&a, 256, 0);
    sched_domain_init(&b, 256, 0);
    struct sim_ent *ea = sim_hog(&a, 0), *eb = sim_hog(&b, 0);
    sim_run(SECONDS(3));
    assert_near((double)ea->run / (double)eb->run, 1.0, 0.05, "256:256 ratio");
}

/* Weight belongs to the domain: two vCPUs of one domain share its half. */
static void test_weight_split_among_vcpus(void **state)
{
    struct sched_domain a, b;

    sched_domain_init(&a, 256, 0);
    sched_domain_init(&b, 256, 0);
    struct sim_ent *a0 = sim_hog(&a, 0), *a1 = sim_hog(&a, 0), *b0 = sim_hog(&b, 0);
    sim_run(SECONDS(3));
    assert_near(pct(a0->run + a1->run, SECONDS(3)), 50, 2.5, "2-vCPU domain %");
    assert_near(pct(b0->run, SECONDS(3)), 50, 2.5, "1-vCPU domain %");
    assert_near((double)a0->run / (double)a1->run, 1.0, 0.05, "its vCPUs' ratio");
}

/* Three equal domains on two CPUs: each gets 2/3 of a CPU (credit is
 * global, so the lone one does not keep a CPU to itself). */
static void test_three_on_two_cpus(void **state)
{
    struct sched_domain d[3];
    struct sim_ent *e[3];

    sim_init(2);
    for (int i = 0; i < 3; i++) {
        sched_domain_init(&d[i], 256, 0);
        e[i] = sim_hog(&d[i], 0);
    }
    sim_run(SECONDS(3));
    for (int i = 0; i < 3; i++)
        assert_near(pct(e[i]->run, SECONDS(3)), 200.0 / 3, 3.5, "share of 3 on 2 CPUs");
    assert_int_equal(sim.cpu[0].idle + sim.cpu[1].idle, 0);
}

/* (2) cap=25 alone on a CPU: 25% and the CPU idles the rest. */
static void test_cap_alone(void **state)
{
    struct sched_domain d;

    assert_int_equal(sched_domain_init(&d, 256, 25), 0);
    struct sim_ent *e = sim_hog(&d, 0);
    sim_run(SECONDS(3));
    assert_near(pct(e->run, SECONDS(3)), 25, 5, "capped 25% share");
    assert_near(pct(sim.cpu[0].idle, SECONDS(3)), 75, 5, "idle %");
    /* Per period: run until the budget is gone, then idle until the next
     * period; nothing in between. */
    assert_true(sim.picks <= (unsigned long)(2 * SECONDS(3) / sched_period() + 2));
    assert_true(e->max_stretch <= cap_budget_ns(25));
}

/*
 * Credit does not pile up.  An entity that used little for a second, then
 * wants more than its share in bursts (9 ms run, 10 ms blocked: 47%), keeps
 * its boost only while it has credit: after about a period of head start
 * it gets its third, not the 47% that a second of savings would buy.
 */
static void test_credit_bounded(void **state)
{
    struct sched_domain d1, d2, de;

    sched_domain_init(&d1, 256, 0);
    sched_domain_init(&d2, 256, 0);
    sched_domain_init(&de, 256, 0);
    struct sim_ent *h1 = sim_hog(&d1, 0), *h2 = sim_hog(&d2, 0);
    struct sim_ent *e = sim_add(&de, 0, MILLISECS(1), MILLISECS(20));
    sim_run(SECONDS(1));
    e->burst = MILLISECS(9);            /* from its next wake */
    e->sleep = MILLISECS(10);
    sim_run(SECONDS(1) + MILLISECS(200));
    s_time_t r1 = h1->run, r2 = h2->run, re = e->run;
    sim_run(SECONDS(2) + MILLISECS(200));
    assert_near(pct(e->run - re, SECONDS(1)), 100.0 / 3, 3, "bursty entity");
    assert_near(pct(h1->run - r1, SECONDS(1)), 100.0 / 3, 3, "hog 1");
    assert_near(pct(h2->run - r2, SECONDS(1)), 100.0 / 3, 3, "hog 2");
}

/* A capped domain next to a hog: capped gets its cap, the hog the rest. */
static void test_cap_with_competitor(void **state)
{
    struct sched_domain capped, hog;

    sched_domain_init(&capped, 512, 30);
    sched_domain_init(&hog, 256, 0);
    struct sim_ent *c = sim_hog(&capped, 0), *h = sim_hog(&hog, 0);
    sim_run(SECONDS(3));
    assert_near(pct(c->run, SECONDS(3)), 30, 3, "capped (weight 512, cap 30)");
    assert_near(pct(h->run, SECONDS(3)), 70, 3, "uncapped");
}

/* A cap above 100 spans vCPUs: 2 vCPUs on 2 CPUs capped at 150. */
static void test_cap_multi_vcpu(void **state)
{
    struct sched_domain d;

    sim_init(2);
    assert_int_equal(sched_domain_init(&d, 256, 150), 0);
    struct sim_ent *a = sim_hog(&d, 0), *b = sim_hog(&d, 1);
    sim_run(SECONDS(3));
    assert_near(pct(a->run + b->run, SECONDS(3)), 150, 7.5, "cap 150 over 2 vCPUs");
    /* Changing the cap takes effect: no cap gives both CPUs fully. */
    assert_int_equal(sched_domain_set(&d, 256, 0), 0);
    s_time_t before = a->run + b->run;
    sim_run(SECONDS(4));
    assert_near(pct(a->run + b->run - before, SECONDS(1)), 200, 1, "uncapped again");
}

/* A wake-up charges the running entity first: one that has just used up
 * its domain's cap is found parked, and its CPU told to reschedule. */
static void test_wake_finds_runner_over_cap(void **state)
{
    struct sched_domain capped, other;
    struct sched_entity c, o;
    s_time_t at;

    sched_domain_init(&capped, 256, 10);        /* 3 ms per 30 ms period */
    sched_domain_init(&other, 256, 0);
    sched_entity_init(&c, &capped, 0, NULL);
    sched_entity_init(&o, &other, 0, NULL);
    assert_int_equal(sched_wake(&c, 0), 0);
    assert_ptr_equal(sched_pick(0, NULL, 0, &at), &c);
    assert_int_equal(at, MILLISECS(3));         /* the cap, before the slice */
    o.credit = 0;                               /* OVER: no boost */
    assert_int_equal(sched_wake(&o, MILLISECS(4)), 0);
    assert_true(capped.parked);
    assert_ptr_equal(sched_pick(0, &c, MILLISECS(4), &at), &o);
    assert_int_equal(sched_queue_len(0), 1);    /* c, parked */
    sched_sleep(&o);
    assert_null(sched_pick(0, &o, MILLISECS(5), &at));
    assert_int_equal(at, MILLISECS(30));        /* next period unparks */
    assert_ptr_equal(sched_pick(0, NULL, MILLISECS(30), &at), &c);
    assert_false(capped.parked);
}

/* An entity that wakes while its domain is parked is not forgotten: its
 * idle CPU is told, and looks again when the next period unparks it. */
static void test_parked_wake_not_lost(void **state)
{
    struct sched_domain capped;
    struct sched_entity c;
    s_time_t at;

    sched_domain_init(&capped, 256, 10);
    sched_entity_init(&c, &capped, 0, NULL);
    sched_wake(&c, 0);
    assert_ptr_equal(sched_pick(0, NULL, 0, &at), &c);
    sched_sleep(&c);                            /* blocks after its budget */
    assert_null(sched_pick(0, &c, MILLISECS(3), &at));
    assert_true(capped.parked);
    assert_int_equal(at, 0);                    /* nothing waits */
    assert_int_equal(sched_wake(&c, MILLISECS(5)), 0);
    assert_null(sched_pick(0, NULL, MILLISECS(5), &at));
    assert_int_equal(at, MILLISECS(30));
    assert_ptr_equal(sched_pick(0, NULL, at, &at), &c);
}

/*
 * (3) An I/O-like entity waking every 20 ms runs at once despite two hogs
 * (it wakes with credit, so boosted), and gets all it asks for.  It starts
 * after the hogs' first turns: entities created together all start with
 * credit, so boosted, and take turns once.
 */
static void test_wake_latency(void **state)
{
    struct sched_domain h1, h2, io;

    sched_domain_init(&h1, 256, 0);
    sched_domain_init(&h2, 256, 0);
    sched_domain_init(&io, 256, 0);
    struct sim_ent *a = sim_hog(&h1, 0), *b = sim_hog(&h2, 0);
    struct sim_ent *e = sim_add_at(&io, 0, MICROSECS(500), MILLISECS(20),
                                   MILLISECS(100));
    sim_run(SECONDS(3));
    assert_true(e->wakes > 100);
    if (getenv("UNIT_VERBOSE"))
        fprintf(stderr, "  io max latency %lld ns over %u wakes\n",
                (long long)e->max_latency, e->wakes);
    assert_true(e->max_latency <= sched_slice());
    assert_true(e->max_latency < MILLISECS(1));
    /* It ran every burst fully: wakes * burst, less the one in progress. */
    assert_true(e->run >= (s_time_t)(e->wakes - 1) * MICROSECS(500));
    assert_near((double)a->run / (double)b->run, 1.0, 0.05, "hogs' ratio");
}

/* (3) The same on 4 CPUs with 8 hogs, the I/O entity on a busy CPU. */
static void test_wake_latency_smp(void **state)
{
    struct sched_domain h, io;

    sim_init(4);
    sched_domain_init(&h, 256, 0);
    sched_domain_init(&io, 256, 0);
    for (int i = 0; i < 8; i++)
        sim_hog(&h, i % 4);
    struct sim_ent *e = sim_add_at(&io, 2, MILLISECS(1), MILLISECS(7),
                                   MILLISECS(100));
    sim_run(SECONDS(3));
    assert_true(e->wakes > 300);
    assert_true(e->max_latency <= sched_slice());
    assert_true(e->run >= (s_time_t)(e->wakes - 1) * MILLISECS(1));
}

/*
 * A waker with credit is boosted and preempts a running entity that is
 * not; one without credit waits behind those that have credit.
 */
static void test_wake_preempts_only_with_credit(void **state)
{
    struct sched_domain d;
    struct sched_entity hog, w;
    s_time_t at, t, S = MILLISECS(10), P = MILLISECS(30);

    sched_domain_init(&d, 256, 0);
    sched_entity_init(&hog, &d, 0, NULL);
    sched_entity_init(&w, &d, 0, NULL);
    assert_int_equal(sched_wake(&hog, 0), 0);          /* idle CPU: kick */
    assert_ptr_equal(sched_pick(0, NULL, 0, &at), &hog);
    assert_int_equal(at, S);
    /* New entities start with a slice of credit, so the hog's first turn
     * is boosted too: boost does not preempt boost. */
    assert_int_equal(sched_wake(&w, 1000), -1);
    sched_sleep(&w);
    assert_ptr_equal(sched_pick(0, &hog, S, &at), &hog);
    assert_false(hog.boosted);
    assert_int_equal(sched_wake(&w, S + 1000), 0);     /* preempts */
    assert_true(w.boosted);
    assert_ptr_equal(sched_pick(0, &hog, S + 1000, &at), &w);
    assert_int_equal(sched_queue_len(0), 1);

    /* w runs two periods straight (the caller ignored resched_at): at the
     * refill it is OVER (debt), the hog that waited UNDER (15 ms each). */
    t = S + 1000 + 2 * P;
    assert_ptr_equal(sched_pick(0, &w, t, &at), &hog);
    assert_int_equal(w.credit, -P + P / 2);
    assert_int_equal(hog.credit, -1000 + P / 2);
    sched_sleep(&w);
    assert_int_equal(sched_queue_len(0), 0);
    assert_int_equal(sched_wake(&w, t + 1000), -1);    /* no preemption */
    assert_false(w.boosted);
    assert_int_equal(sched_queue_len(0), 1);
    assert_ptr_equal(sched_pick(0, &hog, t + S, &at), &hog);
}

/* (4) Four hogs created on CPU 0 of 4 end up one per CPU, ~100% each. */
static void test_balance_spread(void **state)
{
    struct sched_domain d;
    struct sim_ent *e[4];
    bool used[4] = { false };

    sim_init(4);
    sched_domain_init(&d, 256, 0);
    for (int i = 0; i < 4; i++)
        e[i] = sim_hog(&d, 0);
    sim_run(SECONDS(1));
    for (int i = 0; i < 4; i++) {
        unsigned int c = sched_entity_cpu(&e[i]->se);
        assert_false(used[c]);
        used[c] = true;
        assert_near(pct(e[i]->run, SECONDS(1)), 100, 1, "one per CPU");
        assert_true(e[i]->migrations <= 1);     /* placed once, then stays */
    }
}

/* (4) Eight hogs created on CPU 0 of 2: 25% each, both CPUs busy. */
static void test_balance_8_on_2(void **state)
{
    struct sched_domain d[8];
    struct sim_ent *e[8];

    sim_init(2);
    for (int i = 0; i < 8; i++) {
        sched_domain_init(&d[i], 256, 0);
        e[i] = sim_hog(&d[i], 0);
    }
    sim_run(SECONDS(3));
    unsigned int moves = 0;
    for (int i = 0; i < 8; i++) {
        assert_near(pct(e[i]->run, SECONDS(3)), 25, 2.5, "8 on 2 CPUs");
        moves += e[i]->migrations;
    }
    /* Balancing settles: far fewer moves than the ~600 slices run. */
    if (getenv("UNIT_VERBOSE"))
        fprintf(stderr, "  migrations: %u\n", moves);
    assert_true(moves >= 3 && moves <= 20);
    assert_int_equal(sim.cpu[0].idle + sim.cpu[1].idle, 0);
    assert_int_equal(sched_queue_len(0) + sched_queue_len(1), 6);
    assert_near(sched_queue_len(0), 3, 1, "queue 0 length");
}

/* (4) A CPU left with nothing steals what waits elsewhere. */
static void test_steal_when_idle(void **state)
{
    struct sched_domain d;
    struct sched_entity a, b, c;
    s_time_t at;

    sim_init(2);
    sched_domain_init(&d, 256, 0);
    sched_entity_init(&a, &d, 0, NULL);
    sched_entity_init(&b, &d, 0, NULL);
    sched_entity_init(&c, &d, 1, NULL);
    assert_int_equal(sched_wake(&c, 0), 1);
    assert_ptr_equal(sched_pick(1, NULL, 0, &at), &c);
    assert_int_equal(sched_wake(&a, 0), 0);
    assert_int_equal(sched_wake(&b, 0), 0);    /* no idle CPU: stays on 0 */
    assert_int_equal(sched_queue_len(0), 2);
    assert_ptr_equal(sched_pick(0, NULL, 0, &at), &a);
    sched_sleep(&c);
    assert_ptr_equal(sched_pick(1, &c, MILLISECS(1), &at), &b);
    assert_int_equal(sched_entity_cpu(&b), 1);
    assert_int_equal(sched_queue_len(0), 0);
    assert_ptr_equal(sched_cpu_current(1), &b);
}

/*
 * (4) At equal priority a CPU takes work from one with at least two more
 * entities, and the move does not bounce back.  Credits are set by hand
 * so that all are OVER (priority alone would not move anything).
 */
static void test_steal_evens_load(void **state)
{
    struct sched_domain d;
    struct sched_entity x, a, b, c, *all[] = { &x, &a, &b, &c };
    s_time_t at;

    sim_init(2);
    sched_domain_init(&d, 256, 0);
    sched_entity_init(&x, &d, 1, NULL);
    sched_entity_init(&a, &d, 0, NULL);
    sched_entity_init(&b, &d, 0, NULL);
    sched_entity_init(&c, &d, 0, NULL);
    assert_int_equal(sched_wake(&x, 0), 1);
    assert_ptr_equal(sched_pick(1, NULL, 0, &at), &x);
    assert_int_equal(sched_wake(&a, 0), 0);
    assert_int_equal(sched_wake(&b, 0), 0);
    assert_int_equal(sched_wake(&c, 0), 0);
    assert_ptr_equal(sched_pick(0, NULL, 0, &at), &a);
    for (unsigned int i = 0; i < 4; i++) {
        all[i]->credit = -1;
        all[i]->boosted = false;
    }
    /* CPU 1 (load 1) takes one of CPU 0's (load 3). */
    assert_ptr_equal(sched_pick(1, &x, MILLISECS(1), &at), &b);
    assert_int_equal(sched_entity_cpu(&b), 1);
    assert_int_equal(sched_queue_len(0), 1);
    assert_int_equal(sched_queue_len(1), 1);
    /* 2 against 2: each CPU keeps its own. */
    assert_ptr_equal(sched_pick(0, &a, MILLISECS(2), &at), &c);
    assert_ptr_equal(sched_pick(1, &b, MILLISECS(3), &at), &x);
    assert_int_equal(sched_queue_len(0), 1);
    assert_int_equal(sched_queue_len(1), 1);
}

/* (5) A sleeping entity is never picked; a removed one never again. */
static void test_sleep_never_picked(void **state)
{
    struct sched_domain d;
    struct sched_entity a, b;
    s_time_t at, now = 0;
    struct sched_entity *curr = NULL;

    sched_domain_init(&d, 256, 0);
    sched_entity_init(&a, &d, 0, NULL);
    sched_entity_init(&b, &d, 0, NULL);
    sched_wake(&a, 0);
    sched_wake(&b, 0);
    sched_sleep(&a);
    for (int i = 0; i < 100; i++, now += MILLISECS(3)) {
        curr = sched_pick(0, curr, now, &at);
        assert_ptr_equal(curr, &b);
    }
    assert_int_equal(sched_entity_remove(&b), -EBUSY);     /* running */
    sched_sleep(&b);
    assert_null(sched_pick(0, &b, now, &at));
    assert_int_equal(at, 0);            /* nothing waits anywhere */
    assert_int_equal(sched_entity_remove(&b), 0);
    assert_int_equal(sched_entity_remove(&b), -EINVAL);
    assert_int_equal(sched_wake(&b, now), -1);
    sched_wake(&a, now);
    curr = NULL;
    for (int i = 0; i < 100; i++, now += MILLISECS(3)) {
        curr = sched_pick(0, curr, now, &at);
        assert_ptr_equal(curr, &a);
    }
}

/* (5) In the simulator: a removed hog stops; the others take its time. */
static void test_remove_in_simulation(void **state)
{
    struct sched_domain d;
    struct sim_ent *e[3];

    sim_init(2);
    sched_domain_init(&d, 256, 0);
    for (int i = 0; i < 3; i++)
        e[i] = sim_hog(&d, 0);
    sim_run(SECONDS(1));
    sim_stop_and_remove(e[1]);
    s_time_t gone = e[1]->run, r0 = e[0]->run, r2 = e[2]->run;
    sim_run(SECONDS(2));
    assert_int_equal(e[1]->run, gone);
    assert_near(pct(e[0]->run - r0, SECONDS(1)), 100, 1, "survivor 0");
    assert_near(pct(e[2]->run - r2, SECONDS(1)), 100, 1, "survivor 2");
}

/* The same inputs give the same schedule. */
static void test_deterministic(void **state)
{
    struct sched_domain d[3];
    s_time_t first[4];

    for (int round = 0; round < 2; round++) {
        sim_init(2);
        sched_domain_init(&d[0], 256, 0);
        sched_domain_init(&d[1], 700, 40);
        sched_domain_init(&d[2], 100, 0);
        sim_hog(&d[0], 0);
        sim_hog(&d[1], 0);
        sim_hog(&d[1], 1);
        sim_add(&d[2], 1, MICROSECS(300), MILLISECS(3));
        sim_run(SECONDS(1));
        for (int i = 0; i < 4; i++) {
            if (round == 0)
                first[i] = sim.ent[i].run;
            else
                assert_int_equal(sim.ent[i].run, first[i]);
        }
    }
}

static struct sched_entity *panic_prev;
static void pick_with_wrong_prev(void)
{
    s_time_t at;
    sched_pick(0, panic_prev, 0, &at);
}

/* (6) Bad inputs are refused and change nothing. */
static void test_bad_inputs(void **state)
{
    struct sched_domain d;
    struct sched_entity se;
    s_time_t at = 123;

    sim_init(2);
    assert_int_equal(sched_domain_init(&d, 0, 0), -EINVAL);
    assert_int_equal(sched_domain_init(&d, 65536, 0), -EINVAL);
    assert_int_equal(sched_domain_init(&d, 256, 201), -EINVAL);
    assert_int_equal(sched_domain_init(NULL, 256, 0), -EINVAL);
    assert_int_equal(sched_domain_init(&d, 65535, 200), 0);
    assert_int_equal(sched_domain_init(&d, 256, 0), 0);
    assert_int_equal(sched_domain_set(&d, 0, 0), -EINVAL);
    assert_int_equal(sched_domain_set(&d, 300, 1000), -EINVAL);
    assert_int_equal(d.weight, 256);
    assert_int_equal(d.cap, 0);
    assert_int_equal(sched_domain_set(&d, 1, 100), 0);
    assert_int_equal(d.weight, 1);

    assert_int_equal(sched_entity_init(&se, &d, 2, NULL), -EINVAL);
    assert_int_equal(sched_entity_init(&se, NULL, 0, NULL), -EINVAL);
    assert_int_equal(sched_entity_init(NULL, &d, 0, NULL), -EINVAL);
    assert_null(sched_pick(2, NULL, 0, &at));
    assert_int_equal(at, 0);
    assert_int_equal(sched_queue_len(64), 0);
    assert_null(sched_cpu_current(99));

    /* Telling sched_pick the wrong prev is a caller bug. */
    assert_int_equal(sched_entity_init(&se, &d, 0, NULL), 0);
    panic_prev = &se;
    assert_true(harness_panics(pick_with_wrong_prev));

    /* Defaults: at least one CPU, 10 ms slices, 30 ms periods. */
    sched_init(0, 0);
    assert_int_equal(sched_slice(), MILLISECS(10));
    assert_int_equal(sched_period(), MILLISECS(30));
    assert_int_equal(sched_domain_init(&d, 256, 101), -EINVAL);
    assert_int_equal(sched_domain_init(&d, 256, 100), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_weights_1_to_2, setup),
        cmocka_unit_test_setup(test_weights_equal, setup),
        cmocka_unit_test_setup(test_weight_split_among_vcpus, setup),
        cmocka_unit_test_setup(test_three_on_two_cpus, setup),
        cmocka_unit_test_setup(test_credit_bounded, setup),
        cmocka_unit_test_setup(test_cap_alone, setup),
        cmocka_unit_test_setup(test_cap_with_competitor, setup),
        cmocka_unit_test_setup(test_cap_multi_vcpu, setup),
        cmocka_unit_test_setup(test_wake_finds_runner_over_cap, setup),
        cmocka_unit_test_setup(test_parked_wake_not_lost, setup),
        cmocka_unit_test_setup(test_wake_latency, setup),
        cmocka_unit_test_setup(test_wake_latency_smp, setup),
        cmocka_unit_test_setup(test_wake_preempts_only_with_credit, setup),
        cmocka_unit_test_setup(test_balance_spread, setup),
        cmocka_unit_test_setup(test_balance_8_on_2, setup),
        cmocka_unit_test_setup(test_steal_when_idle, setup),
        cmocka_unit_test_setup(test_steal_evens_load, setup),
        cmocka_unit_test_setup(test_sleep_never_picked, setup),
        cmocka_unit_test_setup(test_remove_in_simulation, setup),
        cmocka_unit_test_setup(test_deterministic, setup),
        cmocka_unit_test_setup(test_bad_inputs, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
