/*
 * The only way hypervisor code touches guest memory.  Guest-virtual
 * addresses are translated through the calling vCPU's own page tables (in
 * whatever paging mode it is in) and then its domain's P2M; guest-physical
 * ones through the P2M only.  Every byte is checked: a range that is not
 * entirely the guest's RAM fails with -EFAULT and copies nothing more.
 * Host unit tests provide these over a fake guest memory with holes.
 */
#ifndef KEEL_GUEST_ACCESS_H
#define KEEL_GUEST_ACCESS_H

#include <keel/types.h>

struct domain;
struct vcpu;

/* Through the current vCPU's address space (hypercall arguments). */
int copy_from_guest(void *dst, uint64_t gva, size_t len);
int copy_to_guest(uint64_t gva, const void *src, size_t len);

/* Through a domain's P2M (domain builder). */
int copy_to_gpa(struct domain *d, uint64_t gpa, const void *src, size_t len);
int copy_from_gpa(struct domain *d, void *dst, uint64_t gpa, size_t len);
int clear_gpa(struct domain *d, uint64_t gpa, size_t len);

/*
 * Arch: translate a guest-virtual address of v (its current paging mode)
 * to guest-physical.  Returns 0, or -EFAULT (not mapped, not writable when
 * write is set, reserved bits, non-canonical).
 */
int guest_virt_to_phys(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa);

#endif
