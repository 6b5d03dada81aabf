/*
 * Console output: whole lines under one lock, so that lines from several
 * CPUs never interleave within a line.  In panic mode, a lock that stays
 * held (its owner was stopped by NMI) is broken after a bounded wait.
 */
#include <keel/console.h>
#include <keel/spinlock.h>

static const struct console_device *console_dev;
static DEFINE_SPINLOCK(console_lock);
static bool panic_mode;

void console_set_device(const struct console_device *dev)
{
    console_dev = dev;
}

int console_getc(void)
{
    const struct console_device *dev = console_dev;
    return dev && dev->getc ? dev->getc() : -1;
}

void console_enter_panic_mode(void)
{
    panic_mode = true;
}

static void console_lock_take(void)
{
    unsigned long spins = 0;

    if (!panic_mode) {
        spin_lock(&console_lock);
        return;
    }
    while (!spin_trylock(&console_lock)) {
        if (++spins > 10000000UL) {
            spin_lock_init(&console_lock);
            spins = 0;
        }
        cpu_relax();
    }
}

static void emit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            console_dev->putc('\r');
        console_dev->putc(s[i]);
    }
}

void console_write_lines(const char *prefix, const char *text, size_t len)
{
    unsigned long flags;
    size_t plen = 0;

    if (!console_dev)
        return;
    while (prefix && prefix[plen])
        plen++;

    local_irq_save(flags);
    console_lock_take();
    while (len) {
        size_t n = 0;
        while (n < len && text[n] != '\n')
            n++;
        emit(prefix, plen);
        emit(text, n);
        emit("\n", 1);
        if (n < len)
            n++;            /* the newline itself */
        text += n;
        len -= n;
    }
    spin_unlock(&console_lock);
    local_irq_restore(flags);
}
