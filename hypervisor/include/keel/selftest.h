#ifndef KEEL_SELFTEST_H
#define KEEL_SELFTEST_H
/* Each online CPU takes a cross-CPU call and a timer interrupt; logs the result. */
void selftest_timers_all_cpus(void);
#endif
