/*
 * What the fuzz targets share (tests/fuzz/README.md): the input decoder,
 * the fake world of domains the hypercall handlers run against, and the
 * invariants checked after every call.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/domain.h>
#include <keel/hypercall.h>

/* ---- the input: fields taken from the fuzzer's bytes (input.c) ---- */

struct fuzz_input {
    const uint8_t *p;
    size_t left;
};

/* Each returns 0 (false) once the input is used up. */
uint8_t fz_u8(struct fuzz_input *in);
uint16_t fz_u16(struct fuzz_input *in);
uint32_t fz_u32(struct fuzz_input *in);
uint64_t fz_u64(struct fuzz_input *in);
bool fz_bool(struct fuzz_input *in);
/* A value below n (n > 0), from one byte when n <= 256. */
unsigned int fz_below(struct fuzz_input *in, unsigned int n);
/* Up to len bytes into buf (the rest zero); returns how many came from the input. */
size_t fz_bytes(struct fuzz_input *in, void *buf, size_t len);

/* ---- the fake world (fake_world.c) --------------------------------------------- */

/*
 * Three domains: d0 the control domain (2 vCPUs), d1 (2 vCPUs) and d2
 * (33 vCPUs, so that some have no vcpu_info slot in shared_info; 70
 * event-channel ports).  Each has RAM at GFN 0 .. FZ_RAM_PAGES-1 (one
 * 2 MiB leaf, then 4 KiB pages), zeroed at first use; its console ring
 * page and port as console_ring_create() makes them; a grant table.
 */
#define FZ_NR_DOMS      3
#define FZ_RAM_PAGES    576
#define FZ_MAX_PAGES    640
#define FZ_P2M_GFNS     2048        /* GFNs held in arrays; a few more beyond */
#define FZ_D2_PORTS     70

/* Guest-virtual layout of every vCPU (fake_world.c's guest_virt_to_phys). */
#define FZ_VA_ARG       0x1000ULL   /* where arguments usually go (GFN 1-3) */
#define FZ_VA_LIST      0x2000ULL
#define FZ_VA_HOLE      0x4000ULL   /* a page the guest's page tables do not map */
#define FZ_VA_RO        0x5000ULL   /* mapped read-only */
#define FZ_VA_TOP32     0xfffff000ULL           /* last page below 4 GiB: GFN 6 */
#define FZ_VA_TOP64     0xfffffffffffff000ULL   /* last page of all: GFN 7 */
#define FZ_VA_P2M_HOLE  ((uint64_t)FZ_P2M_GFNS << 12)   /* mapped, but no RAM behind */

extern struct domain *fz_dom[FZ_NR_DOMS];   /* NULL once destroyed */

void fz_world_begin(void);
/* Destroy what is left and check that everything came back. */
void fz_world_end(void);
/* Destroy d as domain_free() does (it must be marked dying first). */
void fz_domain_destroy(unsigned int i);

/*
 * Make vCPU `sel` of domain `dsel` (taken modulo what exists) the caller:
 * false when that domain cannot make hypercalls (destroyed, shut down).
 */
bool fz_set_current(unsigned int dsel, unsigned int sel);
/* One hypercall as the arch makes it: re-entered while it asks to be. */
long fz_hypercall(unsigned long nr, const unsigned long a[5], bool compat);

/* A guest-virtual address for an argument: mostly near usual, sometimes
 * at an edge; truncated to 32 bits for a compat caller. */
uint64_t fz_gva(struct fuzz_input *in, uint64_t usual, bool compat);
/* Write / read the current vCPU's memory as the guest would (false: not mapped). */
bool fz_guest_write(uint64_t gva, const void *buf, size_t len);
bool fz_guest_read(uint64_t gva, void *buf, size_t len);
/* A domain ID as guests name them: DOMID_SELF, 0-2, unknown, reserved, any. */
domid_t fz_domid(struct fuzz_input *in);
/* A GFN: in RAM, 2 MiB aligned, the console page, beyond RAM, huge, any. */
uint64_t fz_gfn(struct fuzz_input *in);

/*
 * Steps every target offers besides its own: write guest memory, let time
 * pass (timers fire), pause or unpause, shut down or destroy a domain,
 * fail allocations, take free memory away.  Returns false when the input
 * is used up.
 */
void fz_common_step(struct fuzz_input *in);

/* XENMEM_add_to_physmap by the current vCPU, with Xen's rules for the
 * outcome checked (common_steps.c). */
long fz_add_to_physmap(uint64_t arg, bool compat, domid_t domid, uint32_t space, uint64_t idx,
                       uint64_t gpfn);

/* ---- invariants (invariants.c) ------------------------------------------------- */

/* Everything that must hold between two hypercalls; aborts with a message if not. */
void fz_check_world(void);
/* rc must be >= 0 or one of the negative errnos in allowed (0-terminated). */
void fz_check_rc(const char *what, long rc, const int *allowed);
void __attribute__((noreturn, format(printf, 1, 2))) fz_fail(const char *fmt, ...);

/* Counters of the fake world, for the checks. */
extern unsigned int fz_notifications;       /* evtchn_notify_vcpu calls */
extern uint64_t fz_hog_pages;               /* pages the world took away */

/* ---- a hypercall target (hypercall_main.c drives it) --------------------------- */

/* Decode and run one call of the target's family (and check its result). */
void fuzz_target_step(struct fuzz_input *in);

#endif
