/*
 * Hypervisor command-line parsing.
 *
 * The line is split into words at spaces and tabs (and CR/LF, which some
 * loaders leave in).  A word is "key=value" or a bare "key" (a boolean set
 * to true).  Every problem is reported on its own line naming the word and
 * what would have been accepted, and the option keeps its previous value:
 * a typo on the command line must never stop the machine from booting.
 *
 * Each word is copied into a bounded buffer before it is looked at, so the
 * parser never writes into the caller's string, needs no allocation, and
 * never reads past the terminating NUL.
 */
#include <keel/cmdline.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/printk.h>

#define WORD_MAX 255    /* longest word we look at, without its NUL */

/* The linker set of *_param() declarations.  Weak, so that an image that
 * declares no option at all still links (both are then NULL). */
extern const struct kernel_param __start_keel_params[] __attribute__((weak));
extern const struct kernel_param __stop_keel_params[] __attribute__((weak));

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const struct kernel_param *find_param(const struct kernel_param *tbl,
                                             size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (tbl[i].name && strcmp(tbl[i].name, key) == 0)
            return &tbl[i];
    }
    return NULL;
}

/* Store v in an unsigned variable of 1, 2, 4 or 8 bytes. */
static int store_uint(void *var, size_t size, uint64_t v)
{
    switch (size) {
    case 1: *(uint8_t *)var = (uint8_t)v; return 0;
    case 2: *(uint16_t *)var = (uint16_t)v; return 0;
    case 4: *(uint32_t *)var = (uint32_t)v; return 0;
    case 8: *(uint64_t *)var = v; return 0;
    default: return -EINVAL;
    }
}

static uint64_t uint_limit(size_t size)
{
    return size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "1", "yes", "on", "true" };
    static const char *const no[] = { "0", "no", "off", "false" };

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* The handlers return 0 when the option was set, or 1 when they reported a problem. */

static int set_bool(const struct kernel_param *p, const char *val)
{
    bool b = true;

    if (val && !parse_bool(val, &b)) {
        pr_warn("%s=%s: not a boolean (1/0, yes/no, on/off, true/false)\n",
                p->name, val);
        return 1;
    }
    if (p->var_size == sizeof(bool)) {
        *(bool *)p->var = b;
        return 0;
    }
    if (store_uint(p->var, p->var_size, b) < 0) {
        pr_warn("%s: option has a variable of unsupported size %zu\n",
                p->name, p->var_size);
        return 1;
    }
    return 0;
}

static int set_uint(const struct kernel_param *p, const char *val)
{
    uint64_t v, hi = p->max;
    int rc;

    if (p->var_size != 1 && p->var_size != 2 && p->var_size != 4 && p->var_size != 8) {
        pr_warn("%s: option has a variable of unsupported size %zu\n",
                p->name, p->var_size);
        return 1;
    }
    if (hi > uint_limit(p->var_size))
        hi = uint_limit(p->var_size);

    if (!val) {
        pr_warn("%s: needs a value (%llu..%llu)\n", p->name,
                (unsigned long long)p->min, (unsigned long long)hi);
        return 1;
    }
    rc = parse_u64(val, strlen(val), true, &v);
    if (rc == -EINVAL) {
        pr_warn("%s=%s: not a number (%llu..%llu)\n", p->name, val,
                (unsigned long long)p->min, (unsigned long long)hi);
        return 1;
    }
    if (rc < 0 || v < p->min || v > hi) {
        pr_warn("%s=%s: out of range (%llu..%llu)\n", p->name, val,
                (unsigned long long)p->min, (unsigned long long)hi);
        return 1;
    }
    store_uint(p->var, p->var_size, v);
    return 0;
}

static int set_string(const struct kernel_param *p, const char *val)
{
    size_t len;

    if (!val) {
        pr_warn("%s: needs a value (at most %zu characters)\n", p->name,
                p->var_size ? p->var_size - 1 : 0);
        return 1;
    }
    len = strlen(val);
    if (p->var_size == 0 || len >= p->var_size) {
        pr_warn("%s=%s: too long (at most %zu characters)\n", p->name, val,
                p->var_size ? p->var_size - 1 : 0);
        return 1;
    }
    memcpy(p->var, val, len + 1);
    return 0;
}

static int set_custom(const struct kernel_param *p, const char *val)
{
    int rc;

    if (!p->parse) {
        pr_warn("%s: option has no parser\n", p->name);
        return 1;
    }
    /* A bare key reaches the parser as an empty value. */
    rc = p->parse(val ? val : "");
    if (rc < 0) {
        if (val)
            pr_warn("%s=%s: invalid value (error %d)\n", p->name, val, rc);
        else
            pr_warn("%s: needs a value (error %d)\n", p->name, rc);
        return 1;
    }
    return 0;
}

/* Apply one word, NUL-terminated and without spaces.  Returns 1 if reported. */
static int apply_word(char *word, const struct kernel_param *tbl, size_t n)
{
    char *eq = strchr(word, '=');
    const char *val = NULL;
    const struct kernel_param *p;

    if (eq) {
        *eq = '\0';
        val = eq + 1;
    }
    p = find_param(tbl, n, word);
    if (!p) {
        pr_warn("unknown option '%s' ignored\n", word);
        return 1;
    }

    switch (p->type) {
    case PARAM_BOOL:   return set_bool(p, val);
    case PARAM_UINT:   return set_uint(p, val);
    case PARAM_STRING: return set_string(p, val);
    case PARAM_CUSTOM: return set_custom(p, val);
    }
    pr_warn("%s: option has unknown type %d\n", p->name, (int)p->type);
    return 1;
}

unsigned int cmdline_parse_table(const char *cmdline,
                                 const struct kernel_param *tbl, size_t n)
{
    unsigned int reported = 0;
    const char *s = cmdline;
    char word[WORD_MAX + 1];

    if (!s)
        return 0;

    for (;;) {
        size_t len = 0;

        while (is_space(*s))
            s++;
        if (!*s)
            break;

        while (*s && !is_space(*s)) {
            if (len < WORD_MAX)
                word[len] = *s;
            len++;
            s++;
        }

        if (len > WORD_MAX) {
            word[40] = '\0';
            pr_warn("option '%s...' is too long (%zu characters, at most %d), ignored\n",
                    word, len, WORD_MAX);
            reported++;
            continue;
        }
        word[len] = '\0';
        reported += (unsigned int)apply_word(word, tbl, n);
    }
    return reported;
}

unsigned int cmdline_parse(const char *cmdline)
{
    size_t n = 0;

    if (__start_keel_params && __stop_keel_params)
        n = (size_t)(__stop_keel_params - __start_keel_params);
    return cmdline_parse_table(cmdline, __start_keel_params, n);
}
