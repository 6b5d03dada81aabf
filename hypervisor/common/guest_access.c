/*
 * Guest memory access (see keel/guest_access.h): page by page, each page
 * translated (guest-virtual -> guest-physical by the arch's page walk,
 * guest-physical -> host frame by the P2M) and checked before any byte
 * moves; the host side is reached through the direct map.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/spinlock.h>
#include <asm/page.h>

/*
 * The host frame at guest frame gfn of d, with a reference (page_put_ref()
 * when done), or INVALID_MFN if it is not RAM.  Taken under the domain's
 * mem_lock, as ballooning frees a frame only if it has no reference then:
 * another vCPU of d giving the frame back in the middle of a copy leaves
 * it the domain's until the domain goes, instead of freeing it to a new
 * owner whose page the copy would then touch.
 */
static mfn_t get_frame(struct domain *d, uint64_t gfn)
{
    spin_lock(&d->mem_lock);
    mfn_t mfn = p2m_access_frame(d, gfn);
    if (mfn != INVALID_MFN)
        page_get_ref(mfn);
    spin_unlock(&d->mem_lock);
    return mfn;
}

enum dir { TO_GUEST, FROM_GUEST, CLEAR_GUEST };

static int copy_gpa(struct domain *d, uint64_t gpa, void *buf, size_t len, enum dir dir)
{
    uint8_t *p = buf;

    if (len && gpa + len - 1 < gpa)
        return -EFAULT;             /* its last byte would wrap to 0 */
    while (len) {
        size_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
        mfn_t mfn = get_frame(d, gpa >> PAGE_SHIFT);
        if (mfn == INVALID_MFN)
            return -EFAULT;
        uint8_t *host = (uint8_t *)mfn_to_virt(mfn) + (gpa & (PAGE_SIZE - 1));
        if (dir == TO_GUEST)
            memcpy(host, p, chunk);
        else if (dir == FROM_GUEST)
            memcpy(p, host, chunk);
        else
            memset(host, 0, chunk);
        page_put_ref(mfn);
        gpa += chunk, len -= chunk;
        if (p)
            p += chunk;
    }
    return 0;
}

int copy_to_gpa(struct domain *d, uint64_t gpa, const void *src, size_t len)
{
    return copy_gpa(d, gpa, (void *)src, len, TO_GUEST);
}

int copy_from_gpa(struct domain *d, void *dst, uint64_t gpa, size_t len)
{
    return copy_gpa(d, gpa, dst, len, FROM_GUEST);
}

int clear_gpa(struct domain *d, uint64_t gpa, size_t len)
{
    return copy_gpa(d, gpa, NULL, len, CLEAR_GUEST);
}

static int copy_gva(uint64_t gva, void *buf, size_t len, bool write)
{
    struct vcpu *v = current;
    uint8_t *p = buf;

    /* No wrap to address 0; a range ending at the very top is fine. */
    if (!v || (len && gva + len - 1 < gva))
        return -EFAULT;
    while (len) {
        size_t chunk = MIN(len, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
        uint64_t gpa;
        if (guest_virt_to_phys(v, gva, write, &gpa) < 0)
            return -EFAULT;
        int rc = copy_gpa(v->domain, gpa, p, chunk, write ? TO_GUEST : FROM_GUEST);
        if (rc < 0)
            return rc;
        gva += chunk, p += chunk, len -= chunk;
    }
    return 0;
}

int copy_from_guest(void *dst, uint64_t gva, size_t len)
{
    return copy_gva(gva, dst, len, false);
}

int copy_to_guest(uint64_t gva, const void *src, size_t len)
{
    return copy_gva(gva, (void *)src, len, true);
}
