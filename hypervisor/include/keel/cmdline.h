/*
 * Hypervisor command-line options: "key=value" words (a bare "key" sets a
 * boolean).  Each option is declared next to the code that uses it with one
 * of the *_param() macros below; they land in the "keel_params" section, so
 * the parser needs no central list.  Unknown keys and bad values are
 * reported and skipped, never fatal.  docs/boot-options.md lists them all.
 */
#ifndef KEEL_CMDLINE_H
#define KEEL_CMDLINE_H

#include <keel/compiler.h>
#include <keel/types.h>

enum param_type {
    PARAM_BOOL,         /* key, key=1/0, yes/no, on/off, true/false */
    PARAM_UINT,         /* unsigned, checked against [min, max], K/M/G allowed */
    PARAM_STRING,       /* copied into a char array of var_size bytes */
    PARAM_CUSTOM,       /* handed to parse(), which returns 0 or -errno */
};

struct kernel_param {
    const char *name;
    enum param_type type;
    void *var;          /* bool, uint-of-var_size, char[var_size]; unused for CUSTOM */
    size_t var_size;
    uint64_t min, max;  /* PARAM_UINT bounds */
    int (*parse)(const char *val);  /* PARAM_CUSTOM; val is NUL-terminated */
};

#define __param(n, ...) \
    static const struct kernel_param __param_##n##_ __used \
        __section("keel_params") __aligned(8) = { #n, __VA_ARGS__ }

#define boolean_param(n, v)   __param(n, PARAM_BOOL, &(v), sizeof(v), 0, 0, NULL)
#define integer_param(n, v, lo, hi) __param(n, PARAM_UINT, &(v), sizeof(v), lo, hi, NULL)
#define string_param(n, v)    __param(n, PARAM_STRING, (v), sizeof(v), 0, 0, NULL)
#define custom_param(n, fn)   __param(n, PARAM_CUSTOM, NULL, 0, 0, 0, fn)

/*
 * Parse cmdline against the given options.  Returns the number of words
 * that were reported (unknown key, bad value, too long); the options they
 * named keep their previous values.
 */
unsigned int cmdline_parse_table(const char *cmdline,
                                 const struct kernel_param *tbl, size_t n);

/* Parse against every option declared with the *_param() macros. */
unsigned int cmdline_parse(const char *cmdline);

#endif
