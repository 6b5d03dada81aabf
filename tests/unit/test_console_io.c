/*
 * console_io (hypercall 18) and the per-domain console it feeds, end to
 * end: guest buffer -> do_console_io -> domain_console_write -> lines on
 * the hypervisor console ("(NAME) text").  Checks permissions, chunking,
 * continuation of long writes, bad buffers, compat addresses, and the
 * sanitising and line assembly of domain_console.c.
 *
 * Fake guest memory: GUEST_PAGES pages at GUEST_BASE with page HOLE_PAGE
 * unmapped, plus one page just below 4 GiB for 32-bit wrap-around.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <keel/console.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <public/xen.h>
#include "include/harness.h"

#define GUEST_BASE  0x100000ULL
#define GUEST_PAGES 4
#define HOLE_PAGE   3
#define HIGH_PAGE   0xfffff000ULL       /* last page of a 32-bit space */

static uint8_t guest_mem[GUEST_PAGES * 4096];
static uint8_t high_mem[4096];
static bool fake_privileged;
static struct domain dom;

#define G(off) (GUEST_BASE + (off))
#define HOLE   G(HOLE_PAGE * 4096)

/* What reached the console, and how the guest was read. */
static char out[65536];
static size_t out_len;
static unsigned int nr_copies;
static size_t max_copy;
static uint64_t max_copy_end;

bool hypercall_caller_privileged(void) { return fake_privileged; }
void hypercall_console_write(const char *buf, size_t len) { domain_console_write(&dom, buf, len); }

/* As console.c does: each '\n'-separated piece becomes prefix + piece + '\n'. */
void console_write_lines(const char *prefix, const char *text, size_t len)
{
    while (len) {
        size_t n = 0;
        while (n < len && text[n] != '\n')
            n++;
        int w = snprintf(out + out_len, sizeof(out) - out_len, "%s%.*s\n",
                         prefix, (int)n, text);
        assert_true(w > 0 && (size_t)w < sizeof(out) - out_len);
        out_len += w;
        if (n < len)
            n++;
        text += n, len -= n;
    }
}

static uint8_t *guest_byte(uint64_t gva)
{
    if (gva >= HIGH_PAGE && gva < HIGH_PAGE + 4096)
        return &high_mem[gva - HIGH_PAGE];
    if (gva < GUEST_BASE)
        return NULL;
    uint64_t idx = (gva - GUEST_BASE) / 4096;
    if (idx >= GUEST_PAGES || idx == HOLE_PAGE)
        return NULL;
    return &guest_mem[gva - GUEST_BASE];
}

int copy_from_guest(void *dst, uint64_t gva, size_t len)
{
    uint8_t *d = dst;

    nr_copies++;
    if (len > max_copy)
        max_copy = len;
    if (gva + len < gva)
        return -EFAULT;
    if (gva + len > max_copy_end)
        max_copy_end = gva + len;
    while (len) {
        size_t chunk = 4096 - (gva & 4095);
        if (chunk > len)
            chunk = len;
        uint8_t *g = guest_byte(gva);
        if (!g)
            return -EFAULT;
        memcpy(d, g, chunk);
        gva += chunk, d += chunk, len -= chunk;
    }
    return 0;
}

/* Only CONSOLEIO_read writes to the guest; a fault copies nothing. */
int copy_to_guest(uint64_t gva, const void *src, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!guest_byte(gva + i))
            return -EFAULT;
    for (size_t i = 0; i < len; i++)
        *guest_byte(gva + i) = ((const uint8_t *)src)[i];
    return 0;
}

static void type_str(const char *s)
{
    while (*s)
        assert_true(console_rx_put(*s++));
}

static int setup(void **state)
{
    memset(guest_mem, 'g', sizeof(guest_mem));
    memset(high_mem, 'h', sizeof(high_mem));
    memset(&dom, 0, sizeof(dom));
    strcpy(dom.name, "guest1");
    fake_privileged = false;
    out_len = 0;
    out[0] = '\0';
    nr_copies = 0;
    max_copy = 0;
    max_copy_end = 0;
    console_rx_reset();
    return 0;
}

static long call(unsigned long cmd, unsigned long count, unsigned long buf,
                 bool compat, struct hypercall_args *a)
{
    *a = (struct hypercall_args){
        .nr = __HYPERVISOR_console_io, .a = { cmd, count, buf }, .compat = compat,
    };
    return do_console_io(a);
}

static long write_str(const char *s)
{
    struct hypercall_args a;
    size_t n = strlen(s);

    memcpy(guest_mem, s, n);
    return call(CONSOLEIO_write, n, G(0), false, &a);
}

/* Run a hypercall to completion the way the arch does: re-issue it with
 * the updated arguments while it asks to be restarted. */
static long run(struct hypercall_args *a, unsigned int *restarts)
{
    long rc;

    *restarts = 0;
    while ((rc = do_console_io(a)) == HYPERCALL_RESTART)
        (*restarts)++;
    return rc;
}

static void assert_output(const char *expect)
{
    out[out_len] = '\0';
    assert_string_equal(out, expect);
}

/* ---- console_io ---------------------------------------------------------- */

static void test_write_line(void **state)
{
    assert_int_equal(write_str("hello, world\n"), 0);
    assert_output("(guest1) hello, world\n");
}

/* Keel lets every domain write (Xen 4.17 release: control domain only). */
static void test_write_unprivileged_and_privileged(void **state)
{
    assert_int_equal(write_str("from domU\n"), 0);
    fake_privileged = true;
    assert_int_equal(write_str("from dom0\n"), 0);
    assert_output("(guest1) from domU\n(guest1) from dom0\n");
}

static void test_write_partial_lines(void **state)
{
    assert_int_equal(write_str("abc"), 0);
    assert_output("");
    assert_int_equal(write_str("def\nghi"), 0);
    assert_output("(guest1) abcdef\n");
    assert_int_equal(write_str("\n"), 0);
    assert_output("(guest1) abcdef\n(guest1) ghi\n");
}

static void test_write_zero(void **state)
{
    struct hypercall_args a;

    assert_int_equal(call(CONSOLEIO_write, 0, 0, false, &a), 0);
    assert_int_equal(call(CONSOLEIO_write, 0, HOLE, false, &a), 0);
    assert_int_equal(nr_copies, 0);
    assert_output("");
}

/* Copies are bounded (128 bytes), whatever the count. */
static void test_write_chunked(void **state)
{
    struct hypercall_args a;

    memset(guest_mem, 'x', 1000);
    guest_mem[999] = '\n';
    assert_int_equal(call(CONSOLEIO_write, 1000, G(0), false, &a), 0);
    assert_int_equal(max_copy, 128);
    assert_int_equal(nr_copies, 8);                 /* 7 * 128 + 104 */
    /* 999 'x' in lines of at most 256. */
    assert_int_equal(out_len, 3 * (9 + 256 + 1) + (9 + 231 + 1));
}

static void test_write_continuation(void **state)
{
    struct hypercall_args a;
    unsigned int restarts;
    char expect[8192];
    size_t e = 0;

    /* 3000 bytes: lines "line NNNN\n" (10 bytes each). */
    for (int i = 0; i < 300; i++) {
        char tmp[24];
        snprintf(tmp, sizeof(tmp), "line %04d\n", i);
        memcpy(guest_mem + i * 10, tmp, 10);
        e += snprintf(expect + e, sizeof(expect) - e, "(guest1) line %04d\n", i);
    }

    /* First entry: 1024 bytes done, the rest described in the arguments. */
    assert_int_equal(call(CONSOLEIO_write, 3000, G(0), false, &a), HYPERCALL_RESTART);
    assert_int_equal(a.a[0], CONSOLEIO_write);
    assert_int_equal(a.a[1], 3000 - 1024);
    assert_int_equal(a.a[2], G(1024));
    assert_int_equal(a.compat, false);
    /* The 102 whole lines in the first 1024 bytes are out; "line 0102" waits. */
    assert_int_equal(out_len, 102 * 19);

    /* Re-issued as the arch would: two more entries. */
    assert_int_equal(run(&a, &restarts), 0);
    assert_int_equal(restarts, 1);
    assert_output(expect);
}

static void test_write_continuation_bounds(void **state)
{
    struct hypercall_args a;

    memset(guest_mem, 'y', 2048);
    /* Exactly the per-call budget: done in one go. */
    assert_int_equal(call(CONSOLEIO_write, 1024, G(0), false, &a), 0);
    /* One byte more: continued with one byte left. */
    assert_int_equal(call(CONSOLEIO_write, 1025, G(0), false, &a), HYPERCALL_RESTART);
    assert_int_equal(a.a[1], 1);
    assert_int_equal(a.a[2], G(1024));
    assert_int_equal(do_console_io(&a), 0);
}

/* Only the low 32 bits of cmd and count count (Xen: unsigned int). */
static void test_write_truncated_args(void **state)
{
    struct hypercall_args a;

    memcpy(guest_mem, "ok\n", 3);
    assert_int_equal(call(0x100000000UL | CONSOLEIO_write, 0xabc00000003UL, G(0), false, &a), 0);
    assert_output("(guest1) ok\n");
}

static void test_write_bad_buffer(void **state)
{
    struct hypercall_args a;

    assert_int_equal(call(CONSOLEIO_write, 10, HOLE, false, &a), -EFAULT);
    assert_int_equal(call(CONSOLEIO_write, 10, 0, false, &a), -EFAULT);
    assert_int_equal(call(CONSOLEIO_write, 10, 0xfffffffffffffffcUL, false, &a), -EFAULT);
    domain_console_flush(&dom);
    assert_output("");

    /*
     * 400 bytes ending 200 bytes into the hole: the first 128-byte chunk
     * is written, the second faults and is dropped (as Xen does).
     */
    memset(guest_mem, 'z', sizeof(guest_mem));
    assert_int_equal(call(CONSOLEIO_write, 400, HOLE - 200, false, &a), -EFAULT);
    domain_console_flush(&dom);
    char expect[200];
    snprintf(expect, sizeof(expect), "(guest1) %.*s\n", 128,
             "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
             "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
    assert_output(expect);
}

/* A fault after a continuation is reported on the entry that meets it. */
static void test_write_fault_after_restart(void **state)
{
    struct hypercall_args a;
    unsigned int restarts;

    assert_int_equal(call(CONSOLEIO_write, 3000, HOLE - 1500, false, &a), HYPERCALL_RESTART);
    assert_int_equal(a.a[1], 3000 - 1024);
    assert_int_equal(run(&a, &restarts), -EFAULT);
    assert_int_equal(restarts, 0);
}

/* 32-bit callers: the buffer is 32 bits, and reading wraps at 4 GiB. */
static void test_write_compat(void **state)
{
    struct hypercall_args a;

    memcpy(guest_mem, "compat\n", 7);
    assert_int_equal(call(CONSOLEIO_write, 7, 0x5a5a000000000000UL | G(0), false, &a), -EFAULT);
    assert_int_equal(call(CONSOLEIO_write, 7, 0x5a5a000000000000UL | G(0), true, &a), 0);
    assert_output("(guest1) compat\n");

    /* 0x100 bytes from 0x40 below 4 GiB: the first chunk is cut at 4 GiB
     * (0x40 read), then address 0 faults; no copy reaches past 4 GiB. */
    memset(high_mem, 'w', sizeof(high_mem));
    max_copy_end = 0;
    assert_int_equal(call(CONSOLEIO_write, 0x100, 0xffffffc0UL, true, &a), -EFAULT);
    assert_true(max_copy_end <= 0x100000000ULL);
    domain_console_flush(&dom);
    assert_int_equal(out_len, strlen("(guest1) compat\n") + 9 + 0x40 + 1);

    /* Continuation keeps the address 32-bit. */
    assert_int_equal(call(CONSOLEIO_write, 2000, 0xfffffUL << 32 | G(0), true, &a),
                     HYPERCALL_RESTART);
    assert_int_equal(a.a[2], G(1024));
    assert_int_equal(do_console_io(&a), 0);
}

static void test_read(void **state)
{
    struct hypercall_args a;

    /* Xen: control domain only. */
    assert_int_equal(call(CONSOLEIO_read, 16, G(0), false, &a), -EPERM);
    assert_int_equal(call(CONSOLEIO_read, 16, HOLE, true, &a), -EPERM);
    fake_privileged = true;
    /* No input yet: zero bytes read. */
    assert_int_equal(call(CONSOLEIO_read, 16, G(0), false, &a), 0);
    /* The result is a byte count, so counts above INT_MAX are refused. */
    assert_int_equal(call(CONSOLEIO_read, 0x80000000UL, G(0), false, &a), -E2BIG);
    assert_int_equal(call(CONSOLEIO_read, 0x7fffffffUL, G(0), false, &a), 0);
    assert_int_equal(call(CONSOLEIO_read, 0x100000010UL, G(0), false, &a), 0);
}

/* What was typed for the control domain comes back in order, in pieces as
 * asked, and only once. */
static void test_read_input(void **state)
{
    struct hypercall_args a;

    fake_privileged = true;
    type_str("hello\n");
    assert_int_equal(call(CONSOLEIO_read, 3, G(0), false, &a), 3);
    assert_memory_equal(guest_mem, "hel", 3);
    assert_int_equal(guest_mem[3], 'g');            /* nothing past count */
    assert_int_equal(call(CONSOLEIO_read, 100, G(10), false, &a), 3);
    assert_memory_equal(guest_mem + 10, "lo\n", 3);
    assert_int_equal(call(CONSOLEIO_read, 100, G(0), false, &a), 0);
    /* The upper half of count is not part of Xen's unsigned int. */
    type_str("xy");
    assert_int_equal(call(CONSOLEIO_read, 0x100000001UL, G(0), true, &a), 1);
    assert_int_equal(guest_mem[0], 'x');
    /* Unprivileged callers never see it. */
    fake_privileged = false;
    assert_int_equal(call(CONSOLEIO_read, 100, G(0), false, &a), -EPERM);
    fake_privileged = true;
    assert_int_equal(call(CONSOLEIO_read, 100, G(0), false, &a), 1);
    assert_int_equal(guest_mem[0], 'y');
}

/* CONSOLE_RX_SIZE bytes wait at most; more are dropped, and a read across
 * the ring's end returns them in order. */
static void test_read_full_ring(void **state)
{
    struct hypercall_args a;
    char typed[CONSOLE_RX_SIZE];

    fake_privileged = true;
    type_str("0123456789");
    assert_int_equal(call(CONSOLEIO_read, 10, G(0), false, &a), 10);
    for (size_t i = 0; i < sizeof(typed); i++) {
        typed[i] = (char)('A' + i % 26);
        assert_true(console_rx_put(typed[i]));
    }
    assert_false(console_rx_put('!'));
    assert_int_equal(call(CONSOLEIO_read, 4096, G(0), false, &a), CONSOLE_RX_SIZE);
    assert_memory_equal(guest_mem, typed, sizeof(typed));
}

/* A bad buffer: -EFAULT, and the bytes stay for the next read.  A buffer
 * that runs into a hole: the pieces before it are consumed (Xen's rule). */
static void test_read_bad_buffer(void **state)
{
    struct hypercall_args a;

    fake_privileged = true;
    type_str("abc");
    assert_int_equal(call(CONSOLEIO_read, 3, HOLE, false, &a), -EFAULT);
    assert_int_equal(call(CONSOLEIO_read, 3, G(0), false, &a), 3);
    assert_memory_equal(guest_mem, "abc", 3);

    /* Wrap the ring so that the data is two pieces: the first fits before
     * the hole, the second does not. */
    char fill[CONSOLE_RX_SIZE - 3 - 2];
    memset(fill, 'f', sizeof(fill));
    for (size_t i = 0; i < sizeof(fill); i++)
        assert_true(console_rx_put(fill[i]));
    assert_int_equal(call(CONSOLEIO_read, sizeof(fill), G(0), false, &a), sizeof(fill));
    type_str("1234");                   /* 2 bytes before the ring's end, 2 after */
    assert_int_equal(call(CONSOLEIO_read, 4, HOLE - 2, false, &a), -EFAULT);
    assert_memory_equal(guest_mem + HOLE_PAGE * 4096 - 2, "12", 2);
    assert_int_equal(call(CONSOLEIO_read, 4, G(0), false, &a), 2);
    assert_memory_equal(guest_mem, "34", 2);
}

/* Xen checks permission first: unknown commands are -EPERM for ordinary
 * domains, -ENOSYS for the control domain. */
static void test_unknown_cmd(void **state)
{
    const unsigned long cmds[] = { 2, 3, 0x7fffffff, 0xffffffff };
    struct hypercall_args a;

    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        fake_privileged = false;
        assert_int_equal(call(cmds[i], 4, G(0), false, &a), -EPERM);
        fake_privileged = true;
        assert_int_equal(call(cmds[i], 4, G(0), false, &a), -ENOSYS);
        assert_int_equal(call(cmds[i], 4, G(0), true, &a), -ENOSYS);
    }
    assert_int_equal(nr_copies, 0);
}

/* ---- domain_console ------------------------------------------------------ */

static void console_str(const char *s)
{
    domain_console_write(&dom, s, strlen(s));
}

static void test_sanitise(void **state)
{
    console_str("red \x1b[31mtext\x1b[0m\r\n");
    console_str("tab\there bell\a del\x7f hi\x80\xff\n");
    domain_console_write(&dom, "nul\0byte\n", 9);
    console_str("crlf\r\n\rcr only\r\n");
    assert_output("(guest1) red ?[31mtext?[0m\n"
                  "(guest1) tab\there bell? del? hi??\n"
                  "(guest1) nul?byte\n"
                  "(guest1) crlf\n"
                  "(guest1) cr only\n");
}

static void test_empty_lines(void **state)
{
    console_str("\n\nx\n");
    assert_output("(guest1) \n(guest1) \n(guest1) x\n");
}

static void test_long_line(void **state)
{
    char line[601];
    char expect[1024];

    memset(line, 'L', 600);
    line[600] = '\0';
    console_str(line);
    /* Two full pieces are out; 88 bytes wait for the end of the line. */
    assert_int_equal(out_len, 2 * (9 + DOMAIN_CONSOLE_LINE + 1));
    console_str("\n");
    snprintf(expect, sizeof(expect), "(guest1) %.*s\n(guest1) %.*s\n(guest1) %.*s\n",
             DOMAIN_CONSOLE_LINE, line, DOMAIN_CONSOLE_LINE, line,
             600 - 2 * DOMAIN_CONSOLE_LINE, line);
    assert_output(expect);
}

/* A line exactly the buffer's size is one line, not a line and an empty one. */
static void test_exact_line(void **state)
{
    char line[DOMAIN_CONSOLE_LINE + 2];

    memset(line, 'E', DOMAIN_CONSOLE_LINE);
    line[DOMAIN_CONSOLE_LINE] = '\n';
    line[DOMAIN_CONSOLE_LINE + 1] = '\0';
    console_str(line);
    assert_int_equal(out_len, 9 + DOMAIN_CONSOLE_LINE + 1);
    domain_console_flush(&dom);
    assert_int_equal(out_len, 9 + DOMAIN_CONSOLE_LINE + 1);
}

static void test_flush(void **state)
{
    domain_console_flush(&dom);             /* nothing buffered: no line */
    assert_output("");
    console_str("partial");
    domain_console_flush(&dom);
    assert_output("(guest1) partial\n");
    domain_console_flush(&dom);
    console_str("next\n");
    assert_output("(guest1) partial\n(guest1) next\n");
}

/* Each domain assembles its own lines. */
static void test_two_domains(void **state)
{
    struct domain other;

    memset(&other, 0, sizeof(other));
    strcpy(other.name, "web");
    console_str("one ");
    domain_console_write(&other, "two ", 4);
    console_str("three\n");
    domain_console_write(&other, "four\n", 5);
    assert_output("(guest1) one three\n(web) two four\n");
}

/* The longest name fits the prefix; a name without NUL is cut, not overrun. */
static void test_long_name(void **state)
{
    char expect[128];

    memset(dom.name, 'N', DOMAIN_NAME_MAX - 1);
    dom.name[DOMAIN_NAME_MAX - 1] = '\0';
    console_str("x\n");
    snprintf(expect, sizeof(expect), "(%s) x\n", dom.name);
    assert_output(expect);

    out_len = 0;
    memset(dom.name, 'M', DOMAIN_NAME_MAX);     /* no terminator at all */
    console_str("y\n");
    snprintf(expect, sizeof(expect), "(%.*s) y\n", DOMAIN_NAME_MAX - 1, dom.name);
    assert_output(expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_write_line, setup),
        cmocka_unit_test_setup(test_write_unprivileged_and_privileged, setup),
        cmocka_unit_test_setup(test_write_partial_lines, setup),
        cmocka_unit_test_setup(test_write_zero, setup),
        cmocka_unit_test_setup(test_write_chunked, setup),
        cmocka_unit_test_setup(test_write_continuation, setup),
        cmocka_unit_test_setup(test_write_continuation_bounds, setup),
        cmocka_unit_test_setup(test_write_truncated_args, setup),
        cmocka_unit_test_setup(test_write_bad_buffer, setup),
        cmocka_unit_test_setup(test_write_fault_after_restart, setup),
        cmocka_unit_test_setup(test_write_compat, setup),
        cmocka_unit_test_setup(test_read, setup),
        cmocka_unit_test_setup(test_read_input, setup),
        cmocka_unit_test_setup(test_read_full_ring, setup),
        cmocka_unit_test_setup(test_read_bad_buffer, setup),
        cmocka_unit_test_setup(test_unknown_cmd, setup),
        cmocka_unit_test_setup(test_sanitise, setup),
        cmocka_unit_test_setup(test_empty_lines, setup),
        cmocka_unit_test_setup(test_long_line, setup),
        cmocka_unit_test_setup(test_exact_line, setup),
        cmocka_unit_test_setup(test_flush, setup),
        cmocka_unit_test_setup(test_two_domains, setup),
        cmocka_unit_test_setup(test_long_name, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
