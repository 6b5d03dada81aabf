/*
 * survivor: runs beside a domain that Keel crashes (memtouch) and shows
 * that it goes on: prints "survivor: tick i/N" every interval_ms (TSC
 * timed) and then passes.  Command line: ticks=N (40), interval_ms=M (500).
 */
#include "guest.h"

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    unsigned int ticks = cmdline_u64("ticks", 40);
    uint64_t interval = cmdline_u64("interval_ms", 500);

    for (unsigned int i = 1; i <= ticks; i++) {
        delay_ms(interval);
        printf("survivor: tick %u/%u\n", i, ticks);
    }
    test_pass();
}
