/*
 * The boot-domain module string (common/boot_domain.c), with and without
 * the leading path, and the hypervisor command line (common/cmdline.c)
 * against a table of every kind of option.  Beyond ASan/UBSan: an
 * accepted string gives a configuration within the documented limits
 * (boot_domain.h), a refused one says why in a NUL-terminated sentence;
 * options keep their bounds and their strings' NULs.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/boot_domain.h>
#include <keel/bootinfo.h>
#include <keel/cmdline.h>
#include <keel/errno.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool opt_bool;
static uint32_t opt_u32;
static uint8_t opt_u8;
static uint64_t opt_u64;
static char opt_str[8];
static int custom_calls;

static int parse_custom(const char *val)
{
    custom_calls++;
    return strlen(val) % 2 ? -EINVAL : 0;
}

static const struct kernel_param params[] = {
    { "b", PARAM_BOOL, &opt_bool, sizeof(opt_bool), 0, 0, NULL },
    { "u32", PARAM_UINT, &opt_u32, sizeof(opt_u32), 1, 1000, NULL },
    { "u8", PARAM_UINT, &opt_u8, sizeof(opt_u8), 0, 255, NULL },
    { "u64", PARAM_UINT, &opt_u64, sizeof(opt_u64), 0, UINT64_MAX, NULL },
    { "s", PARAM_STRING, opt_str, sizeof(opt_str), 0, 0, NULL },
    { "c", PARAM_CUSTOM, NULL, 0, 0, 0, parse_custom },
};

static void check_why(int rc, const char *why, size_t size)
{
    if (rc != 0 && rc != -EINVAL)
        abort();
    if (rc && (!memchr(why, 0, size) || !why[0]))
        fz_fail("refused without a reason");
}

static void check_config(const struct domain_config *c)
{
    size_t n = strnlen(c->name, sizeof(c->name));

    if (n == 0 || n == sizeof(c->name) || strspn(c->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                 "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
        fz_fail("accepted a bad name");
    if (c->memory_mib < 1 || c->memory_mib > BOOT_DOMAIN_MEMORY_MAX_MIB)
        fz_fail("accepted memory=%lu", (unsigned long)c->memory_mib);
    if (c->vcpus < 1 || c->vcpus > MAX_VIRT_CPUS)
        fz_fail("accepted vcpus=%u", c->vcpus);
    if (c->weight < 1 || c->weight > BOOT_DOMAIN_WEIGHT_MAX || c->cap > 100 * c->vcpus)
        fz_fail("accepted weight=%u cap=%u", c->weight, c->cap);
    if (c->on_poweroff > ACTION_PRESERVE || c->on_reboot > ACTION_PRESERVE ||
        c->on_crash > ACTION_PRESERVE || c->restart_limit > BOOT_DOMAIN_RESTART_LIMIT_MAX)
        fz_fail("accepted a bad action or restart_limit");
    if (!memchr(c->cmdline, 0, sizeof(c->cmdline)) || c->kernel_start || c->ramdisk_end)
        fz_fail("bad guest command line or module fields");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Module strings come truncated to BOOT_MODLINE_MAX - 1 bytes, NUL-ended. */
    char *s = malloc(size + 1);
    struct domain_config cfg;
    char why[96];
    int rc;

    if (!s || size == 0)
        return (free(s), 0);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    switch (data[0] % 3) {
    case 0:
        (void)boot_module_classify(s);
        rc = boot_domain_parse(s, &cfg, why, data[0] & 0x80 ? sizeof(why) : 8);
        check_why(rc, why, data[0] & 0x80 ? sizeof(why) : 8);
        if (rc == 0)
            check_config(&cfg);
        break;
    case 1:
        (void)boot_module_classify_args(s);
        rc = boot_domain_parse_args(s, &cfg, data[0] & 0x80 ? NULL : why, sizeof(why));
        if (rc == 0)
            check_config(&cfg);
        else if (rc != -EINVAL)
            abort();
        break;
    default:
        memset(opt_str, 0, sizeof(opt_str));
        opt_u32 = 1;
        (void)cmdline_parse_table(s, params, sizeof(params) / sizeof(params[0]));
        if (opt_u32 < 1 || opt_u32 > 1000 || !memchr(opt_str, 0, sizeof(opt_str)))
            fz_fail("an option left its bounds");
        break;
    }
    free(s);
    return 0;
}
