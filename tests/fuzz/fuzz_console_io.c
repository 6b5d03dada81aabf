/*
 * console_io (hypercall 18): writes of every length from buffers that
 * end at holes, at the top of the 32-bit and 64-bit spaces, or nowhere
 * (long ones continue across entries), bytes of every value; reads of
 * what was typed for the control domain (common steps type it) into good
 * and bad buffers; commands that do not exist.  Beyond the world's
 * checks: nothing but sanitised text reaches the hypervisor console
 * (fake_sched.c), a read returns at most what was asked and what waits.
 */
#include <string.h>

#include <keel/console.h>
#include <keel/errno.h>
#include <public/xen.h>
#include "fuzz.h"

static const int errs[] = { EPERM, EFAULT, ENOSYS, E2BIG, 0 };

void fuzz_target_step(struct fuzz_input *in)
{
    uint8_t who = fz_u8(in), sel = fz_u8(in), csel = fz_u8(in);
    bool compat = who & 0x80;
    unsigned int cmd = sel < 0xf0 ? sel % 3 : fz_u32(in);
    uint64_t buf = fz_gva(in, FZ_VA_LIST, compat);
    unsigned long count;
    uint8_t text[64];
    size_t n;
    long rc;

    if (csel < 0xc0)
        count = csel % 80;
    else if (csel < 0xf0)
        count = 1000 + fz_u16(in);      /* several chunks, a restart */
    else
        count = fz_u64(in);             /* the upper half must not count */
    n = fz_bytes(in, text, fz_below(in, sizeof(text) + 1));
    if (!fz_set_current(who, who >> 2))
        return;
    fz_guest_write(buf, text, n);
    rc = fz_hypercall(__HYPERVISOR_console_io, (unsigned long[5]){ cmd, count, buf }, compat);
    fz_check_rc("console_io", rc, errs);
    if (rc > 0 && (cmd != CONSOLEIO_read || rc > CONSOLE_RX_SIZE || (uint32_t)rc > (uint32_t)count))
        fz_fail("console_io %u count %lu: %ld", cmd, count, rc);
}
