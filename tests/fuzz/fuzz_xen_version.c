/*
 * xen_version (hypercall 17): every sub-op and some that do not exist,
 * from each domain, 32- and 64-bit, with arguments at the edges of the
 * guest's memory.  The version is what CPUID says; a string field that
 * was written ends in a NUL.
 */
#include <string.h>

#include <keel/errno.h>
#include <public/version.h>
#include "fuzz.h"

static const int errs[] = { EFAULT, EINVAL, EPERM, ENODATA, ENOSYS, 0 };

void fuzz_target_step(struct fuzz_input *in)
{
    uint8_t who = fz_u8(in), sel = fz_u8(in);
    int cmd = sel < 0xf0 ? sel % 18 : (int)fz_u32(in);
    uint64_t arg = fz_gva(in, FZ_VA_ARG, who & 0x80);
    uint8_t pre[16];
    long rc;

    fz_bytes(in, pre, sizeof(pre));         /* submap_idx, build_id's len, ... */
    if (!fz_set_current(who, who >> 2))
        return;
    fz_guest_write(arg, pre, sizeof(pre));
    rc = fz_hypercall(__HYPERVISOR_xen_version, (unsigned long[5]){ (unsigned int)cmd, arg },
                      who & 0x80);
    fz_check_rc("xen_version", rc, errs);
    if (cmd == XENVER_version && rc != ((KEEL_XEN_MAJOR << 16) | KEEL_XEN_MINOR))
        fz_fail("XENVER_version: %#lx", rc);
    if (cmd == XENVER_pagesize && rc != 4096 && rc != -EINVAL)
        fz_fail("XENVER_pagesize: %ld", rc);
    if (rc > 0 && cmd != XENVER_version && cmd != XENVER_pagesize)
        fz_fail("xen_version %d: %ld", cmd, rc);
    if (rc == 0 && cmd == XENVER_extraversion) {
        xen_extraversion_t s;
        if (fz_guest_read(arg, s, sizeof(s)) && !memchr(s, 0, sizeof(s)))
            fz_fail("XENVER_extraversion: no NUL");
    }
}
