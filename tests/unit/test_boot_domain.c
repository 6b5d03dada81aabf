/* Unit tests for boot-domain module strings (common/boot_domain.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/boot_domain.h>
#include <keel/errno.h>
#include "include/harness.h"

static char why[256];
static struct domain_config cfg;

/* Parse an exact-size heap copy: ASan catches any read past the NUL. */
static int parse(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    int rc;

    assert_non_null(copy);
    memcpy(copy, s, n);
    memset(&cfg, 0x5a, sizeof(cfg));
    why[0] = '\0';
    rc = boot_domain_parse(copy, &cfg, why, sizeof(why));
    assert_memory_equal(copy, s, n);        /* the string is never written */
    free(copy);
    return rc;
}

#define assert_parses(s) do {                                                   \
        int rc_ = parse(s);                                                     \
        if (rc_ != 0)                                                           \
            fail_msg("\"%s\" failed (%d): %s", (s), rc_, why);                 \
    } while (0)

#define assert_error(s, needle) do {                                            \
        assert_int_equal(parse(s), -EINVAL);                                    \
        if (!strstr(why, (needle)))                                             \
            fail_msg("\"%s\": reason \"%s\" does not mention \"%s\"", (s), why, (needle)); \
    } while (0)

static enum boot_module_kind classify(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    enum boot_module_kind k;

    assert_non_null(copy);
    memcpy(copy, s, n);
    k = boot_module_classify(copy);
    free(copy);
    return k;
}

/* ---- classification -------------------------------------------------------- */

static void test_classify(void **state)
{
    assert_int_equal(classify("guest.elf domain name=a"), BOOT_MODULE_DOMAIN);
    assert_int_equal(classify("/boot/vmlinux domain"), BOOT_MODULE_DOMAIN);
    assert_int_equal(classify("  x\tdomain\n"), BOOT_MODULE_DOMAIN);
    assert_int_equal(classify("initrd.img ramdisk"), BOOT_MODULE_RAMDISK);
    assert_int_equal(classify("initrd.img ramdisk \r\n"), BOOT_MODULE_RAMDISK);
    assert_int_equal(classify("initrd.img ramdisk extra"), BOOT_MODULE_UNKNOWN);
    assert_int_equal(classify("initrd.img"), BOOT_MODULE_UNKNOWN);
    assert_int_equal(classify(""), BOOT_MODULE_UNKNOWN);
    assert_int_equal(classify("   "), BOOT_MODULE_UNKNOWN);
    assert_int_equal(classify("a domains"), BOOT_MODULE_UNKNOWN);
    assert_int_equal(classify("a Domain"), BOOT_MODULE_UNKNOWN);
    assert_int_equal(classify("a ramdisk2"), BOOT_MODULE_UNKNOWN);
    /* The path is skipped unseen, even if it reads like a keyword. */
    assert_int_equal(classify("domain name=x"), BOOT_MODULE_UNKNOWN);
    assert_int_equal(classify("ramdisk"), BOOT_MODULE_UNKNOWN);
    assert_int_equal(boot_module_classify(NULL), BOOT_MODULE_UNKNOWN);
}

static void test_classify_args(void **state)
{
    assert_int_equal(boot_module_classify_args("domain name=x"), BOOT_MODULE_DOMAIN);
    assert_int_equal(boot_module_classify_args(" ramdisk"), BOOT_MODULE_RAMDISK);
    assert_int_equal(boot_module_classify_args("x domain"), BOOT_MODULE_UNKNOWN);
    assert_int_equal(boot_module_classify_args(NULL), BOOT_MODULE_UNKNOWN);
}

/* ---- valid strings ------------------------------------------------------------ */

static void test_defaults(void **state)
{
    assert_parses("guest.elf domain name=demo");
    assert_string_equal(cfg.name, "demo");
    assert_int_equal(cfg.memory_mib, 64);
    assert_int_equal(cfg.vcpus, 1);
    assert_false(cfg.is_privileged);
    assert_int_equal(cfg.weight, 256);
    assert_int_equal(cfg.cap, 0);
    assert_int_equal(cfg.on_poweroff, ACTION_DESTROY);
    assert_int_equal(cfg.on_reboot, ACTION_RESTART);
    assert_int_equal(cfg.on_crash, ACTION_DESTROY);
    assert_int_equal(cfg.restart_limit, 0);
    assert_string_equal(cfg.cmdline, "");
    assert_int_equal(cfg.kernel_start, 0);
    assert_int_equal(cfg.kernel_end, 0);
    assert_int_equal(cfg.ramdisk_start, 0);
    assert_int_equal(cfg.ramdisk_end, 0);
}

static void test_every_option(void **state)
{
    assert_parses("/boot/vmlinuz domain name=Dom-0.x_1 memory=512 vcpus=4 dom0 weight=512 "
                  "cap=250 on_poweroff=preserve on_reboot=destroy on_crash=restart "
                  "restart_limit=3 -- console=hvc0 root=/dev/xvda1  ro");
    assert_string_equal(cfg.name, "Dom-0.x_1");
    assert_int_equal(cfg.memory_mib, 512);
    assert_int_equal(cfg.vcpus, 4);
    assert_true(cfg.is_privileged);
    assert_int_equal(cfg.weight, 512);
    assert_int_equal(cfg.cap, 250);
    assert_int_equal(cfg.on_poweroff, ACTION_PRESERVE);
    assert_int_equal(cfg.on_reboot, ACTION_DESTROY);
    assert_int_equal(cfg.on_crash, ACTION_RESTART);
    assert_int_equal(cfg.restart_limit, 3);
    /* Inner spacing kept as given. */
    assert_string_equal(cfg.cmdline, "console=hvc0 root=/dev/xvda1  ro");
}

static void test_order_and_blanks(void **state)
{
    assert_parses("\t p \t domain\tvcpus=2 \r\n name=b  memory=0x100\r\n");
    assert_string_equal(cfg.name, "b");
    assert_int_equal(cfg.vcpus, 2);
    assert_int_equal(cfg.memory_mib, 256);
    assert_string_equal(cfg.cmdline, "");
}

static void test_memory_units(void **state)
{
    assert_parses("k domain name=a memory=2G");
    assert_int_equal(cfg.memory_mib, 2048);
    assert_parses("k domain name=a memory=3g");
    assert_int_equal(cfg.memory_mib, 3072);
    assert_parses("k domain name=a memory=300M");
    assert_int_equal(cfg.memory_mib, 300);
    assert_parses("k domain name=a memory=7m");
    assert_int_equal(cfg.memory_mib, 7);
    assert_parses("k domain name=a memory=1");
    assert_int_equal(cfg.memory_mib, 1);
    assert_parses("k domain name=a memory=1048576");
    assert_int_equal(cfg.memory_mib, 1048576);
    assert_parses("k domain name=a memory=1024G");
    assert_int_equal(cfg.memory_mib, 1048576);
}

static void test_limits_accepted(void **state)
{
    assert_parses("k domain name=a vcpus=64 cap=6400 weight=65535 restart_limit=1000000");
    assert_int_equal(cfg.vcpus, 64);
    assert_int_equal(cfg.cap, 6400);
    assert_int_equal(cfg.weight, 65535);
    assert_int_equal(cfg.restart_limit, 1000000);
    assert_parses("k domain name=a weight=1 cap=100");
    assert_int_equal(cfg.weight, 1);
    assert_int_equal(cfg.cap, 100);
    /* cap= may come before vcpus=: the bound is checked at the end. */
    assert_parses("k domain name=a cap=300 vcpus=3");
    assert_int_equal(cfg.cap, 300);
    assert_parses("k domain name=abcdefghijklmnopqrstuvwxyz01234");    /* 31 */
    assert_string_equal(cfg.name, "abcdefghijklmnopqrstuvwxyz01234");
}

static void test_cmdline_forms(void **state)
{
    assert_parses("k domain name=a --");
    assert_string_equal(cfg.cmdline, "");
    assert_parses("k domain name=a --   \r\n");
    assert_string_equal(cfg.cmdline, "");
    assert_parses("k domain name=a -- a=b -- name=c memory=0");  /* all guest's */
    assert_string_equal(cfg.cmdline, "a=b -- name=c memory=0");
    assert_string_equal(cfg.name, "a");
    assert_int_equal(cfg.memory_mib, 64);
    assert_parses("k domain name=a --\tquiet\n");
    assert_string_equal(cfg.cmdline, "quiet");

    /* The longest that fits: 511 characters. */
    char line[600];
    strcpy(line, "k domain name=a -- ");
    size_t base = strlen(line);
    memset(line + base, 'x', 511);
    line[base + 511] = '\0';
    assert_parses(line);
    assert_int_equal(strlen(cfg.cmdline), 511);
}

static void test_parse_args_variant(void **state)
{
    memset(&cfg, 0x5a, sizeof(cfg));
    assert_int_equal(boot_domain_parse_args("domain name=g2 vcpus=2 -- x", &cfg, why, sizeof(why)), 0);
    assert_string_equal(cfg.name, "g2");
    assert_int_equal(cfg.vcpus, 2);
    assert_string_equal(cfg.cmdline, "x");
    assert_int_equal(boot_domain_parse_args("path domain name=g2", &cfg, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "found \"path\""));
}

static void test_action_names(void **state)
{
    assert_string_equal(boot_domain_action_name(ACTION_DESTROY), "destroy");
    assert_string_equal(boot_domain_action_name(ACTION_RESTART), "restart");
    assert_string_equal(boot_domain_action_name(ACTION_PRESERVE), "preserve");
    assert_string_equal(boot_domain_action_name((enum domain_action)7), "?");
}

/* ---- errors ---------------------------------------------------------------------- */

static void test_error_not_domain(void **state)
{
    assert_error("k ramdisk", "not a domain module: expected \"domain\" after the path, found \"ramdisk\"");
    assert_error("k", "found \"\"");
    assert_error("", "not a domain module");
    assert_int_equal(boot_domain_parse(NULL, &cfg, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "no module string");
}

static void test_error_name(void **state)
{
    assert_error("k domain", "missing name= (every domain needs a name)");
    assert_error("k domain memory=64 -- name=x", "missing name=");
    assert_error("k domain name=", "option name needs a value (name=...)");
    assert_error("k domain name", "option name needs a value");
    assert_error("k domain name=a/b", "name=a/b: character 2 is not one of A-Z a-z 0-9 _ . -");
    assert_error("k domain name=x:", "character 2");
    assert_error("k domain name=é", "character 1");
    assert_error("k domain name=abcdefghijklmnopqrstuvwxyz012345",
                 "is 32 characters long, at most 31 are allowed");
}

static void test_error_duplicates(void **state)
{
    assert_error("k domain name=a name=b", "option name given twice");
    assert_error("k domain name=a memory=1 memory=1", "option memory given twice");
    assert_error("k domain name=a dom0 dom0", "option dom0 given twice");
    assert_error("k domain name=a on_crash=destroy on_crash=destroy", "option on_crash given twice");
}

static void test_error_unknown(void **state)
{
    assert_error("k domain name=a mem=64", "unknown option \"mem\"");
    assert_error("k domain name=a Memory=64", "unknown option \"Memory\"");
    assert_error("k domain name=a nodom0", "unknown option \"nodom0\"");
    assert_error("k domain name=a =5", "unknown option \"\"");
    assert_error("k domain name=a --quiet", "unknown option \"--quiet\"");
    assert_error("k domain name=a domain", "unknown option \"domain\"");
    /* A very long unknown word is quoted cut short, not overflowing. */
    char line[400];
    strcpy(line, "k domain name=a ");
    memset(line + strlen(line), 'z', 300);
    line[16 + 300] = '\0';
    assert_error(line, "unknown option \"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\"");
}

static void test_error_memory(void **state)
{
    assert_error("k domain name=a memory=0", "memory=0: a domain needs at least 1 MiB");
    assert_error("k domain name=a memory=0G", "at least 1 MiB");
    assert_error("k domain name=a memory=1048577", "is more than a domain may have (1048576 MiB)");
    assert_error("k domain name=a memory=1025G", "more than a domain may have");
    assert_error("k domain name=a memory=99999999999999999999", "more than a domain may have");
    assert_error("k domain name=a memory=64K", "memory=64K is not a number of MiB");
    assert_error("k domain name=a memory=abc", "is not a number");
    assert_error("k domain name=a memory=G", "memory=G is not a number");
    assert_error("k domain name=a memory=-1", "is not a number");
    assert_error("k domain name=a memory=", "option memory needs a value");
}

static void test_error_vcpus(void **state)
{
    assert_error("k domain name=a vcpus=0", "vcpus=0 is out of range (1..64)");
    assert_error("k domain name=a vcpus=65", "vcpus=65 is out of range (1..64)");
    assert_error("k domain name=a vcpus=two", "vcpus=two is not a number");
    assert_error("k domain name=a vcpus=18446744073709551616", "is too large");
    assert_error("k domain name=a vcpus=1x", "is not a number");
}

static void test_error_sched(void **state)
{
    assert_error("k domain name=a weight=0", "weight=0 is out of range (1..65535)");
    assert_error("k domain name=a weight=65536", "weight=65536 is out of range");
    assert_error("k domain name=a cap=101", "cap=101 is more than 100% (100% for each of its 1 vCPUs)");
    assert_error("k domain name=a vcpus=2 cap=201", "cap=201 is more than 200%");
    assert_error("k domain name=a cap=6401", "cap=6401 is out of range (0..6400)");
    assert_error("k domain name=a restart_limit=1000001", "out of range (0..1000000)");
}

static void test_error_actions(void **state)
{
    assert_error("k domain name=a on_poweroff=reboot", "on_poweroff=reboot: expected destroy, restart or preserve");
    assert_error("k domain name=a on_reboot=Restart", "on_reboot=Restart: expected");
    assert_error("k domain name=a on_crash=coredump-destroy", "on_crash=coredump-destroy: expected");
    assert_error("k domain name=a on_crash=destroyx", "expected destroy");
    assert_error("k domain name=a on_crash", "option on_crash needs a value");
}

static void test_error_dom0_value(void **state)
{
    assert_error("k domain name=a dom0=1", "dom0 takes no value");
    assert_error("k domain name=a dom0=", "dom0 takes no value");
}

static void test_error_cmdline_too_long(void **state)
{
    char line[700];

    strcpy(line, "k domain name=a -- ");
    size_t base = strlen(line);
    memset(line + base, 'y', 512);
    line[base + 512] = '\0';
    assert_error(line, "guest command line is 512 characters long, at most 511 are allowed");
}

/* A NULL or empty why buffer is allowed. */
static void test_why_optional(void **state)
{
    struct domain_config c;

    assert_int_equal(boot_domain_parse("k domain", &c, NULL, 0), -EINVAL);
    assert_int_equal(boot_domain_parse("k domain name=x", &c, NULL, 0), 0);
    assert_string_equal(c.name, "x");
    /* A tiny buffer gets a truncated, terminated message. */
    char small[8];
    assert_int_equal(boot_domain_parse("k domain", &c, small, sizeof(small)), -EINVAL);
    assert_int_equal(strlen(small), 7);
}

/* Random garbage never crashes or reads past the string (ASan watches). */
static void test_random_strings(void **state)
{
    static const char *const words[] = {
        "domain", "name=a", "name=", "memory=", "memory=64", "vcpus=2", "dom0", "--",
        "cap=50", "on_crash=restart", "x", "=", "weight=9", " ", "\t", "restart_limit=",
        "memory=1G", "on_reboot=", "vcpus=65",
    };
    char buf[256];

    srand(4242);
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        int n = rand() % 8;

        buf[0] = '\0';
        len += (size_t)snprintf(buf, sizeof(buf), "p ");
        for (int j = 0; j < n && len < 200; j++)
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s ",
                                    words[rand() % (sizeof(words) / sizeof(words[0]))]);
        if (rand() % 3 == 0 && len > 2)
            buf[rand() % len] = (char)(rand() % 256 ? rand() % 256 : 1);
        int rc = parse(buf);
        if (rc == 0) {
            assert_true(cfg.name[0] != '\0');
            assert_true(strlen(cfg.name) < DOMAIN_NAME_MAX);
            assert_true(cfg.vcpus >= 1 && cfg.vcpus <= MAX_VIRT_CPUS);
            assert_true(cfg.memory_mib >= 1);
            assert_true(cfg.cap <= 100 * cfg.vcpus);
        } else {
            assert_int_equal(rc, -EINVAL);
            assert_true(why[0] != '\0');
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_classify_args),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_option),
        cmocka_unit_test(test_order_and_blanks),
        cmocka_unit_test(test_memory_units),
        cmocka_unit_test(test_limits_accepted),
        cmocka_unit_test(test_cmdline_forms),
        cmocka_unit_test(test_parse_args_variant),
        cmocka_unit_test(test_action_names),
        cmocka_unit_test(test_error_not_domain),
        cmocka_unit_test(test_error_name),
        cmocka_unit_test(test_error_duplicates),
        cmocka_unit_test(test_error_unknown),
        cmocka_unit_test(test_error_memory),
        cmocka_unit_test(test_error_vcpus),
        cmocka_unit_test(test_error_sched),
        cmocka_unit_test(test_error_actions),
        cmocka_unit_test(test_error_dom0_value),
        cmocka_unit_test(test_error_cmdline_too_long),
        cmocka_unit_test(test_why_optional),
        cmocka_unit_test(test_random_strings),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
