/*
 * Console input for the control domain (keel/console.h): what is typed
 * while a privileged domain has the focus waits here until that domain
 * reads it with CONSOLEIO_read, and each byte raises VIRQ_CONSOLE.  This
 * is Xen's serial_rx ring (128 bytes; a byte typed into a full ring is
 * dropped), which a PVH dom0 Linux reads for hvc0 instead of a console
 * ring page.  One producer (the console poll) and readers on any CPU: one
 * lock.
 */
#include <keel/compiler.h>
#include <keel/console.h>
#include <keel/spinlock.h>

static char ring[CONSOLE_RX_SIZE];
static uint32_t prod, cons;         /* free-running; prod - cons <= size */
static DEFINE_SPINLOCK(rx_lock);

bool console_rx_put(char c)
{
    unsigned long flags;
    bool ok;

    spin_lock_irqsave(&rx_lock, flags);
    ok = prod - cons < CONSOLE_RX_SIZE;
    if (ok)
        ring[prod++ % CONSOLE_RX_SIZE] = c;
    spin_unlock_irqrestore(&rx_lock, flags);
    return ok;
}

long console_rx_read(uint32_t count,
                     int (*copy)(void *ctx, size_t done, const char *buf, size_t len),
                     void *ctx)
{
    unsigned long flags;
    long done = 0;

    spin_lock_irqsave(&rx_lock, flags);
    while (prod != cons && (uint32_t)done < count) {
        size_t idx = cons % CONSOLE_RX_SIZE;
        size_t len = MIN((size_t)(prod - cons), CONSOLE_RX_SIZE - idx);
        len = MIN(len, (size_t)(count - (uint32_t)done));
        if (copy(ctx, (size_t)done, &ring[idx], len) < 0) {
            done = -1;
            break;
        }
        cons += len;
        done += len;
    }
    spin_unlock_irqrestore(&rx_lock, flags);
    return done;
}

void console_rx_reset(void)
{
    unsigned long flags;

    spin_lock_irqsave(&rx_lock, flags);
    prod = cons = 0;
    spin_unlock_irqrestore(&rx_lock, flags);
}
