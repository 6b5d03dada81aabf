/*
 * Console output: console_io(CONSOLEIO_write) and port 0xe9.  Each printf
 * goes out in one write, so a line reaches the hypervisor whole.
 */
#include "guest.h"

#define DEBUG_PORT 0xe9
#define PRINT_MAX 512

void e9_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        outb(DEBUG_PORT, (uint8_t)s[i]);
}

void con_write(const char *s, size_t len)
{
    if (!xen.present) {
        e9_write(s, len);
        return;
    }
    long rc = HYPERVISOR_console_io(CONSOLEIO_write, len, s);
    if (rc < 0) {
        /* Say so where it can still be seen, and keep the text. */
        char msg[64];
        int n = snprintf(msg, sizeof(msg), "console_io write failed: %ld\n", rc);
        e9_write(msg, n);
        e9_write(s, len);
    }
}

void vprintf(const char *fmt, va_list ap)
{
    char buf[PRINT_MAX];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    if (n >= (int)sizeof(buf)) {
        /* Truncated: still end the line so the next one starts clean. */
        n = sizeof(buf) - 1;
        buf[n - 1] = '\n';
    }
    con_write(buf, n);
}

void printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

void e9_printf(const char *fmt, ...)
{
    char buf[PRINT_MAX];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(buf)) {
        n = sizeof(buf) - 1;
        buf[n - 1] = '\n';
    }
    e9_write(buf, n);
}
