/*
 * Boot-domain module strings (syntax and defaults in keel/boot_domain.h).
 *
 * The string is looked at in place as (pointer, length) slices: nothing is
 * copied into fixed buffers before it has been checked, nothing is written
 * into the caller's string, and nothing past its NUL is read.  Every error
 * names the word it is about, so a typo in a GRUB entry is easy to find.
 */
#include <keel/boot_domain.h>
#include <keel/errno.h>
#include <keel/lib.h>

#define SHOW_MAX 40     /* characters of an offending word quoted in a message */

struct slice {
    const char *s;
    size_t len;
};

enum opt {
    OPT_NAME,
    OPT_MEMORY,
    OPT_VCPUS,
    OPT_DOM0,
    OPT_WEIGHT,
    OPT_CAP,
    OPT_ON_POWEROFF,
    OPT_ON_REBOOT,
    OPT_ON_CRASH,
    OPT_RESTART_LIMIT,
    OPT_COUNT,
};

static const char *const opt_names[OPT_COUNT] = {
    [OPT_NAME] = "name",
    [OPT_MEMORY] = "memory",
    [OPT_VCPUS] = "vcpus",
    [OPT_DOM0] = "dom0",
    [OPT_WEIGHT] = "weight",
    [OPT_CAP] = "cap",
    [OPT_ON_POWEROFF] = "on_poweroff",
    [OPT_ON_REBOOT] = "on_reboot",
    [OPT_ON_CRASH] = "on_crash",
    [OPT_RESTART_LIMIT] = "restart_limit",
};

static const char *const action_names[] = {
    [ACTION_DESTROY] = "destroy",
    [ACTION_RESTART] = "restart",
    [ACTION_PRESERVE] = "preserve",
};

static __printf(3, 4) void say(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    if (!why || !whylen)
        return;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_blanks(const char *s)
{
    while (is_blank(*s))
        s++;
    return s;
}

/* The next word at or after s (len 0 at the end of the string). */
static struct slice next_word(const char *s)
{
    struct slice w;

    s = skip_blanks(s);
    w.s = s;
    w.len = 0;
    while (s[w.len] && !is_blank(s[w.len]))
        w.len++;
    return w;
}

static bool slice_is(struct slice w, const char *lit)
{
    size_t n = strlen(lit);

    return w.len == n && memcmp(w.s, lit, n) == 0;
}

/* Printing length of a slice in a message: long words are cut. */
static int show(struct slice w)
{
    return (int)MIN(w.len, (size_t)SHOW_MAX);
}

static const char *after_path(const char *modline)
{
    struct slice path = next_word(modline);

    return path.s + path.len;
}

const char *boot_domain_action_name(enum domain_action a)
{
    if ((unsigned int)a < ARRAY_SIZE(action_names))
        return action_names[a];
    return "?";
}

enum boot_module_kind boot_module_classify_args(const char *args)
{
    struct slice kind;

    if (!args)
        return BOOT_MODULE_UNKNOWN;
    kind = next_word(args);
    if (slice_is(kind, "domain"))
        return BOOT_MODULE_DOMAIN;
    if (slice_is(kind, "ramdisk") && next_word(kind.s + kind.len).len == 0)
        return BOOT_MODULE_RAMDISK;
    return BOOT_MODULE_UNKNOWN;
}

enum boot_module_kind boot_module_classify(const char *modline)
{
    if (!modline)
        return BOOT_MODULE_UNKNOWN;
    return boot_module_classify_args(after_path(modline));
}

/* key=value number: decimal or 0x hex, no suffix. */
static int parse_number(struct slice key, struct slice val, uint64_t *out,
                        char *why, size_t whylen)
{
    int rc = parse_u64(val.s, val.len, false, out);

    if (rc == -ERANGE) {
        say(why, whylen, "%.*s=%.*s is too large", show(key), key.s, show(val), val.s);
        return -EINVAL;
    }
    if (rc) {
        say(why, whylen, "%.*s=%.*s is not a number", show(key), key.s, show(val), val.s);
        return -EINVAL;
    }
    return 0;
}

static int parse_range(struct slice key, struct slice val, uint64_t min, uint64_t max,
                       uint64_t *out, char *why, size_t whylen)
{
    if (parse_number(key, val, out, why, whylen))
        return -EINVAL;
    if (*out < min || *out > max) {
        say(why, whylen, "%.*s=%llu is out of range (%llu..%llu)", show(key), key.s,
            (unsigned long long)*out, (unsigned long long)min, (unsigned long long)max);
        return -EINVAL;
    }
    return 0;
}

static int parse_memory(struct slice val, uint64_t *mib, char *why, size_t whylen)
{
    size_t len = val.len;
    unsigned int shift = 0;
    char last = val.s[val.len - 1];
    int rc;

    /* A unit letter is a convenience; bare numbers are MiB. */
    if (last == 'M' || last == 'm') {
        len--;
    } else if (last == 'G' || last == 'g') {
        len--;
        shift = 10;
    }
    rc = len ? parse_u64(val.s, len, false, mib) : -EINVAL;
    if (rc == -EINVAL) {
        say(why, whylen, "memory=%.*s is not a number of MiB", show(val), val.s);
        return -EINVAL;
    }
    if (rc || *mib > (BOOT_DOMAIN_MEMORY_MAX_MIB >> shift)) {
        say(why, whylen, "memory=%.*s is more than a domain may have (%u MiB)",
            show(val), val.s, BOOT_DOMAIN_MEMORY_MAX_MIB);
        return -EINVAL;
    }
    *mib <<= shift;
    if (*mib == 0) {
        say(why, whylen, "memory=%.*s: a domain needs at least 1 MiB", show(val), val.s);
        return -EINVAL;
    }
    return 0;
}

static int parse_action(struct slice key, struct slice val, enum domain_action *out,
                        char *why, size_t whylen)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(action_names); i++) {
        if (slice_is(val, action_names[i])) {
            *out = (enum domain_action)i;
            return 0;
        }
    }
    say(why, whylen, "%.*s=%.*s: expected destroy, restart or preserve",
        show(key), key.s, show(val), val.s);
    return -EINVAL;
}

static int parse_name(struct slice val, char *name, char *why, size_t whylen)
{
    if (val.len >= DOMAIN_NAME_MAX) {
        say(why, whylen, "name=%.*s%s is %zu characters long, at most %d are allowed",
            show(val), val.s, val.len > SHOW_MAX ? "..." : "", val.len,
            DOMAIN_NAME_MAX - 1);
        return -EINVAL;
    }
    for (size_t i = 0; i < val.len; i++) {
        char c = val.s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
            say(why, whylen, "name=%.*s: character %zu is not one of A-Z a-z 0-9 _ . -",
                show(val), val.s, i + 1);
            return -EINVAL;
        }
    }
    memcpy(name, val.s, val.len);
    name[val.len] = '\0';
    return 0;
}

/* Everything after "--": the guest's command line, blanks around it dropped. */
static int parse_guest_cmdline(const char *s, char *out, char *why, size_t whylen)
{
    size_t len;

    s = skip_blanks(s);
    len = strlen(s);
    while (len && is_blank(s[len - 1]))
        len--;
    if (len >= DOMAIN_CMDLINE_MAX) {
        say(why, whylen, "guest command line is %zu characters long, at most %d are allowed",
            len, DOMAIN_CMDLINE_MAX - 1);
        return -EINVAL;
    }
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

static int parse_option(struct domain_config *cfg, enum opt o, struct slice key,
                        struct slice val, char *why, size_t whylen)
{
    uint64_t v;

    switch (o) {
    case OPT_NAME:
        return parse_name(val, cfg->name, why, whylen);
    case OPT_MEMORY:
        return parse_memory(val, &cfg->memory_mib, why, whylen);
    case OPT_VCPUS:
        if (parse_range(key, val, 1, MAX_VIRT_CPUS, &v, why, whylen))
            return -EINVAL;
        cfg->vcpus = (unsigned int)v;
        return 0;
    case OPT_DOM0:
        cfg->is_privileged = true;
        return 0;
    case OPT_WEIGHT:
        if (parse_range(key, val, 1, BOOT_DOMAIN_WEIGHT_MAX, &v, why, whylen))
            return -EINVAL;
        cfg->weight = (unsigned int)v;
        return 0;
    case OPT_CAP:
        /* The upper bound depends on vcpus=, checked once all is parsed. */
        if (parse_range(key, val, 0, 100 * MAX_VIRT_CPUS, &v, why, whylen))
            return -EINVAL;
        cfg->cap = (unsigned int)v;
        return 0;
    case OPT_ON_POWEROFF:
        return parse_action(key, val, &cfg->on_poweroff, why, whylen);
    case OPT_ON_REBOOT:
        return parse_action(key, val, &cfg->on_reboot, why, whylen);
    case OPT_ON_CRASH:
        return parse_action(key, val, &cfg->on_crash, why, whylen);
    case OPT_RESTART_LIMIT:
        if (parse_range(key, val, 0, BOOT_DOMAIN_RESTART_LIMIT_MAX, &v, why, whylen))
            return -EINVAL;
        cfg->restart_limit = (unsigned int)v;
        return 0;
    case OPT_COUNT:
        break;
    }
    return -EINVAL;
}

int boot_domain_parse_args(const char *args, struct domain_config *cfg,
                           char *why, size_t whylen)
{
    bool seen[OPT_COUNT] = { false };
    struct slice w;
    const char *p;

    memset(cfg, 0, sizeof(*cfg));
    cfg->memory_mib = BOOT_DOMAIN_MEMORY_DEFAULT_MIB;
    cfg->vcpus = 1;
    cfg->weight = BOOT_DOMAIN_WEIGHT_DEFAULT;
    cfg->cap = 0;
    cfg->on_poweroff = ACTION_DESTROY;
    cfg->on_reboot = ACTION_RESTART;
    cfg->on_crash = ACTION_DESTROY;
    cfg->restart_limit = 0;

    if (!args) {
        say(why, whylen, "no module string");
        return -EINVAL;
    }
    w = next_word(args);
    if (!slice_is(w, "domain")) {
        say(why, whylen, "not a domain module: expected \"domain\" after the path, found \"%.*s\"",
            show(w), w.s);
        return -EINVAL;
    }

    for (p = w.s + w.len;; p = w.s + w.len) {
        struct slice key, val = { NULL, 0 };
        const char *eq;
        unsigned int o;

        w = next_word(p);
        if (w.len == 0)
            break;
        if (slice_is(w, "--")) {
            if (parse_guest_cmdline(w.s + w.len, cfg->cmdline, why, whylen))
                return -EINVAL;
            break;
        }

        key = w;
        eq = NULL;
        for (size_t i = 0; i < w.len && !eq; i++) {
            if (w.s[i] == '=')
                eq = w.s + i;
        }
        if (eq) {
            key.len = (size_t)(eq - w.s);
            val.s = eq + 1;
            val.len = w.len - key.len - 1;
        }
        for (o = 0; o < OPT_COUNT; o++) {
            if (slice_is(key, opt_names[o]))
                break;
        }
        if (o == OPT_COUNT) {
            say(why, whylen, "unknown option \"%.*s\" (known: name memory vcpus dom0 weight cap "
                "on_poweroff on_reboot on_crash restart_limit, then -- and the guest's "
                "command line)", show(key), key.s);
            return -EINVAL;
        }
        if (seen[o]) {
            say(why, whylen, "option %s given twice", opt_names[o]);
            return -EINVAL;
        }
        seen[o] = true;
        if (o == OPT_DOM0) {
            if (eq) {
                say(why, whylen, "dom0 takes no value (write just \"dom0\")");
                return -EINVAL;
            }
        } else if (!eq || val.len == 0) {
            say(why, whylen, "option %s needs a value (%s=...)", opt_names[o], opt_names[o]);
            return -EINVAL;
        }
        if (parse_option(cfg, (enum opt)o, key, val, why, whylen))
            return -EINVAL;
    }

    if (!seen[OPT_NAME]) {
        say(why, whylen, "missing name= (every domain needs a name)");
        return -EINVAL;
    }
    if (cfg->cap > 100 * cfg->vcpus) {
        say(why, whylen, "cap=%u is more than %u%% (100%% for each of its %u vCPUs)",
            cfg->cap, 100 * cfg->vcpus, cfg->vcpus);
        return -EINVAL;
    }
    return 0;
}

int boot_domain_parse(const char *modline, struct domain_config *cfg,
                      char *why, size_t whylen)
{
    if (!modline) {
        memset(cfg, 0, sizeof(*cfg));
        say(why, whylen, "no module string");
        return -EINVAL;
    }
    return boot_domain_parse_args(after_path(modline), cfg, why, whylen);
}
