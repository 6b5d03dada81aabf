/*
 * Guest time, Xen style: each vCPU's vcpu_time_info (pvclock) says "at TSC
 * value T, system time was S ns; ns = ((tsc - T) << shift) * mul >> 32",
 * and shared_info's wallclock is the UTC time at system time 0.  Keel's
 * NOW() is itself a fixed scaling of the TSC, which is the same on every
 * pCPU, so one update stays exact; it is redone when a guest moves its own
 * TSC (TSC MSR write) or registers a new vcpu_info.
 */
#include <keel/domain.h>
#include <keel/printk.h>
#include <asm/hvm.h>
#include <asm/processor.h>
#include <asm/rtc.h>
#include <asm/time.h>

static uint32_t tsc_mul;
static int8_t tsc_shift;
static uint64_t boot_wall_ns;       /* UTC at system time 0 */

/* mul and shift as Xen computes them: 1e9 / (tps << shift) in 32.32. */
static void compute_scale(uint64_t tps)
{
    int shift = 0;
    while (tps > 2000000000ULL) {
        tps >>= 1;
        shift--;
    }
    while (tps <= 1000000000ULL) {
        tps <<= 1;
        shift++;
    }
    tsc_mul = (uint32_t)((1000000000ULL << 32) / tps);
    tsc_shift = (int8_t)shift;
}

void pvclock_init(void)
{
    compute_scale(tsc_hz);
    uint64_t rtc = rtc_read_seconds();
    s_time_t now = NOW();
    boot_wall_ns = rtc * 1000000000ULL > (uint64_t)now ? rtc * 1000000000ULL - now : 0;
    pr_info("guest time: pvclock mul 0x%x shift %d, wallclock %lu s at boot\n",
            tsc_mul, tsc_shift, (unsigned long)(boot_wall_ns / 1000000000ULL));
}

void arch_vcpu_time_update(struct vcpu *v, struct vcpu_time_info *t)
{
    uint64_t guest_tsc = rdtsc() + hvm->get_tsc_offset(v);
    s_time_t now = NOW();

    /* Odd version while the fields change (the guest retries). */
    WRITE_ONCE(t->version, (t->version | 1) + 0);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->tsc_timestamp = guest_tsc;
    t->system_time = (uint64_t)now;
    t->tsc_to_system_mul = tsc_mul;
    t->tsc_shift = tsc_shift;
    t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    WRITE_ONCE(t->version, t->version + 1);
}

void arch_domain_wallclock(struct shared_info *si)
{
    WRITE_ONCE(si->wc_version, si->wc_version | 1);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t secs = boot_wall_ns / 1000000000ULL;
    si->wc_sec = (uint32_t)secs;
    si->wc_sec_hi = (uint32_t)(secs >> 32);
    si->wc_nsec = (uint32_t)(boot_wall_ns % 1000000000ULL);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    WRITE_ONCE(si->wc_version, si->wc_version + 1);
}
