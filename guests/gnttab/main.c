/*
 * gnttab: two domains share pages through grant tables v1 and
 * GNTTABOP_copy.  One binary, two roles (command line):
 *   role=granter peer=P     P: the copier's domain id
 *   role=copier peer=G      G: the granter's domain id
 *
 * The granter sets up its table as Linux does (query_size, set_version(1),
 * XENMEM_add_to_physmap of frames 1 and 0 at free GFNs above its RAM),
 * fills page RO with a pattern and grants it readonly (ref 8, and ref 600
 * in frame 1), grants page RW read-write (ref 9), plus ref 10 to a domain
 * that is not the copier.  The domains meet through the granted pages
 * only; each waits by polling (SCHEDOP_yield between looks, bounded by the
 * TSC):
 *   copier:  copies ref 8 until the grant exists (general_error before),
 *            checks the pattern, runs the error cases, copies its own
 *            pattern into RW and then STEP1 into RW's first word;
 *   granter: sees STEP1, checks RW's bytes and that no in-use flag is
 *            left, revokes ref 8 (as Linux does: cmpxchg flags to 0) and
 *            writes STEP2 into page RO (the copier polls it through ref
 *            600, so refs 8 and 9 stay idle while their flags are checked);
 *   copier:  sees STEP2, finds ref 8 refused, writes STEP3 into RW;
 *   granter: sees STEP3, waits for ref 9's in-use flags to go, finishes.
 */
#include "guest.h"
#include <public/grant_table.h>
#include <public/memory.h>
#include <public/sched.h>

#define WAIT_MS     20000           /* per step: generous, TCG is slow */

#define REF_RO      8               /* first ref not reserved for the toolstack */
#define REF_RW      9
#define REF_OTHER   10              /* granted to a domain that is not the copier */
#define REF_FRAME1  600             /* in frame 1 */
#define REF_NEVER   100             /* never granted */

#define MAGIC       0x6e74676bu     /* "kgtn" */
#define STEP1       0x31504554u
#define STEP2       0x32504554u
#define STEP3       0x33504554u
#define DATA_AT     64              /* RW: marker word at 0, data from here */

/* Pages of our own: granted ones (granter), copy targets (copier). */
static uint8_t pages[4][4096] __attribute__((aligned(4096)));
#define PAGE_RO     pages[0]
#define PAGE_RW     pages[1]
#define PAGE_LOCAL  pages[2]
#define PAGE_SCRATCH pages[3]

static uint64_t gfn_of(const void *p)
{
    return (uintptr_t)p >> 12;          /* identity mapped */
}

static uint8_t pattern(unsigned int i, unsigned int seed)
{
    return (uint8_t)(i * 13 + seed);
}

static bool has_pattern(const uint8_t *p, unsigned int from, unsigned int to, unsigned int seed)
{
    for (unsigned int i = from; i < to; i++)
        if (p[i] != pattern(i, seed))
            return false;
    return true;
}

/* ---- hypercalls ---------------------------------------------------------- */

static long gnttab_op(unsigned int cmd, void *arg, unsigned int count)
{
    return hypercall(__HYPERVISOR_grant_table_op, cmd, (unsigned long)arg, count, 0, 0);
}

static long query_size(domid_t dom, struct gnttab_query_size *q)
{
    *q = (struct gnttab_query_size){ .dom = dom, .status = 0x55 };
    return gnttab_op(GNTTABOP_query_size, q, 1);
}

static long set_version(uint32_t version, uint32_t *now)
{
    struct gnttab_set_version v = { .version = version };
    long rc = gnttab_op(GNTTABOP_set_version, &v, 1);
    *now = v.version;
    return rc;
}

static long get_version(domid_t dom, uint32_t *version)
{
    struct gnttab_get_version g = { .dom = dom, .version = 0xdead };
    long rc = gnttab_op(GNTTABOP_get_version, &g, 1);
    *version = g.version;
    return rc;
}

static long map_grant_frame(uint64_t idx, uint64_t gfn)
{
    struct xen_add_to_physmap x = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = idx, .gpfn = gfn,
    };
    return hypercall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&x, 0, 0, 0);
}

/* One copy: the call must return 0 (Linux BUG()s otherwise); the status. */
static int16_t copy(struct gnttab_copy c)
{
    c.status = 0x55;
    long rc = gnttab_op(GNTTABOP_copy, &c, 1);
    if (rc != 0)
        test_fail("GNTTABOP_copy returned %ld, want 0 (statuses are per op)", rc);
    return c.status;
}

static struct gnttab_copy from_grant(domid_t dom, grant_ref_t ref, uint16_t soff,
                                     const void *dst, uint16_t doff, uint16_t len)
{
    return (struct gnttab_copy){
        .source = { .u.ref = ref, .domid = dom, .offset = soff },
        .dest = { .u.gmfn = gfn_of(dst), .domid = DOMID_SELF, .offset = doff },
        .len = len, .flags = GNTCOPY_source_gref,
    };
}

static struct gnttab_copy to_grant(const void *src, uint16_t soff, domid_t dom,
                                   grant_ref_t ref, uint16_t doff, uint16_t len)
{
    return (struct gnttab_copy){
        .source = { .u.gmfn = gfn_of(src), .domid = DOMID_SELF, .offset = soff },
        .dest = { .u.ref = ref, .domid = dom, .offset = doff },
        .len = len, .flags = GNTCOPY_dest_gref,
    };
}

static noreturn void timed_out(const char *what)
{
    test_fail("timed out waiting for %s", what);
}

/* ---- granter ------------------------------------------------------------- */

static struct grant_entry_v1 *frames[2];    /* where our table frames are mapped */

static struct grant_entry_v1 *entry(grant_ref_t ref)
{
    return &frames[ref / GNTTAB_V1_PER_FRAME][ref % GNTTAB_V1_PER_FRAME];
}

/* As a frontend grants: domid and frame, then (released) flags. */
static void grant(grant_ref_t ref, domid_t to, const void *page, uint16_t flags)
{
    struct grant_entry_v1 *e = entry(ref);

    e->domid = to;
    e->frame = (uint32_t)gfn_of(page);
    __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
}

static uint16_t flags_of(grant_ref_t ref)
{
    return __atomic_load_n(&entry(ref)->flags, __ATOMIC_ACQUIRE);
}

/* The copier's marker: the first word of the rw page. */
static uint32_t marker(void)
{
    return __atomic_load_n((uint32_t *)PAGE_RW, __ATOMIC_ACQUIRE);
}

/* The in-use flags go once the copy that set them ends, which may be just
 * after its bytes became visible: wait for that, boundedly. */
static bool wait_idle(grant_ref_t ref)
{
    uint64_t deadline = rdtsc() + WAIT_MS * tsc_khz_or_guess();

    while (flags_of(ref) & (GTF_reading | GTF_writing)) {
        if (rdtsc() > deadline)
            return false;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return true;
}

static void wait_marker(uint32_t want, const char *what)
{
    uint64_t deadline = rdtsc() + WAIT_MS * tsc_khz_or_guess();

    while (marker() != want) {
        if (rdtsc() > deadline)
            timed_out(what);
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

static uint64_t listed[4];

static void setup_table_checks(uint64_t gfn0, uint64_t gfn1, domid_t peer)
{
    struct gnttab_setup_table s = {
        .dom = DOMID_SELF, .nr_frames = 2, .status = 0x55,
        .frame_list = (uint64_t)(uintptr_t)listed,
    };

    listed[2] = 0x1234;
    check_ret(gnttab_op(GNTTABOP_setup_table, &s, 1), 0, "setup_table(2 frames)");
    check(s.status == GNTST_okay && listed[0] == gfn0 && listed[1] == gfn1 && listed[2] == 0x1234,
          "setup_table lists the GFNs the frames are mapped at (status %d, %#lx %#lx)",
          s.status, (unsigned long)listed[0], (unsigned long)listed[1]);
    s = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 65,
                                     .frame_list = (uint64_t)(uintptr_t)listed };
    check_ret(gnttab_op(GNTTABOP_setup_table, &s, 1), 0, "setup_table(65 frames)");
    check(s.status == GNTST_general_error, "setup_table(65 frames): general_error (got %d)", s.status);
    s = (struct gnttab_setup_table){ .dom = peer, .nr_frames = 1,
                                     .frame_list = (uint64_t)(uintptr_t)listed };
    check_ret(gnttab_op(GNTTABOP_setup_table, &s, 1), 0, "setup_table(the peer's)");
    check(s.status == GNTST_permission_denied, "setup_table(peer): permission_denied (got %d)",
          s.status);
    s = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 1, .frame_list = 8 };
    check_ret(gnttab_op(GNTTABOP_setup_table, &s, 1), 0, "setup_table(unwritable list)");
    check(s.status == GNTST_bad_virt_addr, "setup_table(list at 8): bad_virt_addr (got %d)",
          s.status);
    check_ret(gnttab_op(GNTTABOP_setup_table, &s, 2), -XEN_EINVAL, "setup_table(count 2)");
    check_ret(gnttab_op(GNTTABOP_setup_table, (void *)8, 1), -XEN_EFAULT,
              "setup_table(bad pointer)");
}

static void granter(domid_t peer)
{
    struct gnttab_query_size q;
    uint32_t version;
    domid_t me = (domid_t)xen_domid();

    /* 1. The table, as Linux's gnttab_init sets it up. */
    check_ret(query_size(DOMID_SELF, &q), 0, "query_size(self)");
    check(q.status == GNTST_okay && q.nr_frames == 1 && q.max_nr_frames == 64,
          "query_size: 1 frame of at most 64 (status %d, %u of %u)", q.status, q.nr_frames,
          q.max_nr_frames);
    check_ret(query_size(peer, &q), 0, "query_size(peer)");
    check(q.status == GNTST_permission_denied, "query_size(peer): permission_denied (got %d)",
          q.status);
    check_ret(query_size(0x7000, &q), 0, "query_size(no such domain)");
    check(q.status == GNTST_bad_domain, "query_size(d0x7000): bad_domain (got %d)", q.status);
    check_ret(gnttab_op(GNTTABOP_query_size, &q, 2), -XEN_EINVAL, "query_size(count 2)");

    check_ret(set_version(1, &version), 0, "set_version(1)");
    check(version == 1, "set_version(1) leaves version 1 (got %u)", version);
    check_ret(set_version(2, &version), -XEN_ENOSYS, "set_version(2): v2 not offered");
    check(version == 1, "after set_version(2): version 1 (got %u)", version);
    check_ret(set_version(0, &version), -XEN_EINVAL, "set_version(0)");
    check_ret(set_version(3, &version), -XEN_EINVAL, "set_version(3)");
    check_ret(get_version(DOMID_SELF, &version), 0, "get_version(self)");
    check(version == 1, "get_version: 1 (got %u)", version);
    check_ret(get_version(me, &version), 0, "get_version(own id)");
    check_ret(get_version(peer, &version), -XEN_EPERM, "get_version(peer)");
    check_ret(get_version(0x7000, &version), -XEN_ESRCH, "get_version(no such domain)");

    /* Frames above RAM, highest index first as Linux maps them. */
    uint64_t gpa0 = gpa_outside_memmap(ram_top());
    uint64_t gpa1 = gpa_outside_memmap(gpa0 + PAGE_SIZE);
    check_ret(map_grant_frame(1, gpa1 >> 12), 0, "add_to_physmap(grant frame 1, gpfn %#lx)",
              (unsigned long)(gpa1 >> 12));
    check_ret(map_grant_frame(0, gpa0 >> 12), 0, "add_to_physmap(grant frame 0, gpfn %#lx)",
              (unsigned long)(gpa0 >> 12));
    check_ret(map_grant_frame(64, (gpa1 >> 12) + 1), -XEN_EINVAL, "add_to_physmap(frame 64)");
    check_ret(map_grant_frame(XENMAPIDX_grant_table_status, (gpa1 >> 12) + 1), -XEN_EINVAL,
              "add_to_physmap(status frame 0 with v1)");
    check_ret(query_size(DOMID_SELF, &q), 0, "query_size(self) again");
    check(q.status == GNTST_okay && q.nr_frames == 2, "the table grew to 2 frames (got %u)",
          q.nr_frames);
    frames[0] = (struct grant_entry_v1 *)(uintptr_t)gpa0;
    frames[1] = (struct grant_entry_v1 *)(uintptr_t)gpa1;
    bool zero = true;
    for (unsigned int i = 0; i < GNTTAB_V1_PER_FRAME * 2; i++)
        zero = zero && !entry(i)->flags && !entry(i)->domid && !entry(i)->frame;
    check(zero, "new grant frames are zeroed");
    setup_table_checks(gpa0 >> 12, gpa1 >> 12, peer);

    /* 2. Pages and grants. */
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        PAGE_RO[i] = pattern(i, 1);
    *(uint32_t *)PAGE_RO = MAGIC;
    memset(PAGE_RW, 0, PAGE_SIZE);
    grant(REF_OTHER, (domid_t)(peer + 1), PAGE_RO, GTF_permit_access);
    grant(REF_FRAME1, peer, PAGE_RO, GTF_permit_access | GTF_readonly);
    grant(REF_RW, peer, PAGE_RW, GTF_permit_access);
    grant(REF_RO, peer, PAGE_RO, GTF_permit_access | GTF_readonly);   /* the copier waits for it */
    printf("gnttab: d%u granted refs %u (ro) %u (rw) %u (frame 1) to d%u\n", me, REF_RO,
           REF_RW, REF_FRAME1, peer);

    /* Local copies need no grant. */
    struct gnttab_copy c = {
        .source = { .u.gmfn = gfn_of(PAGE_RO), .domid = DOMID_SELF, .offset = 4 },
        .dest = { .u.gmfn = gfn_of(PAGE_SCRATCH), .domid = DOMID_SELF, .offset = 4 },
        .len = 4092,
    };
    check(copy(c) == GNTST_okay && has_pattern(PAGE_SCRATCH, 4, PAGE_SIZE, 1),
          "copy between two of our own frames");

    /* 3. The copier writes RW, then STEP1. */
    wait_marker(STEP1, "the copier's STEP1");
    check(has_pattern(PAGE_RW, DATA_AT, PAGE_SIZE, 2), "the copier's bytes arrived in the rw page");
    /* The copier no longer uses refs 8 and 9 (it polls through ref 600). */
    check(wait_idle(REF_RO) && wait_idle(REF_RW) &&
          flags_of(REF_RO) == (GTF_permit_access | GTF_readonly) &&
          flags_of(REF_RW) == GTF_permit_access,
          "no in-use flag left on refs %u, %u; the rest as granted (flags %#x %#x)", REF_RO,
          REF_RW, flags_of(REF_RO), flags_of(REF_RW));

    /* 4. Revoke ref 8 as Linux does, then tell the copier (through the
     * page of ref 600, which stays granted). */
    uint16_t expect = GTF_permit_access | GTF_readonly;
    check(__atomic_compare_exchange_n(&entry(REF_RO)->flags, &expect, 0, false,
                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST),
          "revoked ref %u (no copy held it)", REF_RO);
    __atomic_store_n((uint32_t *)(PAGE_RO + 8), STEP2, __ATOMIC_RELEASE);
    wait_marker(STEP3, "the copier's STEP3");
    check(flags_of(REF_RO) == 0, "the revoked entry was left alone (flags %#x)", flags_of(REF_RO));
    check(wait_idle(REF_RW) && flags_of(REF_RW) == GTF_permit_access,
          "ref %u: no in-use flag after the last copy (flags %#x)", REF_RW, flags_of(REF_RW));
    test_finish();
}

/* ---- copier ---------------------------------------------------------------- */

static void wait_granted(domid_t granter)
{
    uint64_t deadline = rdtsc() + WAIT_MS * tsc_khz_or_guess();
    int16_t st;

    while ((st = copy(from_grant(granter, REF_RO, 0, PAGE_LOCAL, 0, PAGE_SIZE))) != GNTST_okay) {
        if (st != GNTST_general_error)
            test_fail("copy(ref %u) before it was granted: status %d, want general_error",
                      REF_RO, st);
        if (rdtsc() > deadline)
            timed_out("the granter's ref 8");
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/* The granter's marker, read through ref 600 (word 2 of the ro page), so
 * that refs 8 and 9 stay idle while the granter checks their flags. */
static uint32_t remote_marker(domid_t granter)
{
    uint32_t m = 0;
    int16_t st = copy(from_grant(granter, REF_FRAME1, 8, &m, (uint16_t)((uintptr_t)&m & 4095), 4));
    if (st != GNTST_okay)
        test_fail("reading the marker through ref %u: status %d", REF_FRAME1, st);
    return m;
}

static void copy_errors(domid_t granter)
{
    struct gnttab_copy c;

    /* References: beyond the table (2 frames, 1024 entries), never
     * granted, granted to someone else, readonly as a destination. */
    check(copy(from_grant(granter, 1024, 0, PAGE_SCRATCH, 0, 8)) == GNTST_bad_gntref,
          "ref 1024 (beyond 2 frames): bad_gntref");
    check(copy(from_grant(granter, 0xffffffffu, 0, PAGE_SCRATCH, 0, 8)) == GNTST_bad_gntref,
          "ref 0xffffffff: bad_gntref");
    check(copy(from_grant(granter, REF_NEVER, 0, PAGE_SCRATCH, 0, 8)) == GNTST_general_error,
          "ref %u (never granted): general_error", REF_NEVER);
    check(copy(from_grant(granter, REF_OTHER, 0, PAGE_SCRATCH, 0, 8)) == GNTST_general_error,
          "ref %u (granted to another domain): general_error", REF_OTHER);
    check(copy(to_grant(PAGE_SCRATCH, 0, granter, REF_RO, 0, 8)) == GNTST_general_error,
          "readonly ref %u as destination: general_error", REF_RO);
    check(copy(to_grant(PAGE_SCRATCH, 0, granter, REF_FRAME1, 0, 8)) == GNTST_general_error,
          "readonly ref %u as destination: general_error", REF_FRAME1);
    /* Crossing the end of a page, source or destination. */
    check(copy(from_grant(granter, REF_RO, 4000, PAGE_SCRATCH, 0, 97)) == GNTST_bad_copy_arg,
          "source offset 4000 + 97 bytes: bad_copy_arg");
    check(copy(from_grant(granter, REF_RO, 0, PAGE_SCRATCH, 4095, 2)) == GNTST_bad_copy_arg,
          "dest offset 4095 + 2 bytes: bad_copy_arg");
    check(copy(to_grant(PAGE_SCRATCH, 0, granter, REF_RW, 1, 4096)) == GNTST_bad_copy_arg,
          "4096 bytes at offset 1 of the rw grant: bad_copy_arg");
    /* Domains. */
    check(copy(from_grant(0x7000, REF_RO, 0, PAGE_SCRATCH, 0, 8)) == GNTST_bad_domain,
          "grant of d0x7000 (no such domain): bad_domain");
    check(copy(from_grant(DOMID_IO, REF_RO, 0, PAGE_SCRATCH, 0, 8)) == GNTST_bad_domain,
          "grant of DOMID_IO: bad_domain");
    c = from_grant(granter, REF_RO, 0, PAGE_SCRATCH, 0, 8);
    c.dest.domid = granter;
    check(copy(c) == GNTST_permission_denied, "a GFN of another domain: permission_denied");
    c.dest.domid = (domid_t)xen_domid();
    check(copy(c) == GNTST_permission_denied, "a GFN named by our own id: permission_denied");
    /* Our own frame not present: a GFN at 3 GiB (no RAM there). */
    c = from_grant(granter, REF_RO, 0, PAGE_SCRATCH, 0, 8);
    c.dest.u.gmfn = 0xc0000;
    check(copy(c) == GNTST_bad_page, "our GFN 0xc0000 (not present): bad_page");

    /* Bad counts and pointers are errors of the call itself. */
    check_ret(gnttab_op(GNTTABOP_copy, &c, 0xffffffffu), -XEN_EINVAL, "copy(count -1)");
    check_ret(gnttab_op(GNTTABOP_copy, (void *)8, 1), -XEN_EFAULT, "copy(bad pointer)");
    check_ret(gnttab_op(GNTTABOP_copy, (void *)8, 0), 0, "copy(count 0, bad pointer)");
    check_ret(gnttab_op(GNTTABOP_copy | 0x1000, &c, 1), -XEN_ENOSYS,
              "copy with continuation bits (Xen's HVM filter: another command)");
    uint64_t m[4] = { 0 };          /* a gnttab_map_grant_ref's 32 bytes */
    check_ret(gnttab_op(GNTTABOP_map_grant_ref, m, 1), -XEN_ENOSYS, "map_grant_ref (not offered)");
    check_ret(gnttab_op(GNTTABOP_unmap_grant_ref, m, 1), -XEN_ENOSYS, "unmap_grant_ref (not offered)");
    check_ret(gnttab_op(GNTTABOP_transfer, m, 1), -XEN_ENOSYS, "transfer (not offered)");

    /* The granter's table is not ours to ask about. */
    struct gnttab_query_size q;
    uint32_t v;
    check_ret(query_size(granter, &q), 0, "query_size(granter)");
    check(q.status == GNTST_permission_denied, "query_size(granter): permission_denied (got %d)",
          q.status);
    check_ret(get_version(granter, &v), -XEN_EPERM, "get_version(granter)");
}

/* A batch of 3 with a failure in the middle, and one of 40 (more than Keel
 * does per entry: the call is continued). */
static void copy_batches(domid_t granter)
{
    static struct gnttab_copy batch[40];

    memset(PAGE_SCRATCH, 0, PAGE_SIZE);
    batch[0] = from_grant(granter, REF_RO, 100, PAGE_SCRATCH, 100, 50);
    batch[1] = from_grant(granter, REF_NEVER, 0, PAGE_SCRATCH, 0, 50);
    batch[2] = from_grant(granter, REF_FRAME1, 200, PAGE_SCRATCH, 200, 50);
    for (unsigned int i = 0; i < 3; i++)
        batch[i].status = 0x55;
    check_ret(gnttab_op(GNTTABOP_copy, batch, 3), 0, "copy(batch of 3)");
    check(batch[0].status == GNTST_okay && batch[1].status == GNTST_general_error &&
          batch[2].status == GNTST_okay, "batch statuses okay, general_error, okay (%d %d %d)",
          batch[0].status, batch[1].status, batch[2].status);
    check(has_pattern(PAGE_SCRATCH, 100, 150, 1) && has_pattern(PAGE_SCRATCH, 200, 250, 1),
          "batch copied ops 0 and 2");

    memset(PAGE_SCRATCH, 0, PAGE_SIZE);
    for (unsigned int i = 0; i < 40; i++) {
        uint16_t off = (uint16_t)(4 + i * 100);
        batch[i] = from_grant(granter, i % 2 ? REF_RO : REF_FRAME1, off, PAGE_SCRATCH, off, 100);
        batch[i].status = 0x55;
    }
    check_ret(gnttab_op(GNTTABOP_copy, batch, 40), 0, "copy(batch of 40)");
    bool ok = true;
    for (unsigned int i = 0; i < 40; i++)
        ok = ok && batch[i].status == GNTST_okay;
    check(ok, "all 40 statuses okay");
    check(has_pattern(PAGE_SCRATCH, 4, 4004, 1), "all 40 pieces arrived");
}

static void copier(domid_t granter)
{
    /* 1. Read the readonly grant, whole and in pieces. */
    wait_granted(granter);
    check(*(uint32_t *)PAGE_LOCAL == MAGIC && has_pattern(PAGE_LOCAL, 4, PAGE_SIZE, 1),
          "copy(ref %u, 4096 bytes): the granter's page", REF_RO);
    memset(PAGE_LOCAL, 0, PAGE_SIZE);
    check(copy(from_grant(granter, REF_RO, 100, PAGE_LOCAL, 3000, 200)) == GNTST_okay &&
          has_pattern(PAGE_LOCAL + 3000 - 100, 100, 300, 1) && PAGE_LOCAL[2999] == 0 &&
          PAGE_LOCAL[3200] == 0, "copy(ref %u, 200 bytes at 100 to 3000)", REF_RO);
    check(copy(from_grant(granter, REF_FRAME1, 4095, PAGE_LOCAL, 0, 1)) == GNTST_okay &&
          PAGE_LOCAL[0] == pattern(4095, 1), "copy(ref %u in frame 1, its last byte)", REF_FRAME1);

    copy_errors(granter);
    copy_batches(granter);

    /* 2. Write the rw grant: data, then the marker. */
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        PAGE_LOCAL[i] = pattern(i, 2);
    check(copy(to_grant(PAGE_LOCAL, DATA_AT, granter, REF_RW, DATA_AT, PAGE_SIZE - DATA_AT)) ==
          GNTST_okay, "copy(into rw ref %u, %lu bytes)", REF_RW, PAGE_SIZE - DATA_AT);
    uint32_t step = STEP1;
    check(copy(to_grant(&step, (uint16_t)((uintptr_t)&step & 4095), granter, REF_RW, 0, 4)) ==
          GNTST_okay, "copy(STEP1 into ref %u)", REF_RW);

    /* 3. Once the granter has revoked ref 8, it is refused. */
    uint64_t deadline = rdtsc() + WAIT_MS * tsc_khz_or_guess();
    while (remote_marker(granter) != STEP2) {
        if (rdtsc() > deadline)
            timed_out("the granter's STEP2");
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    check(copy(from_grant(granter, REF_RO, 0, PAGE_SCRATCH, 0, 8)) == GNTST_general_error,
          "copy(revoked ref %u): general_error", REF_RO);
    check(copy(from_grant(granter, REF_FRAME1, 0, PAGE_SCRATCH, 0, 8)) == GNTST_okay,
          "ref %u still works", REF_FRAME1);
    step = STEP3;
    check(copy(to_grant(&step, (uint16_t)((uintptr_t)&step & 4095), granter, REF_RW, 0, 4)) ==
          GNTST_okay, "copy(STEP3 into ref %u)", REF_RW);
    test_finish();
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    char role[16];

    if (!xen.present)
        test_fail("no hypervisor");
    if (!cmdline_get("role", role, sizeof(role)))
        test_fail("no role= on the command line");
    uint64_t peer = cmdline_u64("peer", 0);
    if (peer == 0 || peer >= DOMID_FIRST_RESERVED)
        test_fail("peer=DOMID missing or bad");
    printf("gnttab: %s d%u, peer d%lu\n", role, xen_domid(), (unsigned long)peer);

    if (!strcmp(role, "granter"))
        granter((domid_t)peer);
    else if (!strcmp(role, "copier"))
        copier((domid_t)peer);
    test_fail("role=%s: want granter or copier", role);
}
