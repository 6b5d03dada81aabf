/*
 * The hypervisor console: where printk output and (later) guest console
 * output go.  One lock serialises whole lines.  The arch registers the
 * device (a 16550 UART on x86) with console_set_device().
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/types.h>

struct console_device {
    const char *name;
    void (*putc)(char c);
    int (*getc)(void);      /* a received byte, or -1 (NULL: output only) */
};

void console_set_device(const struct console_device *dev);

/* Write whole lines, each prefixed with prefix (e.g. "(keel) "), atomically. */
void console_write_lines(const char *prefix, const char *text, size_t len);

/* A byte typed on the console, or -1. */
int console_getc(void);

/* Panic mode: take the console even if another CPU holds its lock. */
void console_enter_panic_mode(void);

#endif
