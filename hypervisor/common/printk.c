/*
 * printk: format a message and hand it to the console as whole lines with
 * the "(keel) " prefix.  A message without a final newline still ends its
 * line: callers print whole lines, so lines never mix between CPUs.
 */
#include <keel/cmdline.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/printk.h>

int console_loglevel = LOG_INFO;

static const char *const level_names[] = { "err", "warn", "info", "debug" };

int loglevel_parse(const char *s, int *lvl)
{
    for (int i = 0; i < (int)ARRAY_SIZE(level_names); i++) {
        if (!strcmp(s, level_names[i])) {
            *lvl = i;
            return 0;
        }
    }
    if (!strcmp(s, "all")) {
        *lvl = LOG_DEBUG;
        return 0;
    }
    if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0') {
        *lvl = s[0] - '0';
        return 0;
    }
    return -EINVAL;
}

static int parse_loglvl(const char *val)
{
    return loglevel_parse(val, &console_loglevel);
}
custom_param(loglvl, parse_loglvl);

void vprintk_level(enum log_level lvl, const char *fmt, va_list ap)
{
    char buf[512];
    int n;

    if ((int)lvl > console_loglevel)
        return;
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    /* A trailing newline is implied; don't print an empty extra line. */
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    console_write_lines("(keel) ", buf, n);
}

void printk_level(enum log_level lvl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk_level(lvl, fmt, ap);
    va_end(ap);
}
