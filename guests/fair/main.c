/*
 * fair: a CPU-bound guest for the weighted-fairness scenario.  It spins
 * counting loop iterations; time is the TSC, which runs on while the vCPU
 * is descheduled, so the count in a fixed TSC window is this domain's share
 * of the CPU.  Phases: warmup_ms of uncounted spinning (the other domain
 * starts too), measure_ms counted (one line per second), cooldown_ms
 * uncounted (the other domain finishes measuring under the same load), then
 * "fair: weight=W total=N" and TEST PASS.  The scenario compares totals.
 * Command line: weight=W (only printed), warmup_ms, measure_ms, cooldown_ms.
 */
#include "guest.h"

static void spin_until(uint64_t end)
{
    while (rdtsc() < end)
        ;
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    uint64_t weight = cmdline_u64("weight", 0);
    uint64_t khz = tsc_khz_or_guess();
    uint64_t warmup = cmdline_u64("warmup_ms", 2000) * khz;
    uint64_t window = 1000 * khz;
    uint64_t windows = cmdline_u64("measure_ms", 8000) / 1000;
    uint64_t cooldown = cmdline_u64("cooldown_ms", 2000) * khz;

    printf("fair: weight=%lu tsc_khz=%lu%s, %lu windows of 1 s\n", (unsigned long)weight,
           (unsigned long)khz, xen_tsc_khz() ? "" : " (guessed)", (unsigned long)windows);
    uint64_t t = rdtsc() + warmup;
    spin_until(t);

    uint64_t total = 0;
    for (uint64_t w = 1; w <= windows; w++) {
        uint64_t count = 0;

        t += window;
        while (rdtsc() < t)
            count++;
        total += count;
        printf("fair: window %lu count=%lu\n", (unsigned long)w, (unsigned long)count);
    }

    spin_until(t + cooldown);
    printf("fair: weight=%lu total=%lu\n", (unsigned long)weight, (unsigned long)total);
    test_pass();
}
