/*
 * Boot domains: what a boot module's string asks for.
 *
 *   PATH domain name=NAME [memory=MIB] [vcpus=N] [dom0] [weight=N] [cap=N]
 *        [on_poweroff=ACT] [on_reboot=ACT] [on_crash=ACT] [restart_limit=N]
 *        [-- GUEST COMMAND LINE]
 *   PATH ramdisk                  (the initrd of the domain module before it)
 *
 * Words are separated by spaces, tabs, CR or LF.  PATH, the first word, is
 * the module's file name as QEMU and GRUB legacy put it; it is skipped
 * unseen.  (GRUB 2 passes no path: use the *_args variants for such
 * strings, see bootinfo.mod_path_first.)  Everything after a "--" word is
 * the guest's command line, verbatim except for the blanks around it.
 *
 * Options, defaults and limits:
 *   name=          required; 1..31 characters from [A-Za-z0-9_.-]
 *   memory=        MiB, default 64; 1..BOOT_DOMAIN_MEMORY_MAX_MIB (1 TiB);
 *                  a trailing M means MiB, G GiB ("memory=2G")
 *   vcpus=         default 1; 1..MAX_VIRT_CPUS (64)
 *   dom0           the privileged control domain (takes no value)
 *   weight=        scheduler weight, default 256; 1..65535
 *   cap=           CPU cap in percent of one CPU, default 0 (no cap);
 *                  0..100 * vcpus
 *   on_poweroff=   destroy | restart | preserve, default destroy
 *   on_reboot=     same values, default restart
 *   on_crash=      same values, default destroy   (xl's defaults)
 *   restart_limit= how often on_*=restart may rebuild the domain; default
 *                  0 = no limit (as Xen, which has none), else 1..1000000
 * Numbers are decimal or 0x-hex.  A key given twice, an unknown key, a
 * missing or empty value, or a value out of range is an error: a boot
 * module that does not say exactly what it means is not started.
 */
#ifndef KEEL_BOOT_DOMAIN_H
#define KEEL_BOOT_DOMAIN_H

#include <keel/domain_config.h>
#include <keel/types.h>

#define BOOT_DOMAIN_MEMORY_DEFAULT_MIB  64
#define BOOT_DOMAIN_MEMORY_MAX_MIB      (1024U * 1024U) /* 1 TiB */
#define BOOT_DOMAIN_WEIGHT_DEFAULT      256
#define BOOT_DOMAIN_WEIGHT_MAX          65535
#define BOOT_DOMAIN_RESTART_LIMIT_MAX   1000000

enum boot_module_kind {
    BOOT_MODULE_UNKNOWN,    /* neither (or malformed: "ramdisk" plus more words) */
    BOOT_MODULE_DOMAIN,     /* second word "domain" */
    BOOT_MODULE_RAMDISK,    /* second word "ramdisk" and nothing after it */
};

/* Classify a module string (its first word is the path and is skipped). */
enum boot_module_kind boot_module_classify(const char *modline);

/*
 * Parse a "domain" module string into *cfg: every field is reset first
 * (kernel_* and ramdisk_* end up 0 for the caller to fill), then defaults,
 * then the options.  Returns 0, or -EINVAL with one sentence naming the
 * offending word in why[whylen] (why may be NULL); *cfg is then undefined.
 */
int boot_domain_parse(const char *modline, struct domain_config *cfg,
                      char *why, size_t whylen);

/* The same for a string without the leading path. */
enum boot_module_kind boot_module_classify_args(const char *args);
int boot_domain_parse_args(const char *args, struct domain_config *cfg,
                           char *why, size_t whylen);

struct boot_info;
/* Start every boot domain of bi's modules (common/boot_domains.c). */
void boot_domains_start(const struct boot_info *bi);

/* "destroy", "restart", "preserve" ("?" for anything else). */
const char *boot_domain_action_name(enum domain_action a);

#endif
