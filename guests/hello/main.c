/*
 * hello: the smallest test.  One line through console_io, one through port
 * 0xe9 (Keel shows both as "(NAME) ..." lines), then TEST PASS.
 * Command line: lines=N prints N more numbered console_io lines (the
 * eight-domain scenario checks that lines from many domains stay whole).
 */
#include "guest.h"

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    unsigned int lines = cmdline_u64("lines", 0);

    if (xen.present)
        printf("hello: console_io works\n");
    else
        e9_printf("hello: no hypervisor found, printing through port 0xe9 only\n");
    e9_printf("hello: port 0xe9 works\n");
    for (unsigned int i = 1; i <= lines; i++)
        printf("hello: line %u/%u\n", i, lines);
    test_pass();
}
