/*
 * attack: a guest that attacks the hypervisor from inside, one mode per
 * run (mode= on its command line):
 *   random     seeded random hypercalls (seed=, calls=; peers= other domains' IDs)
 *   targeted   attacks checked for Xen's exact errors (peers=: a running
 *              domain, e.g. the victim)
 *   storm      interrupt and exception storms (self-IPIs, INTn, #UD/#GP/#PF/#DE loops)
 *   spin       a busy loop with interrupts on that never yields (ms=)
 *   cli        `cli; jmp .` for good: only the control domain can end it
 *   referee    (control domain) waits until the domains wait= are gone, then
 *              shuts down the domains kill= (the cli spinners)
 *   p2m        writes guest-physical memory outside its P2M (target=): the
 *              domain must be crashed, nothing else
 *   granter / copier   a grant revoked while GNTTABOP_copy uses it (peer=)
 * The 32-bit build (attack32) has the random mode only.  Each mode that
 * returns reports TEST PASS or TEST FAIL through test_finish().
 */
#include "attack.h"
#include <public/shared_info.h>

struct attack_env env;
static struct vcpu_time_info clock;

uint64_t attack_now(void)
{
    return pvclock_now(&clock);
}

unsigned int cmdline_list(const char *key, uint16_t *out, unsigned int max)
{
    char val[64];
    unsigned int n = 0;

    if (!cmdline_get(key, val, sizeof(val)))
        return 0;
    for (const char *p = val; *p && n < max;) {
        uint32_t v = 0;
        while (*p >= '0' && *p <= '9')
            v = v * 10 + (uint32_t)(*p++ - '0');
        out[n++] = (uint16_t)v;
        if (*p != ',')
            break;
        p++;
    }
    return n;
}

/* A stable copy of vCPU 0's pvclock (the version protocol: even and
 * unchanged across the copy), so that time keeps working wherever
 * shared_info goes later. */
static void take_clock(void)
{
    struct shared_info *si = map_shared_info();
    volatile struct vcpu_time_info *t = &si->vcpu_info[0].time;
    uint32_t ver;

    do {
        ver = t->version;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        memcpy(&clock, (const void *)t, sizeof(clock));
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    } while ((ver & 1) || ver != t->version);
    env.clock = &clock;
}

void guest_main(const struct hvm_start_info *si)
{
    char mode[16] = "random";

    (void)si;
    if (!xen.present)
        test_fail("no Xen CPUID leaves: nothing to attack");
    env.domid = xen_domid();
    env.ram_top = ram_top();
    env.hole = gpa_outside_memmap(env.ram_top);
    env.nr_peers = cmdline_list("peers", env.peers, ARRAY_SIZE(env.peers));
    if ((uintptr_t)__image_end > SPARE_START || env.ram_top < SPARE_START + (4ul << 20))
        test_fail("attack: image ends at %p, RAM at %#llx: need the image below %#lx and "
                  "4 MiB of spare RAM", __image_end, (unsigned long long)env.ram_top,
                  SPARE_START);
    take_clock();
    cmdline_get("mode", mode, sizeof(mode));
    printf("attack: d%u, mode %s\n", env.domid, mode);

    if (!strcmp(mode, "random"))
        attack_random();
#ifdef __x86_64__
    else if (!strcmp(mode, "targeted"))
        attack_targeted();
    else if (!strcmp(mode, "storm"))
        attack_storm();
    else if (!strcmp(mode, "spin"))
        attack_spin(true);
    else if (!strcmp(mode, "cli"))
        attack_spin(false);
    else if (!strcmp(mode, "referee"))
        attack_referee();
    else if (!strcmp(mode, "p2m"))
        attack_p2m();
    else if (!strcmp(mode, "granter"))
        attack_granter();
    else if (!strcmp(mode, "copier"))
        attack_copier();
#endif
    else
        test_fail("attack: unknown mode %s", mode);
}
