/* Timer queues and softirqs, driven with a fake clock and a fake CPU timer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/smp.h>
#include <keel/softirq.h>
#include <keel/timer.h>
#include "include/harness.h"

static s_time_t fake_now;
static s_time_t programmed[NR_CPUS];
static unsigned int event_checks[NR_CPUS];

s_time_t NOW(void) { return fake_now; }
void arch_timer_program(s_time_t deadline) { programmed[smp_processor_id()] = deadline; }
void arch_send_event_check(unsigned int cpu) { event_checks[cpu]++; }

#define MAX_FIRED 64
static int fired[MAX_FIRED];
static unsigned int nr_fired;

static void record(void *data)
{
    if (nr_fired < MAX_FIRED)
        fired[nr_fired++] = (int)(intptr_t)data;
}

static int setup(void **state)
{
    fake_now = 1000;
    nr_fired = 0;
    host_cpu_id = 0;
    for (unsigned int i = 0; i < NR_CPUS; i++)
        programmed[i] = -1, event_checks[i] = 0;
    timer_subsystem_init();
    do_softirq();       /* nothing pending from an earlier test */
    return 0;
}

/* Timers fire in expiry order, only once due, each exactly once. */
static void test_fire_in_order(void **state)
{
    struct timer t[4];
    const s_time_t when[4] = { 5000, 2000, 4000, 3000 };

    for (int i = 0; i < 4; i++) {
        init_timer(&t[i], record, (void *)(intptr_t)i, 0);
        set_timer(&t[i], when[i]);
    }
    assert_int_equal(timer_next_expiry(0), 2000);
    fake_now = 3500;
    do_softirq();               /* set_timer raised TIMER_SOFTIRQ */
    assert_int_equal(nr_fired, 2);
    assert_int_equal(fired[0], 1);
    assert_int_equal(fired[1], 3);
    assert_int_equal(programmed[0], 4000);

    fake_now = 10000;
    timer_softirq_action();
    assert_int_equal(nr_fired, 4);
    assert_int_equal(fired[2], 2);
    assert_int_equal(fired[3], 0);
    assert_int_equal(programmed[0], 0);     /* queue empty: disarmed */
    timer_softirq_action();
    assert_int_equal(nr_fired, 4);
}

static void test_stop_and_rearm(void **state)
{
    struct timer a, b;

    init_timer(&a, record, (void *)1, 0);
    init_timer(&b, record, (void *)2, 0);
    set_timer(&a, 2000);
    set_timer(&b, 3000);
    stop_timer(&a);
    stop_timer(&a);             /* stopping twice is harmless */
    assert_false(a.active);
    assert_int_equal(timer_next_expiry(0), 3000);
    set_timer(&b, 9000);        /* re-arming moves it */
    assert_int_equal(timer_next_expiry(0), 9000);
    fake_now = 5000;
    timer_softirq_action();
    assert_int_equal(nr_fired, 0);
    assert_int_equal(programmed[0], 9000);
    fake_now = 9000;
    timer_softirq_action();
    assert_int_equal(nr_fired, 1);
    assert_int_equal(fired[0], 2);
}

/* A timer already in the past fires at the next softirq. */
static void test_past_deadline(void **state)
{
    struct timer a;
    init_timer(&a, record, (void *)7, 0);
    set_timer(&a, 10);
    assert_true(softirq_pending(0));
    do_softirq();
    assert_int_equal(nr_fired, 1);
    assert_int_equal(fired[0], 7);
}

struct rearm { struct timer t; int left; };

static void rearm_fn(void *data)
{
    struct rearm *r = data;
    record((void *)(intptr_t)r->left);
    if (--r->left > 0)
        set_timer(&r->t, r->t.expires + 100);
}

/* A callback may re-arm its own timer (periodic use). */
static void test_callback_rearms(void **state)
{
    struct rearm r = { .left = 3 };
    init_timer(&r.t, rearm_fn, &r, 0);
    set_timer(&r.t, 1000);
    fake_now = 1000;
    do_softirq();
    assert_int_equal(nr_fired, 1);
    assert_int_equal(programmed[0], 1100);
    fake_now = 1200;
    raise_softirq(TIMER_SOFTIRQ);   /* what the timer interrupt does */
    do_softirq();
    assert_int_equal(nr_fired, 3);
    assert_false(r.t.active);
}

/* A timer of another CPU: its queue, and that CPU is told once. */
static void test_remote_cpu(void **state)
{
    struct timer a, b;

    init_timer(&a, record, (void *)1, 3);
    init_timer(&b, record, (void *)2, 3);
    set_timer(&a, 5000);
    assert_int_equal(event_checks[3], 1);
    set_timer(&b, 6000);        /* not the earliest: no new kick */
    assert_int_equal(event_checks[3], 1);
    assert_int_equal(timer_next_expiry(3), 5000);
    assert_int_equal(timer_next_expiry(0), 0);
    fake_now = 7000;
    timer_softirq_action();     /* CPU 0 runs only its own queue */
    assert_int_equal(nr_fired, 0);
    host_cpu_id = 3;
    do_softirq();
    assert_int_equal(nr_fired, 2);
    host_cpu_id = 0;
}

/* An out-of-range CPU number is clamped, not used as an index. */
static void test_bad_cpu(void **state)
{
    struct timer a;
    init_timer(&a, record, NULL, NR_CPUS + 5);
    assert_int_equal(a.cpu, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_fire_in_order, setup),
        cmocka_unit_test_setup(test_stop_and_rearm, setup),
        cmocka_unit_test_setup(test_past_deadline, setup),
        cmocka_unit_test_setup(test_callback_rearms, setup),
        cmocka_unit_test_setup(test_remote_cpu, setup),
        cmocka_unit_test_setup(test_bad_cpu, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
