/*
 * Console logging.  Every line goes out whole under the console lock, so
 * lines from several CPUs never mix within a line.  Hypervisor lines carry
 * the "(keel) " prefix.
 */
#ifndef KEEL_PRINTK_H
#define KEEL_PRINTK_H

#include <keel/compiler.h>
#include <keel/types.h>

enum log_level {
    LOG_ERR = 0,
    LOG_WARN = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3,
};

/* Lines above this level are dropped (loglvl= sets it; default LOG_INFO). */
extern int console_loglevel;

void printk_level(enum log_level lvl, const char *fmt, ...) __printf(2, 3);
void vprintk_level(enum log_level lvl, const char *fmt, va_list ap);

#define printk(...)   printk_level(LOG_INFO, __VA_ARGS__)
#define pr_err(...)   printk_level(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  printk_level(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  printk_level(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk_level(LOG_DEBUG, __VA_ARGS__)

/* Parse a loglvl= value: a name (err, warn, info, debug, all) or 0..3. */
int loglevel_parse(const char *s, int *lvl);

#endif
