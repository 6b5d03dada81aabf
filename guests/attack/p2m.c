/*
 * mode=p2m: touch guest-physical memory outside this domain's P2M.  Keel
 * must crash this domain, naming the address, and nothing else: run it as
 * a small domain of its own beside the others.  target= picks what:
 *   past   a write just past the end of RAM (identity-mapped by our tables)
 *   apic   a write to the xAPIC MMIO page 0xfee00000 (Keel offers no xAPIC)
 *   high   a write far above 4 GiB (2^39 - 4 KiB), through a mapping of ours
 *   exec   a jump into the hole after RAM (an instruction fetch)
 * The line before the touch says where, so the scenario can match Keel's.
 */
#include "attack.h"

#ifdef __x86_64__     /* the 32-bit build (attack32) has the random mode only */

#define HIGH_VA   0x8000000000ul        /* 512 GiB: free in our page tables */
#define HIGH_GPA  0x7ffffff000ul        /* under a 40-bit physical address */

static noreturn void touch(uint64_t va, uint64_t gpa, const char *what, bool exec)
{
    printf("attack: touching %#llx (%s)\n", (unsigned long long)gpa, what);
    if (exec)
        asm volatile("jmp *%0" :: "r"(va));
    *(volatile uint32_t *)(uintptr_t)va = 0x6b65656c;
    test_fail("attack: the write to %#llx (%s) came back", (unsigned long long)gpa, what);
}

void attack_p2m(void)
{
    char target[16] = "past";

    cmdline_get("target", target, sizeof(target));
    if (!strcmp(target, "past"))
        touch(env.hole, env.hole, "past RAM", false);
    if (!strcmp(target, "apic"))
        touch(0xfee00000ul, 0xfee00000ul, "xAPIC MMIO", false);
    if (!strcmp(target, "exec"))
        touch(env.hole, env.hole, "executing past RAM", true);
    if (!strcmp(target, "high")) {
        if (pt_map_4k(HIGH_VA, HIGH_GPA, PTE_W))
            test_fail("attack: cannot map %#lx", HIGH_VA);
        touch(HIGH_VA, HIGH_GPA, "far above 4 GiB", false);
    }
    test_fail("attack: unknown target %s", target);
}

#endif
