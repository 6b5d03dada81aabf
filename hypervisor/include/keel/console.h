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

/*
 * The control domain's console input (common/console_rx.c), read with
 * CONSOLEIO_read as in Xen: CONSOLE_RX_SIZE bytes at most wait.
 * console_rx_put: false (the byte is dropped) when the ring is full.
 * console_rx_read: up to count bytes, oldest first, handed to copy(ctx,
 * done, buf, len) piece by piece; a piece is consumed only when copy returns 0.
 * Returns the bytes consumed, or -1 when copy failed (bytes consumed
 * before stay consumed).
 */
#define CONSOLE_RX_SIZE 128
bool console_rx_put(char c);
long console_rx_read(uint32_t count,
                     int (*copy)(void *ctx, size_t done, const char *buf, size_t len),
                     void *ctx);
void console_rx_reset(void);        /* forget what waits (tests) */

/* Panic mode: take the console even if another CPU holds its lock. */
void console_enter_panic_mode(void);

#endif
