/*
 * console_io (hypercall 18): console_io(cmd, count, buffer).
 *
 * Xen 4.17 (xen/drivers/char/console.c do_console_io, XSM default policy
 * xsm_console_io) lets only the control domain use it; a release build
 * answers every other domain -EPERM.  Keel deliberately accepts
 * CONSOLEIO_write from every domain, because it is what earlyprintk=xen
 * and xen_raw_printk use and it makes early boot debuggable; the output is
 * the domain's own, prefixed and sanitised by domain_console_write().
 * Everything else keeps Xen's rule: the permission check comes first, so
 * an unprivileged domain gets -EPERM for CONSOLEIO_read and for unknown
 * commands, the control domain -ENOSYS for unknown commands.
 * CONSOLEIO_read takes what was typed for the control domain
 * (common/console_rx.c): the bytes read, or -EFAULT when the buffer is
 * bad (the bytes before the fault are consumed, as in Xen).
 */
#include <keel/compiler.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/types.h>
#include <public/xen.h>

/* Bytes copied from the guest at a time (bounded stack use, like Xen's). */
#define CONSOLE_IO_CHUNK     128
/*
 * Bytes written per hypercall entry; the rest is continued, so one guest
 * writing a huge buffer cannot hold its physical CPU for long.  Xen
 * continues when a preemption check asks it to; a fixed budget is
 * simpler and gives the same guest-visible result.
 */
#define CONSOLE_IO_PER_CALL  1024

#define INT_MAX_U  0x7fffffffU

/*
 * Returns 0 once every byte is written, HYPERCALL_RESTART with args->a[1]
 * (count) and args->a[2] (buffer) describing what is left, or -EFAULT
 * when the buffer cannot be read.  As in Xen, a fault discards the chunk
 * that faulted; the chunks before it have already been written.
 */
static long console_write(struct hypercall_args *args, uint32_t count, uint64_t buf)
{
    char kbuf[CONSOLE_IO_CHUNK];
    unsigned int done = 0;

    while (count) {
        size_t n = MIN((size_t)count, sizeof(kbuf));

        if (done >= CONSOLE_IO_PER_CALL) {
            args->a[1] = count;
            args->a[2] = buf;
            return HYPERCALL_RESTART;
        }
        if (args->compat) {
            /* A 32-bit caller's buffer ends at 4 GiB: never read past it. */
            uint64_t room = 0x100000000ULL - buf;
            if (room < n)
                n = room;
        }
        if (copy_from_guest(kbuf, buf, n))
            return -EFAULT;
        hypercall_console_write(kbuf, n);
        buf += n;
        if (args->compat)
            buf &= 0xffffffffULL;       /* wraps, as 32-bit addresses do */
        count -= n;
        done += n;
    }
    return 0;
}

/* console_rx_read's copy: the next piece at offset done of the guest buffer. */
static int copy_input(void *ctx, size_t done, const char *piece, size_t len)
{
    const uint64_t *buf = ctx;
    return copy_to_guest(*buf + done, piece, len);
}

long do_console_io(struct hypercall_args *args)
{
    /* Xen's prototype: (unsigned int cmd, unsigned int count, char *buf). */
    uint32_t cmd = (uint32_t)args->a[0];
    uint32_t count = (uint32_t)args->a[1];
    uint64_t buf = args->compat ? (uint32_t)args->a[2] : args->a[2];

    if (cmd != CONSOLEIO_write && !hypercall_caller_privileged())
        return -EPERM;

    switch (cmd) {
    case CONSOLEIO_write:
        return console_write(args, count, buf);

    case CONSOLEIO_read: {
        /* The result is a byte count, so counts that would not fit in it
         * are refused as Xen does. */
        if (count > INT_MAX_U)
            return -E2BIG;
        long n = console_rx_read(count, copy_input, &buf);
        return n < 0 ? -EFAULT : n;
    }

    default:
        return -ENOSYS;
    }
}
