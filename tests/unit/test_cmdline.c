/* Unit tests for the command-line parser (common/cmdline.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/cmdline.h>
#include <keel/errno.h>
#include "include/harness.h"

/* ---- a private option table -------------------------------------------- */

static bool flag;
static int int_flag;            /* a boolean kept in an int */
static uint32_t maxcpus;
static uint64_t mem;
static uint8_t small8;
static uint16_t small16;
static uint64_t big64;
static char console[8];
static char longstr[300];
static char custom_seen[64];
static int custom_calls;
static unsigned char odd_var[3];

static int parse_custom(const char *val)
{
    custom_calls++;
    strncpy(custom_seen, val, sizeof(custom_seen) - 1);
    return strcmp(val, "bad") == 0 ? -EINVAL : 0;
}

static const struct kernel_param table[] = {
    { "flag", PARAM_BOOL, &flag, sizeof(flag), 0, 0, NULL },
    { "int_flag", PARAM_BOOL, &int_flag, sizeof(int_flag), 0, 0, NULL },
    { "maxcpus", PARAM_UINT, &maxcpus, sizeof(maxcpus), 1, 4096, NULL },
    { "mem", PARAM_UINT, &mem, sizeof(mem), 0, UINT64_MAX, NULL },
    { "small8", PARAM_UINT, &small8, sizeof(small8), 0, 1000, NULL },
    { "small16", PARAM_UINT, &small16, sizeof(small16), 0, UINT64_MAX, NULL },
    { "big64", PARAM_UINT, &big64, sizeof(big64), 0, UINT64_MAX, NULL },
    { "console", PARAM_STRING, console, sizeof(console), 0, 0, NULL },
    { "longstr", PARAM_STRING, longstr, sizeof(longstr), 0, 0, NULL },
    { "custom", PARAM_CUSTOM, NULL, 0, 0, 0, parse_custom },
    { "oddsize", PARAM_UINT, odd_var, sizeof(odd_var), 0, 10, NULL },
};

static unsigned int parse(const char *s)
{
    /* An exact-size heap copy: ASan catches any read past the NUL. */
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    unsigned int rc;

    memcpy(copy, s, n);
    rc = cmdline_parse_table(copy, table, sizeof(table) / sizeof(table[0]));
    free(copy);
    return rc;
}

static int setup(void **state)
{
    flag = false;
    int_flag = 0;
    maxcpus = 7;
    mem = 0;
    small8 = 0;
    small16 = 0;
    big64 = 0;
    strcpy(console, "vga");
    longstr[0] = '\0';
    custom_seen[0] = '\0';
    custom_calls = 0;
    memset(odd_var, 0, sizeof(odd_var));
    harness_log_clear();
    return 0;
}

/* ---- booleans ----------------------------------------------------------- */

static void test_bool_bare_key(void **state)
{
    assert_int_equal(parse("flag"), 0);
    assert_true(flag);
    assert_string_equal(harness_log(), "");
}

static void test_bool_values(void **state)
{
    static const char *const on[] = { "1", "yes", "on", "true" };
    static const char *const off[] = { "0", "no", "off", "false" };
    char buf[32];

    for (size_t i = 0; i < 4; i++) {
        flag = false;
        snprintf(buf, sizeof(buf), "flag=%s", on[i]);
        assert_int_equal(parse(buf), 0);
        assert_true(flag);

        snprintf(buf, sizeof(buf), "flag=%s", off[i]);
        assert_int_equal(parse(buf), 0);
        assert_false(flag);
    }
}

static void test_bool_bad_value_keeps_old(void **state)
{
    flag = true;
    assert_int_equal(parse("flag=maybe"), 1);
    assert_true(flag);
    assert_true(harness_log_contains("flag=maybe: not a boolean (1/0, yes/no, on/off, true/false)"));

    /* Case matters, and an empty value is not a boolean either. */
    assert_int_equal(parse("flag=YES flag="), 2);
    assert_true(flag);
}

static void test_bool_in_int(void **state)
{
    assert_int_equal(parse("int_flag"), 0);
    assert_int_equal(int_flag, 1);
    assert_int_equal(parse("int_flag=off"), 0);
    assert_int_equal(int_flag, 0);
}

/* ---- unsigned integers ------------------------------------------------- */

static void test_uint_values(void **state)
{
    assert_int_equal(parse("maxcpus=8"), 0);
    assert_int_equal(maxcpus, 8);
    assert_int_equal(parse("maxcpus=0x10"), 0);
    assert_int_equal(maxcpus, 16);
    assert_int_equal(parse("maxcpus=4096"), 0);
    assert_int_equal(maxcpus, 4096);
    assert_int_equal(parse("maxcpus=4K"), 0);
    assert_int_equal(maxcpus, 4096);
    assert_string_equal(harness_log(), "");
}

static void test_uint_not_a_number(void **state)
{
    assert_int_equal(parse("maxcpus=abc"), 1);
    assert_int_equal(maxcpus, 7);
    assert_true(harness_log_contains("maxcpus=abc: not a number (1..4096)"));

    harness_log_clear();
    assert_int_equal(parse("maxcpus= maxcpus=-1 maxcpus=12x"), 3);
    assert_int_equal(maxcpus, 7);
    assert_true(harness_log_contains("maxcpus=: not a number (1..4096)"));
    assert_true(harness_log_contains("maxcpus=-1: not a number"));
    assert_true(harness_log_contains("maxcpus=12x: not a number"));
}

static void test_uint_out_of_range(void **state)
{
    assert_int_equal(parse("maxcpus=0"), 1);
    assert_int_equal(maxcpus, 7);
    assert_true(harness_log_contains("maxcpus=0: out of range (1..4096)"));

    assert_int_equal(parse("maxcpus=4097"), 1);
    assert_true(harness_log_contains("maxcpus=4097: out of range (1..4096)"));

    assert_int_equal(parse("maxcpus=99999999999999999999"), 1);
    assert_true(harness_log_contains("maxcpus=99999999999999999999: out of range"));
    assert_int_equal(maxcpus, 7);
}

static void test_uint_needs_value(void **state)
{
    assert_int_equal(parse("maxcpus"), 1);
    assert_int_equal(maxcpus, 7);
    assert_true(harness_log_contains("maxcpus: needs a value (1..4096)"));
}

static void test_uint_suffixes(void **state)
{
    assert_int_equal(parse("mem=512M"), 0);
    assert_int_equal(mem, 512ULL << 20);
    assert_int_equal(parse("mem=4G"), 0);
    assert_int_equal(mem, 4ULL << 30);
    assert_int_equal(parse("mem=64k"), 0);
    assert_int_equal(mem, 64ULL << 10);
    assert_int_equal(parse("mem=16777216G"), 0);
    assert_int_equal(mem, 1ULL << 54);
    assert_int_equal(parse("mem=17179869184G"), 1);      /* 2^64: overflows */
    assert_int_equal(mem, 1ULL << 54);
    assert_int_equal(parse("mem=4T"), 1);
}

static void test_uint_var_sizes(void **state)
{
    /* The bound is the tighter of max and what the variable holds. */
    assert_int_equal(parse("small8=255"), 0);
    assert_int_equal(small8, 255);
    assert_int_equal(parse("small8=256"), 1);
    assert_int_equal(small8, 255);
    assert_true(harness_log_contains("small8=256: out of range (0..255)"));

    assert_int_equal(parse("small16=65535"), 0);
    assert_int_equal(small16, 65535);
    assert_int_equal(parse("small16=64K"), 1);
    assert_int_equal(small16, 65535);

    assert_int_equal(parse("big64=0xffffffffffffffff"), 0);
    assert_true(big64 == UINT64_MAX);

    assert_int_equal(parse("maxcpus=0x1000"), 0);
    assert_int_equal(maxcpus, 4096);
}

static void test_uint_bad_var_size(void **state)
{
    assert_int_equal(parse("oddsize=1"), 1);
    assert_int_equal(odd_var[0], 0);
    assert_true(harness_log_contains("oddsize: option has a variable of unsupported size 3"));
}

/* ---- strings and custom options ---------------------------------------- */

static void test_string(void **state)
{
    assert_int_equal(parse("console=com1"), 0);
    assert_string_equal(console, "com1");
    assert_int_equal(parse("console=1234567"), 0);       /* exactly fits */
    assert_string_equal(console, "1234567");
    assert_int_equal(parse("console=a=b"), 0);           /* first '=' splits */
    assert_string_equal(console, "a=b");
    assert_int_equal(parse("console="), 0);
    assert_string_equal(console, "");
    assert_string_equal(harness_log(), "");
}

static void test_string_too_long(void **state)
{
    assert_int_equal(parse("console=12345678"), 1);
    assert_string_equal(console, "vga");                 /* not truncated */
    assert_true(harness_log_contains("console=12345678: too long (at most 7 characters)"));

    assert_int_equal(parse("console"), 1);
    assert_string_equal(console, "vga");
    assert_true(harness_log_contains("console: needs a value"));
}

static void test_custom(void **state)
{
    assert_int_equal(parse("custom=hello"), 0);
    assert_int_equal(custom_calls, 1);
    assert_string_equal(custom_seen, "hello");

    assert_int_equal(parse("custom=bad"), 1);
    assert_int_equal(custom_calls, 2);
    assert_true(harness_log_contains("custom=bad: invalid value (error -22)"));

    assert_int_equal(parse("custom"), 0);                /* bare: empty value */
    assert_int_equal(custom_calls, 3);
    assert_string_equal(custom_seen, "");
}

/* ---- words ----------------------------------------------------------------- */

static void test_unknown_option(void **state)
{
    assert_int_equal(parse("nosuch=1 flag"), 1);
    assert_true(flag);
    assert_true(harness_log_contains("unknown option 'nosuch' ignored"));

    harness_log_clear();
    assert_int_equal(parse("=5"), 1);
    assert_true(harness_log_contains("unknown option '' ignored"));

    /* A prefix of a real name is not that name. */
    assert_int_equal(parse("fla maxcpu=3"), 2);
    assert_int_equal(maxcpus, 7);
}

static void test_whitespace(void **state)
{
    assert_int_equal(parse(""), 0);
    assert_int_equal(parse("   \t  "), 0);
    assert_int_equal(cmdline_parse_table(NULL, table, 1), 0);
    assert_int_equal(parse("  \tmaxcpus=3\t\tflag  \r\nconsole=com2   "), 0);
    assert_int_equal(maxcpus, 3);
    assert_true(flag);
    assert_string_equal(console, "com2");
    assert_string_equal(harness_log(), "");
}

static void test_counts_and_later_wins(void **state)
{
    assert_int_equal(parse("maxcpus=2 bogus flag=perhaps maxcpus=4 console=waytoolong mem=1M"), 3);
    assert_int_equal(maxcpus, 4);
    assert_false(flag);
    assert_string_equal(console, "vga");
    assert_int_equal(mem, 1 << 20);
}

static void test_overlong_word(void **state)
{
    char line[700];
    char *p = line;

    /* 300 characters: reported, then parsing goes on with the next word. */
    p += sprintf(p, "longstr=");
    memset(p, 'a', 292);
    p += 292;
    strcpy(p, " maxcpus=5");
    assert_int_equal(parse(line), 1);
    assert_string_equal(longstr, "");
    assert_int_equal(maxcpus, 5);
    assert_true(harness_log_contains("is too long (300 characters, at most 255), ignored"));
    assert_true(harness_log_contains("option 'longstr=aaaa"));

    /* Exactly 255 characters is still a word. */
    harness_log_clear();
    memset(line, 0, sizeof(line));
    strcpy(line, "longstr=");
    memset(line + 8, 'b', 247);
    assert_int_equal(parse(line), 0);
    assert_int_equal(strlen(longstr), 247);

    /* 256 is not. */
    memset(line + 8, 'c', 248);
    assert_int_equal(parse(line), 1);
    assert_int_equal(longstr[0], 'b');
}

/* ---- the linker set ------------------------------------------------------ */

static bool set_flag;
static unsigned int set_num;
static char set_str[16];
boolean_param(set_flag, set_flag);
integer_param(set_num, set_num, 1, 100);
string_param(set_str, set_str);

static void test_linker_set(void **state)
{
    assert_int_equal(cmdline_parse("set_flag set_num=42 set_str=hi flag"), 1);
    assert_true(set_flag);
    assert_int_equal(set_num, 42);
    assert_string_equal(set_str, "hi");
    /* flag is only in the private table, not in the linker set. */
    assert_true(harness_log_contains("unknown option 'flag' ignored"));

    assert_int_equal(cmdline_parse("set_num=101"), 1);
    assert_int_equal(set_num, 42);
    assert_true(harness_log_contains("set_num=101: out of range (1..100)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bool_bare_key, setup),
        cmocka_unit_test_setup(test_bool_values, setup),
        cmocka_unit_test_setup(test_bool_bad_value_keeps_old, setup),
        cmocka_unit_test_setup(test_bool_in_int, setup),
        cmocka_unit_test_setup(test_uint_values, setup),
        cmocka_unit_test_setup(test_uint_not_a_number, setup),
        cmocka_unit_test_setup(test_uint_out_of_range, setup),
        cmocka_unit_test_setup(test_uint_needs_value, setup),
        cmocka_unit_test_setup(test_uint_suffixes, setup),
        cmocka_unit_test_setup(test_uint_var_sizes, setup),
        cmocka_unit_test_setup(test_uint_bad_var_size, setup),
        cmocka_unit_test_setup(test_string, setup),
        cmocka_unit_test_setup(test_string_too_long, setup),
        cmocka_unit_test_setup(test_custom, setup),
        cmocka_unit_test_setup(test_unknown_option, setup),
        cmocka_unit_test_setup(test_whitespace, setup),
        cmocka_unit_test_setup(test_counts_and_later_wins, setup),
        cmocka_unit_test_setup(test_overlong_word, setup),
        cmocka_unit_test_setup(test_linker_set, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
