/*
 * A guest's view of memory for the fuzz targets: the page walk every vCPU
 * has (guest_virt_to_phys), the guest's own reads and writes, and the
 * addresses, domain IDs and GFNs a hostile or confused guest would pass.
 *
 * Guest-virtual layout (fuzz.h): identity below FZ_VA_P2M_HOLE except an
 * unmapped page (FZ_VA_HOLE) and a read-only one (FZ_VA_RO); above that
 * the page tables still map, but the P2M has nothing; the last page below
 * 4 GiB and the last page of the 64-bit space alias GFNs 6 and 7, so
 * arguments can end exactly at a boundary or run over it.  Everything
 * else is not mapped.  The real guest_access.c walks this page by page
 * and then the domain's (fake) P2M.
 */
#include <string.h>

#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/p2m.h>
#include <asm/page.h>
#include <public/xen.h>
#include "fuzz.h"

#define VA_IDENTITY_END (FZ_VA_P2M_HOLE + 0x10000)

int guest_virt_to_phys(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa)
{
    uint64_t page = gva & PAGE_MASK, off = gva & ~PAGE_MASK;

    (void)v;
    if (page == FZ_VA_HOLE || (write && page == FZ_VA_RO))
        return -EFAULT;
    if (gva < VA_IDENTITY_END)
        *gpa = gva;
    else if (page == FZ_VA_TOP32)
        *gpa = (6ULL << PAGE_SHIFT) + off;
    else if (page == FZ_VA_TOP64)
        *gpa = (7ULL << PAGE_SHIFT) + off;
    else
        return -EFAULT;
    return 0;
}

/* The guest's own accesses: through its page tables, then the P2M. */
static bool guest_access(uint64_t gva, void *buf, size_t len, bool write)
{
    struct vcpu *v = current;
    uint8_t *p = buf;

    while (len) {
        size_t chunk = PAGE_SIZE - (gva & ~PAGE_MASK);
        uint64_t gpa;
        int rc;

        if (chunk > len)
            chunk = len;
        /* The guest writes read-only pages through another mapping. */
        if (guest_virt_to_phys(v, gva, false, &gpa) < 0)
            return false;
        rc = write ? copy_to_gpa(v->domain, gpa, p, chunk)
                   : copy_from_gpa(v->domain, p, gpa, chunk);
        if (rc < 0)
            return false;
        gva += chunk, p += chunk, len -= chunk;
    }
    return true;
}

bool fz_guest_write(uint64_t gva, const void *buf, size_t len)
{
    return guest_access(gva, (void *)buf, len, true);
}

bool fz_guest_read(uint64_t gva, void *buf, size_t len)
{
    return guest_access(gva, buf, len, false);
}

static uint64_t pick_gva(struct fuzz_input *in, uint64_t usual);

/* A 32-bit caller's pointers are 32 bits: the handler sees only those. */
uint64_t fz_gva(struct fuzz_input *in, uint64_t usual, bool compat)
{
    uint64_t gva = pick_gva(in, usual);

    return compat ? (uint32_t)gva : gva;
}

static uint64_t pick_gva(struct fuzz_input *in, uint64_t usual)
{
    uint8_t sel = fz_u8(in);

    if (sel < 0xc0)
        return usual + (sel & 0x38);        /* aligned, a little way in */
    switch (sel & 15) {
    case 0: return 0;                       /* NULL */
    case 1: return usual + PAGE_SIZE - 8 + (sel >> 4 & 3);  /* runs into the next page */
    case 2: return FZ_VA_HOLE + (sel >> 4 & 3) * 8;
    case 3: return FZ_VA_RO;
    case 4: return FZ_VA_HOLE - 8;          /* runs into the hole */
    case 5: return FZ_VA_TOP32 + PAGE_SIZE - 16 + (sel >> 4 & 3) * 8;
    case 6: return FZ_VA_TOP64 + PAGE_SIZE - 16 + (sel >> 4 & 3) * 8;
    case 7: return FZ_VA_TOP32;
    case 8: return FZ_VA_TOP64;
    case 9: return FZ_VA_P2M_HOLE;
    case 10: return (FZ_RAM_PAGES << PAGE_SHIFT) - 8;   /* runs off the end of RAM */
    case 11: return usual + PAGE_SIZE / 2 + (sel >> 4);  /* unaligned */
    case 12: return 0x0000800000000000ULL;              /* non-canonical */
    default: return fz_u64(in);
    }
}

domid_t fz_domid(struct fuzz_input *in)
{
    uint8_t sel = fz_u8(in);

    switch (sel % 8) {
    case 0: return DOMID_SELF;
    case 1: case 2: case 3: return sel % 8 - 1;
    case 4: return FZ_NR_DOMS;              /* no such domain */
    case 5: return DOMID_FIRST_RESERVED;
    case 6: return DOMID_IDLE;
    default: return fz_u16(in);
    }
}

uint64_t fz_gfn(struct fuzz_input *in)
{
    uint8_t sel = fz_u8(in);

    switch (sel % 10) {
    case 0: case 1: case 2: return (sel >> 2) % FZ_RAM_PAGES;   /* mostly low RAM */
    case 3: return fz_u16(in) % FZ_RAM_PAGES;
    case 4: return (sel >> 4 & 1) * 512;                /* 2 MiB aligned */
    case 5: return 0xfefff;                             /* the console ring */
    case 6: return FZ_RAM_PAGES + (sel >> 4);           /* just beyond RAM */
    case 7: return 0x100 + (sel >> 4);                  /* where grant frames go */
    case 8: return (1ULL << 36) - (sel >> 4 & 3);       /* at the P2M's end */
    default: return fz_u64(in);
    }
}
