/*
 * A domain's console output on the hypervisor console, one "(NAME) text"
 * line at a time.  Bytes are gathered in d->console_line until a newline,
 * so lines from different domains and CPUs never mix mid-line.
 *
 * The operator's terminal must not be steerable by a guest: only
 * printable ASCII and tab pass; '\r' is dropped (a guest's "\r\n" is one
 * line end) and every other byte, escape sequences and UTF-8 included,
 * becomes '?'.  A line longer than the buffer comes out in pieces, each
 * its own prefixed line.
 */
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/lib.h>
#include <keel/spinlock.h>

/*
 * One lock for every domain's line buffer: independent of d->lock, so
 * that domain_console_flush() may be called with the domain lock held,
 * and cheap because console output is serialised by the console lock
 * anyway.  Order: this lock, then the console's.
 */
static DEFINE_SPINLOCK(domain_console_lock);

/* "(NAME) " with NAME at most DOMAIN_NAME_MAX - 1 characters. */
static void make_prefix(const struct domain *d, char *out, size_t size)
{
    size_t n = strnlen(d->name, DOMAIN_NAME_MAX - 1);

    if (n + 4 > size)
        n = size - 4;
    out[0] = '(';
    memcpy(out + 1, d->name, n);
    out[n + 1] = ')';
    out[n + 2] = ' ';
    out[n + 3] = '\0';
}

/* Print the buffered line (possibly empty) and empty the buffer. */
static void emit_line(struct domain *d)
{
    char prefix[DOMAIN_NAME_MAX + 4];

    make_prefix(d, prefix, sizeof(prefix));
    if (d->console_len)
        console_write_lines(prefix, d->console_line, d->console_len);
    else
        console_write_lines(prefix, "\n", 1);   /* an empty line is a line */
    d->console_len = 0;
}

void domain_console_write(struct domain *d, const char *buf, size_t len)
{
    unsigned long flags;

    spin_lock_irqsave(&domain_console_lock, flags);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];

        if (c == '\r')
            continue;
        if (c == '\n') {
            emit_line(d);
            continue;
        }
        if (c != '\t' && (c < 0x20 || c > 0x7e))
            c = '?';
        if (d->console_len >= DOMAIN_CONSOLE_LINE)
            emit_line(d);
        d->console_line[d->console_len++] = (char)c;
    }
    spin_unlock_irqrestore(&domain_console_lock, flags);
}

void domain_console_flush(struct domain *d)
{
    unsigned long flags;

    spin_lock_irqsave(&domain_console_lock, flags);
    if (d->console_len)
        emit_line(d);
    spin_unlock_irqrestore(&domain_console_lock, flags);
}
