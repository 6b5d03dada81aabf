/*
 * The guest PIT model (arch/x86/hvm/pit.c): counting, the byte order of
 * reads and writes, latches and read-back, counter 2's gate on port 0x61
 * with OUT2, and the periodic modes.  Time is passed in, so every figure
 * is exact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <asm/pit.h>
#include "include/harness.h"

#define T0 1000000000ull                /* an arbitrary start, in ns */

static struct pit pit;

/* The time at which `ticks` PIT ticks have passed since T0 (rounded up). */
static uint64_t at(uint64_t ticks)
{
    return T0 + (ticks * 1000000000ull + PIT_HZ - 1) / PIT_HZ;
}

static uint16_t read_word(uint16_t port, uint64_t now)
{
    uint8_t lo = pit_read(&pit, port, now);
    uint8_t hi = pit_read(&pit, port, now);
    return (uint16_t)(lo | hi << 8);
}

static void program(unsigned int ch, unsigned int mode, uint16_t count, uint64_t now)
{
    pit_write(&pit, 0x43, (uint8_t)(ch << 6 | 3 << 4 | mode << 1), now);
    pit_write(&pit, 0x40 + ch, (uint8_t)count, now);
    pit_write(&pit, 0x40 + ch, (uint8_t)(count >> 8), now);
}

static int setup(void **state)
{
    pit_init(&pit);
    return 0;
}

static void test_ports(void **state)
{
    for (uint16_t p = 0x40; p <= 0x43; p++)
        assert_true(pit_handles(p));
    assert_true(pit_handles(0x61));
    assert_false(pit_handles(0x44));
    assert_false(pit_handles(0x60));
    assert_int_equal(pit_read(&pit, 0x43, T0), 0xff);       /* write-only */
}

static void test_mode0_counts_down(void **state)
{
    pit_write(&pit, 0x61, 0x01, T0);        /* gate 2 high */
    program(2, 0, 0xffff, T0);
    assert_int_equal(read_word(0x42, T0), 0xffff);
    assert_int_equal(read_word(0x42, at(1000)), 0xffff - 1000);
    assert_int_equal(read_word(0x42, at(65535)), 0);
    /* After terminal count it wraps and keeps counting. */
    assert_int_equal(read_word(0x42, at(65536)), 0xffff);
    assert_int_equal(read_word(0x42, at(65537)), 0xfffe);
}

static void test_out2_and_gate(void **state)
{
    pit_write(&pit, 0x61, 0x01, T0);
    program(2, 0, 1193, T0);                /* 1 ms */
    assert_int_equal(pit_read(&pit, 0x61, at(1192)) & 0x21, 0x01);  /* OUT2 low, gate */
    assert_int_equal(pit_read(&pit, 0x61, at(1193)) & 0x20, 0x20);  /* terminal count */

    /* Gate low stops counter 2 in mode 0; high again continues from there.
     * (Counting from a start other than T0 may round a tick either way.) */
    program(2, 0, 1000, at(2000));
    pit_write(&pit, 0x61, 0x00, at(2100));
    uint16_t frozen = read_word(0x42, at(2500));
    assert_in_range(frozen, 899, 901);
    assert_int_equal(read_word(0x42, at(2900)), frozen);
    pit_write(&pit, 0x61, 0x01, at(3000));
    assert_in_range(read_word(0x42, at(3050)), frozen - 51, frozen - 49);
    /* Port 0x61 keeps bits 0-3 as written. */
    pit_write(&pit, 0x61, 0xff, at(4000));
    assert_int_equal(pit_read(&pit, 0x61, at(4000)) & 0x0f, 0x0f);
}

static void test_latch(void **state)
{
    program(0, 0, 5000, T0);
    pit_write(&pit, 0x43, 0x00, at(100));   /* latch counter 0 */
    pit_write(&pit, 0x43, 0x00, at(200));   /* a second latch is ignored */
    assert_int_equal(read_word(0x40, at(300)), 4900);
    assert_int_equal(read_word(0x40, at(300)), 4700);       /* live again */
}

static void test_readback(void **state)
{
    pit_write(&pit, 0x61, 0x01, T0);
    pit_write(&pit, 0x43, 0xb0, T0);        /* counter 2, word, mode 0: null count */
    pit_write(&pit, 0x43, 0xe8, T0);        /* read-back status of counter 2 */
    assert_int_equal(pit_read(&pit, 0x42, T0), 0x40 | 0x30 | 0x00);
    pit_write(&pit, 0x42, 10, T0);
    pit_write(&pit, 0x42, 0, T0);
    pit_write(&pit, 0x43, 0xc8, at(20));    /* read-back count and status */
    assert_int_equal(pit_read(&pit, 0x42, at(30)), 0x80 | 0x30);   /* OUT high */
    assert_int_equal(read_word(0x42, at(30)), (uint16_t)(10 - 20));
}

static void test_periodic_modes(void **state)
{
    program(0, 2, 100, T0);
    assert_int_equal(read_word(0x40, at(250)), 50);
    program(1, 3, 100, T0);                 /* square wave: counts by twos, twice */
    assert_int_equal(read_word(0x41, at(10)), 80);
    assert_int_equal(read_word(0x41, at(60)), 80);
    /* Modes 6 and 7 are 2 and 3. */
    pit_write(&pit, 0x43, 0x3c, T0);        /* counter 0, word, mode 6 */
    pit_write(&pit, 0x43, 0xe2, T0);        /* read-back status of counter 0 */
    assert_int_equal(pit_read(&pit, 0x40, T0) & 0x0e, 2 << 1);
}

static void test_byte_access(void **state)
{
    pit_write(&pit, 0x43, 0x10, T0);        /* counter 0, LSB only, mode 0 */
    pit_write(&pit, 0x40, 200, T0);
    assert_int_equal(pit_read(&pit, 0x40, at(50)), 150);
    assert_int_equal(pit_read(&pit, 0x40, at(60)), 140);
    pit_write(&pit, 0x43, 0x20, T0);        /* MSB only */
    pit_write(&pit, 0x40, 0x02, T0);        /* 0x200 */
    assert_int_equal(pit_read(&pit, 0x40, at(0x100)), 0x01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ports, setup),
        cmocka_unit_test_setup(test_mode0_counts_down, setup),
        cmocka_unit_test_setup(test_out2_and_gate, setup),
        cmocka_unit_test_setup(test_latch, setup),
        cmocka_unit_test_setup(test_readback, setup),
        cmocka_unit_test_setup(test_periodic_modes, setup),
        cmocka_unit_test_setup(test_byte_access, setup),
    };
    return cmocka_run_group_tests_name("pit", tests, NULL, NULL);
}
