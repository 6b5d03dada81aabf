/*
 * hcbench: hypercall round trip for `make bench`.  Times batches of
 * xen_version(XENVER_version) calls with the TSC and prints the median
 * cycles per call: one line "hcbench: xen_version median N cycles/call".
 */
#include "guest.h"
#include <public/version.h>

#define BATCHES 101
#define PER_BATCH 50

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    static uint64_t per_call[BATCHES];

    if (!xen.present)
        test_fail("no hypervisor");
    for (unsigned int b = 0; b < BATCHES; b++) {
        uint64_t t0 = rdtsc();
        for (unsigned int i = 0; i < PER_BATCH; i++)
            HYPERVISOR_xen_version(XENVER_version, NULL);
        per_call[b] = (rdtsc() - t0) / PER_BATCH;
    }
    sort_u64(per_call, BATCHES);
    printf("hcbench: xen_version median %lu cycles/call (%u calls)\n",
           (unsigned long)per_call[BATCHES / 2], BATCHES * PER_BATCH);
    test_pass();
}
