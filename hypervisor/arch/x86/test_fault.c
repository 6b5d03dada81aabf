/*
 * test_fault=KIND: deliberately fault once boot has finished, so that boot
 * tests can check the exception dump and the panic path.  Test use only.
 */
#include <keel/bug.h>
#include <keel/cmdline.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/printk.h>
#include <asm/test_fault.h>

static const char *const kinds[] = { "none", "ud", "pf", "gp", "de", "panic" };
static unsigned int kind;
/* Addresses behind volatiles, so the compiler cannot see the faults coming. */
static volatile uintptr_t unmapped_addr = 0x18;
static volatile uintptr_t noncanonical_addr = 0x8000000000000000ULL;

static int parse_test_fault(const char *val)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++) {
        if (!strcmp(val, kinds[i])) {
            kind = i;
            return 0;
        }
    }
    return -EINVAL;
}
custom_param(test_fault, parse_test_fault);

__attribute__((noinline)) void test_fault_trigger(void)
{
    uint64_t zero = 0, dividend = 1;

    pr_warn("test_fault=%s: raising it now\n", kinds[kind]);
    switch (kind) {
    case 1:
        __asm__ __volatile__("ud2");
        break;
    case 2:     /* nothing is mapped at 0: there is no identity map */
        *(volatile uint64_t *)unmapped_addr = 0x6b65656c;
        break;
    case 3:     /* non-canonical address */
        *(volatile uint64_t *)noncanonical_addr = 1;
        break;
    case 4:
        __asm__ __volatile__("xor %%edx, %%edx; divq %1"
                             : "+a"(dividend) : "r"(zero) : "rdx");
        break;
    case 5:
        panic("test_fault=panic requested on the command line");
    }
}

void test_fault_maybe(void)
{
    if (kind)
        test_fault_trigger();
}
