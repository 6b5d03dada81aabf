/*
 * Guest memory access: guest_virt_to_phys (arch/x86/hvm/guest_walk.c) in
 * every paging mode, and the copy helpers of common/guest_access.c on top
 * of it and of the P2M.
 *
 * Fake guest: RAM_PAGES guest frames, gfn N backed by host frame
 * LAST_MFN - N, so guest-contiguous memory is host-discontiguous and a
 * gfn/mfn mix-up shows; gfns HOLE_GFN and HOLE_GFN + 1 are not RAM; the
 * very last guest frame of the 64-bit space is RAM too, so a gpa + len
 * that wraps to 0 would reach real memory if it were not refused.  The
 * tests write the guest's page tables straight into the host frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/p2m.h>
#include <asm/boot.h>
#include <asm/hvm.h>
#include <asm/page.h>
#include "include/harness.h"

#define NR_FRAMES   64
#define LAST_MFN    (NR_FRAMES - 1)
#define RAM_PAGES   32
#define HOLE_GFN    16                  /* 16 and 17 are not RAM */
#define TOP_GFN     (~0ULL >> PAGE_SHIFT)
#define TOP_MFN     1
#define POISON      0x5c5c5c5c5c5c5c5cULL
#define FILL        0xa5                /* harness_directmap_init's fill */

/* Not in asm/boot.h (guest_walk.c has its own). */
#define T_CR4_PSE   (1ULL << 4)
#define T_EFER_LMA  (1ULL << 10)
/* asm/boot.h's CR0_PG is (1 << 31), which overflows int (UBSan says so). */
#define T_CR0_PG    (1ULL << 31)
#define T_CR0_WP    ((uint64_t)CR0_WP)

#define P   ((uint64_t)PTE_P)
#define W   ((uint64_t)PTE_W)
#define U   ((uint64_t)PTE_U)
#define PS  ((uint64_t)PTE_PS)
#define PAT_LARGE (1ULL << 12)          /* PAT bit of a 2M/4M/1G leaf */

/* Where the page tables live (zeroed in setup). */
enum {
    PD32_GFN = 1, PT32_GFN = 2,
    PDPT_PAE_GFN = 3, PD_PAE_GFN = 4, PT_PAE_GFN = 5,
    PML4_GFN = 6, PDPT_GFN = 7, PD_GFN = 8, PT_GFN = 9,
    NR_TABLE_GFNS = 10,
};

static struct domain dom;
static struct vcpu vcpu;
static struct vcpu *cur_vcpu;
static uint64_t g_cr0, g_cr3, g_cr4, g_efer;
static unsigned int nr_lookups, nr_get_paging;

static bool in_hole(uint64_t gfn)
{
    return gfn == HOLE_GFN || gfn == HOLE_GFN + 1;
}

/* The hypervisor reaches guest frames through p2m_access_frame(); the fake
 * P2M has nothing waiting to be zeroed. */
mfn_t p2m_access_frame(struct domain *d, uint64_t gfn)
{
    assert_ptr_equal(d, &dom);
    nr_lookups++;
    if (gfn == TOP_GFN)
        return TOP_MFN;
    if (gfn >= RAM_PAGES || in_hole(gfn))
        return INVALID_MFN;
    return LAST_MFN - gfn;
}

/* Copies hold a reference on each frame while they touch it. */
static int frame_refs;

void page_get_ref(mfn_t mfn)
{
    (void)mfn;
    assert_true(spin_is_locked(&dom.mem_lock));    /* taken under mem_lock */
    frame_refs++;
}

void page_put_ref(mfn_t mfn)
{
    (void)mfn;
    assert_true(frame_refs > 0);
    frame_refs--;
}

struct vcpu *current_vcpu(void)
{
    return cur_vcpu;
}

static void fake_get_paging(struct vcpu *v, uint64_t *cr0, uint64_t *cr3,
                            uint64_t *cr4, uint64_t *efer)
{
    assert_ptr_equal(v, &vcpu);
    nr_get_paging++;
    *cr0 = g_cr0, *cr3 = g_cr3, *cr4 = g_cr4, *efer = g_efer;
}

static const struct hvm_ops fake_hvm = {
    .name = "fake",
    .get_paging = fake_get_paging,
};
const struct hvm_ops *hvm = &fake_hvm;

/* The test's own view of guest memory (only ever RAM). */
static uint8_t *host(uint64_t gpa)
{
    uint64_t gfn = gpa >> PAGE_SHIFT;

    assert_true(gfn == TOP_GFN || (gfn < RAM_PAGES && !in_hole(gfn)));
    mfn_t mfn = gfn == TOP_GFN ? TOP_MFN : LAST_MFN - gfn;
    return host_directmap + mfn * PAGE_SIZE + (gpa & (PAGE_SIZE - 1));
}

static uint8_t *host_page(uint64_t gfn)
{
    return host(gfn << PAGE_SHIFT);
}

static uint32_t *e32(uint64_t table_gfn, unsigned int idx)
{
    return (uint32_t *)host_page(table_gfn) + idx;
}

static uint64_t *e64(uint64_t table_gpa, unsigned int idx)
{
    return (uint64_t *)host(table_gpa) + idx;
}

static bool all_bytes(const uint8_t *p, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static void set_mode(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer)
{
    g_cr0 = cr0, g_cr3 = cr3, g_cr4 = cr4, g_efer = efer;
}

static uint64_t wp_bit(bool wp)
{
    return wp ? T_CR0_WP : 0;
}

/* ---- the three sets of page tables ---------------------------------------- */

/* 32-bit: PDE 5, PTE 37, offset 0xabc.  CR3 carries PWT|PCD, which are not address. */
#define VA32        0x01425abcULL
#define CR3_32      ((PD32_GFN << PAGE_SHIFT) | 0x18)

static void mode_32(bool pse, bool wp)
{
    set_mode(CR0_PE | T_CR0_PG | wp_bit(wp), CR3_32, pse ? T_CR4_PSE : 0, 0);
}

/* PAE: PDPTE 2, PDE 9, PTE 300, offset 0x123.  The PDPT is not page aligned. */
#define VA_PAE      0x8132c123ULL
#define PDPT_PAE    ((PDPT_PAE_GFN << PAGE_SHIFT) + 0x40)
#define CR3_PAE     (PDPT_PAE | 0x18)

static void mode_pae(bool wp)
{
    set_mode(CR0_PE | T_CR0_PG | wp_bit(wp), CR3_PAE, CR4_PAE, EFER_NXE);
}

/* Long mode: PML4E 256, PDPTE 3, PDE 5, PTE 7, offset 0x9ab (upper half). */
#define LM_HIGH     0xffff800000000000ULL
#define VA_LM       (LM_HIGH | (3ULL << 30) | (5ULL << 21) | (7ULL << 12) | 0x9ab)
/* The leaf's address is at the top of the 52-bit space. */
#define GPA_LM      0x000fedcba98769abULL
#define CR3_LM      ((PML4_GFN << PAGE_SHIFT) | 0x18)
/* Bits 62:52 are ignored by hardware and must not become address. */
#define AVAIL_HI    0x7ff0000000000000ULL

static void mode_lm(bool wp)
{
    set_mode(CR0_PE | T_CR0_PG | wp_bit(wp), CR3_LM, CR4_PAE,
             EFER_LME | T_EFER_LMA | EFER_NXE);
}

/* The entries behind VA_LM, leaf first: [0] PTE .. [3] PML4E. */
static uint64_t *lm_entry[4];

static void build_tables(void)
{
    /* 32-bit; the leaf carries U/A/D/G/available bits, none of them address. */
    *e32(PD32_GFN, 5) = (PT32_GFN << PAGE_SHIFT) | P | W;
    *e32(PT32_GFN, 37) = (20 << PAGE_SHIFT) | P | W | U | PTE_A | PTE_D | PTE_G | 0xe00;

    /* PAE: a PDPTE has no R/W bit (reserved), so only P here. */
    *e64(PDPT_PAE, 2) = (PD_PAE_GFN << PAGE_SHIFT) | P;
    *e64(PD_PAE_GFN << PAGE_SHIFT, 9) = (PT_PAE_GFN << PAGE_SHIFT) | P | W;
    *e64(PT_PAE_GFN << PAGE_SHIFT, 300) = (23 << PAGE_SHIFT) | P | W | PTE_NX;

    /* Long mode; the PML4E also carries NX and ignored high bits. */
    lm_entry[3] = e64(PML4_GFN << PAGE_SHIFT, 256);
    lm_entry[2] = e64(PDPT_GFN << PAGE_SHIFT, 3);
    lm_entry[1] = e64(PD_GFN << PAGE_SHIFT, 5);
    lm_entry[0] = e64(PT_GFN << PAGE_SHIFT, 7);
    *lm_entry[3] = (PDPT_GFN << PAGE_SHIFT) | P | W | U | PTE_NX | AVAIL_HI;
    *lm_entry[2] = (PD_GFN << PAGE_SHIFT) | P | W | U;
    *lm_entry[1] = (PT_GFN << PAGE_SHIFT) | P | W | U;
    *lm_entry[0] = (GPA_LM & ~0xfffULL) | P | W | PTE_NX | AVAIL_HI;
}

static int setup(void **state)
{
    (void)state;
    harness_directmap_init(NR_FRAMES);
    for (uint64_t gfn = 1; gfn < NR_TABLE_GFNS; gfn++)
        memset(host_page(gfn), 0, PAGE_SIZE);
    memset(&dom, 0, sizeof(dom));
    memset(&vcpu, 0, sizeof(vcpu));
    vcpu.domain = &dom;
    cur_vcpu = &vcpu;
    nr_lookups = nr_get_paging = 0;
    set_mode(CR0_PE, 0, 0, 0);
    build_tables();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(frame_refs, 0);        /* every copy put what it got */
    assert_false(spin_is_locked(&dom.mem_lock));
    harness_directmap_free();
    return 0;
}

static uint64_t xlate(uint64_t gva, bool write)
{
    uint64_t gpa = POISON;

    assert_int_equal(guest_virt_to_phys(&vcpu, gva, write, &gpa), 0);
    return gpa;
}

static void assert_fault(uint64_t gva, bool write)
{
    uint64_t gpa = POISON;

    assert_int_equal(guest_virt_to_phys(&vcpu, gva, write, &gpa), -EFAULT);
}

/* ---- paging off ---------------------------------------------------------- */

static void test_paging_off_truncates(void **state)
{
    (void)state;
    /* Protected mode without paging: linear is physical, 32 bits of it. */
    set_mode(CR0_PE, 0, 0, 0);
    assert_int_equal(xlate(0x123456789abcULL, false), 0x56789abcULL);
    assert_int_equal(xlate(0xffffffff00001000ULL, true), 0x1000);
    assert_int_equal(xlate(0xffffffffULL, true), 0xffffffffULL);

    /* CR3/CR4 mean nothing until CR0.PG: a CR3 in the hole is no fault. */
    set_mode(CR0_PE | T_CR0_WP, HOLE_GFN << PAGE_SHIFT, CR4_PAE | T_CR4_PSE, 0);
    assert_int_equal(xlate(VA32, true), VA32);
    assert_int_equal(nr_lookups, 0);
}

static void test_paging_off_long_mode(void **state)
{
    (void)state;
    /* EFER.LMA without CR0.PG cannot really happen; the address is kept whole. */
    set_mode(CR0_PE, CR3_LM, CR4_PAE, EFER_LME | T_EFER_LMA);
    assert_int_equal(xlate(0x123456789abcULL, false), 0x123456789abcULL);
    assert_int_equal(nr_lookups, 0);
}

/* ---- 32-bit paging ------------------------------------------------------- */

static void test_32bit_4k(void **state)
{
    (void)state;
    mode_32(false, true);
    assert_int_equal(xlate(VA32, false), (20 << PAGE_SHIFT) | 0xabc);
    assert_int_equal(xlate(VA32, true), (20 << PAGE_SHIFT) | 0xabc);
    /* Other entries of the same tables: PTE 38 on gfn 21. */
    *e32(PT32_GFN, 38) = (21 << PAGE_SHIFT) | P;
    assert_int_equal(xlate(VA32 + 0x1000 - 0xabc, false), 21 << PAGE_SHIFT);
    /* Last PDE and last PTE of their pages. */
    *e32(PD32_GFN, 1023) = (PT32_GFN << PAGE_SHIFT) | P;
    *e32(PT32_GFN, 1023) = (22 << PAGE_SHIFT) | P;
    assert_int_equal(xlate(0xffffffffULL, false), (22 << PAGE_SHIFT) | 0xfff);
}

static void test_32bit_pse(void **state)
{
    (void)state;
    /* 4 MiB page at 0xa5_12c00000: bits 39:32 come from PDE bits 20:13 (PSE-36). */
    *e32(PD32_GFN, 7) = 0x12c00000u | (0xa5u << 13) | PAT_LARGE | PS | P | W;
    mode_32(true, true);
    assert_int_equal(xlate(0x01ea5abcULL, false), 0xa512ea5abcULL);
    assert_int_equal(xlate(0x01c00000ULL, true), 0xa512c00000ULL);
    assert_int_equal(xlate(0x01ffffffULL, false), 0xa512ffffffULL);

    /* Without CR4.PSE the PS bit is ignored and the PDE points to a table. */
    *e32(PD32_GFN, 8) = (PT32_GFN << PAGE_SHIFT) | PS | P | W;
    uint64_t va = (8u << 22) | (37u << 12) | 0x123;
    mode_32(false, true);
    assert_int_equal(xlate(va, false), (20 << PAGE_SHIFT) | 0x123);
    /* ... and with it, the same PDE is a 4 MiB page (bit 13 -> bit 32). */
    mode_32(true, true);
    assert_int_equal(xlate(va, false), 0x100000000ULL | (va & 0x3fffff));
}

static void test_32bit_not_present(void **state)
{
    (void)state;
    mode_32(true, false);
    /* Not-present entries whose other bits look like a mapping. */
    *e32(PD32_GFN, 9) = (PT32_GFN << PAGE_SHIFT) | W;
    *e32(PD32_GFN, 10) = 0x00400000u | PS | W;
    *e32(PT32_GFN, 38) = (21 << PAGE_SHIFT) | W;
    assert_fault((9u << 22) | (37u << 12), false);
    assert_fault(10u << 22, false);
    assert_fault(VA32 + 0x1000, false);
    assert_fault(VA32 + 0x1000, true);
    /* A PDE index with nothing at all. */
    assert_fault(0x40000000ULL, false);
}

static void test_32bit_read_only(void **state)
{
    (void)state;
    /* Read-only PTE; read-only PDE over a writable PTE; read-only 4 MiB page. */
    *e32(PT32_GFN, 39) = (22 << PAGE_SHIFT) | P;
    *e32(PD32_GFN, 11) = (PT32_GFN << PAGE_SHIFT) | P;
    *e32(PD32_GFN, 12) = 0x00800000u | PS | P;
    uint64_t ro_pte = (5u << 22) | (39u << 12) | 0x10;
    uint64_t ro_pde = (11u << 22) | (37u << 12) | 0x20;
    uint64_t ro_big = (12u << 22) | 0x12345;

    mode_32(true, true);
    assert_fault(ro_pte, true);
    assert_fault(ro_pde, true);
    assert_fault(ro_big, true);
    assert_int_equal(xlate(ro_pte, false), (22 << PAGE_SHIFT) | 0x10);
    assert_int_equal(xlate(ro_pde, false), (20 << PAGE_SHIFT) | 0x20);
    assert_int_equal(xlate(ro_big, false), 0x00812345);

    /* CR0.WP clear: supervisor writes ignore R/W. */
    mode_32(true, false);
    assert_int_equal(xlate(ro_pte, true), (22 << PAGE_SHIFT) | 0x10);
    assert_int_equal(xlate(ro_pde, true), (20 << PAGE_SHIFT) | 0x20);
    assert_int_equal(xlate(ro_big, true), 0x00812345);
}

static void test_32bit_outside_ram(void **state)
{
    (void)state;
    /* PDEs pointing into the hole and past the end of RAM. */
    *e32(PD32_GFN, 13) = (HOLE_GFN << PAGE_SHIFT) | P | W;
    *e32(PD32_GFN, 14) = (0x40 << PAGE_SHIFT) | P | W;
    mode_32(false, false);
    assert_fault(13u << 22, false);
    assert_fault(14u << 22, false);

    /* The page directory itself outside RAM. */
    set_mode(CR0_PE | T_CR0_PG, (HOLE_GFN + 1) << PAGE_SHIFT, 0, 0);
    assert_fault(VA32, false);

    /* A leaf outside RAM is a translation; the copy is what fails. */
    *e32(PT32_GFN, 40) = (HOLE_GFN << PAGE_SHIFT) | P | W;
    mode_32(false, false);
    assert_int_equal(xlate((5u << 22) | (40u << 12) | 7, false), (HOLE_GFN << PAGE_SHIFT) | 7);
}

static void test_32bit_high_gva(void **state)
{
    (void)state;
    /* A 32-bit guest has no addresses above 4 GiB; no silent truncation. */
    mode_32(true, false);
    assert_fault((1ULL << 32) | VA32, false);
    mode_pae(false);
    assert_fault((1ULL << 32) | VA_PAE, false);
}

/* ---- PAE ----------------------------------------------------------------- */

static void test_pae_4k(void **state)
{
    (void)state;
    mode_pae(true);
    /* NX in the leaf is not address; the PDPTE (no R/W bit) allows writes. */
    assert_int_equal(xlate(VA_PAE, false), (23 << PAGE_SHIFT) | 0x123);
    assert_int_equal(xlate(VA_PAE, true), (23 << PAGE_SHIFT) | 0x123);

    /* PDPTE 0 in the same 32-byte table; a PAE leaf may be above 4 GiB. */
    *e64(PDPT_PAE, 0) = (PD_PAE_GFN << PAGE_SHIFT) | P;
    *e64(PD_PAE_GFN << PAGE_SHIFT, 0) = (PT_PAE_GFN << PAGE_SHIFT) | P | W;
    *e64(PT_PAE_GFN << PAGE_SHIFT, 511) = 0xabcdef000ULL | P | W;
    assert_int_equal(xlate(0x001ff456ULL, false), 0xabcdef456ULL);
}

static void test_pae_2m(void **state)
{
    (void)state;
    /* 2 MiB page at 0x1_23400000 (PAT bit set, not address). */
    *e64(PD_PAE_GFN << PAGE_SHIFT, 10) = 0x123400000ULL | PAT_LARGE | PS | P | W;
    mode_pae(true);
    uint64_t va = (2ULL << 30) | (10ULL << 21) | 0x1aacde;
    assert_int_equal(xlate(va, false), 0x1235aacdeULL);
    assert_int_equal(xlate(va, true), 0x1235aacdeULL);

    /* PS in a PAE PDE needs no CR4.PSE. */
    g_cr4 &= ~T_CR4_PSE;
    assert_int_equal(xlate(va, false), 0x1235aacdeULL);
}

static void test_pae_not_present(void **state)
{
    (void)state;
    mode_pae(false);
    /* PDPTE 3: not present, but otherwise the same as PDPTE 2. */
    *e64(PDPT_PAE, 3) = PD_PAE_GFN << PAGE_SHIFT;
    *e64(PD_PAE_GFN << PAGE_SHIFT, 11) = (PT_PAE_GFN << PAGE_SHIFT) | W;
    *e64(PT_PAE_GFN << PAGE_SHIFT, 301) = (24 << PAGE_SHIFT) | W;
    assert_fault((3ULL << 30) | (9ULL << 21) | (300ULL << 12), false);
    assert_fault((2ULL << 30) | (11ULL << 21) | (300ULL << 12), false);
    assert_fault((2ULL << 30) | (9ULL << 21) | (301ULL << 12), false);
    assert_fault((2ULL << 30) | (9ULL << 21) | (301ULL << 12), true);
    /* PDPTE 1 was never written. */
    assert_fault(1ULL << 30, false);
}

static void test_pae_read_only(void **state)
{
    (void)state;
    *e64(PD_PAE_GFN << PAGE_SHIFT, 12) = (PT_PAE_GFN << PAGE_SHIFT) | P;
    *e64(PT_PAE_GFN << PAGE_SHIFT, 302) = (24 << PAGE_SHIFT) | P;
    *e64(PD_PAE_GFN << PAGE_SHIFT, 13) = 0x00400000ULL | PS | P;
    uint64_t ro_pde = (2ULL << 30) | (12ULL << 21) | (300ULL << 12) | 0x44;
    uint64_t ro_pte = (2ULL << 30) | (9ULL << 21) | (302ULL << 12) | 0x55;
    uint64_t ro_big = (2ULL << 30) | (13ULL << 21) | 0x66;

    mode_pae(true);
    assert_fault(ro_pde, true);
    assert_fault(ro_pte, true);
    assert_fault(ro_big, true);
    assert_int_equal(xlate(ro_pde, false), (23 << PAGE_SHIFT) | 0x44);
    assert_int_equal(xlate(ro_pte, false), (24 << PAGE_SHIFT) | 0x55);
    assert_int_equal(xlate(ro_big, false), 0x00400066);

    mode_pae(false);
    assert_int_equal(xlate(ro_pde, true), (23 << PAGE_SHIFT) | 0x44);
    assert_int_equal(xlate(ro_pte, true), (24 << PAGE_SHIFT) | 0x55);
    assert_int_equal(xlate(ro_big, true), 0x00400066);
}

static void test_pae_outside_ram(void **state)
{
    (void)state;
    mode_pae(false);
    *e64(PDPT_PAE, 1) = (HOLE_GFN << PAGE_SHIFT) | P;
    *e64(PD_PAE_GFN << PAGE_SHIFT, 14) = (0x123456ULL << PAGE_SHIFT) | P | W;
    assert_fault(1ULL << 30, false);
    assert_fault((2ULL << 30) | (14ULL << 21), false);

    /* The PDPT itself in the hole. */
    g_cr3 = (HOLE_GFN << PAGE_SHIFT) + 0x20;
    assert_fault(VA_PAE, false);
}

/* ---- long mode ----------------------------------------------------------- */

static void test_lm_4k(void **state)
{
    (void)state;
    mode_lm(true);
    assert_int_equal(xlate(VA_LM, false), GPA_LM);
    assert_int_equal(xlate(VA_LM, true), GPA_LM);
    /* The page's last byte; the next page is not mapped. */
    assert_int_equal(xlate(VA_LM | 0xfff, true), GPA_LM | 0xfff);
    assert_fault((VA_LM | 0xfff) + 1, false);

    /* The lower half: PML4E 255 sharing the same PDPT. */
    *e64(PML4_GFN << PAGE_SHIFT, 255) = (PDPT_GFN << PAGE_SHIFT) | P | W;
    uint64_t low = (255ULL << 39) | (VA_LM & ((1ULL << 39) - 1));
    assert_int_equal(xlate(low, false), GPA_LM);
}

static void test_lm_1g(void **state)
{
    (void)state;
    /* 1 GiB page at 5 GiB; bit 12 (PAT) is not address. */
    *e64(PDPT_GFN << PAGE_SHIFT, 4) = GiB(5) | PAT_LARGE | PS | P | W;
    mode_lm(true);
    uint64_t va = LM_HIGH | (4ULL << 30) | 0x12346678;
    assert_int_equal(xlate(va, false), GiB(5) + 0x12346678);
    assert_int_equal(xlate(va, true), GiB(5) + 0x12346678);
    assert_int_equal(xlate(LM_HIGH | ((5ULL << 30) - 1), false), GiB(6) - 1);
}

static void test_lm_2m(void **state)
{
    (void)state;
    *e64(PD_GFN << PAGE_SHIFT, 6) = (0x123 * MiB(2)) | PAT_LARGE | PTE_NX | PS | P | W;
    mode_lm(true);
    uint64_t va = LM_HIGH | (3ULL << 30) | (6ULL << 21) | 0x1aacde;
    assert_int_equal(xlate(va, false), 0x123 * MiB(2) + 0x1aacde);
    assert_int_equal(xlate(va, true), 0x123 * MiB(2) + 0x1aacde);
}

static void test_lm_canonical(void **state)
{
    (void)state;
    mode_lm(false);
    *e64(PML4_GFN << PAGE_SHIFT, 255) = (PDPT_GFN << PAGE_SHIFT) | P | W;
    uint64_t low = (255ULL << 39) | (VA_LM & ((1ULL << 39) - 1));

    /* Same PML4 index as a mapped address, but bits 63:48 disagree with 47. */
    assert_fault(VA_LM & 0x0000ffffffffffffULL, false);
    assert_fault(VA_LM ^ (1ULL << 63), false);
    assert_fault(VA_LM ^ (1ULL << 48), false);
    assert_fault(low | 0xffff000000000000ULL, false);
    assert_fault(low | (1ULL << 48), false);
    assert_fault(low | (1ULL << 63), true);
    /* ... and both canonical forms do translate. */
    assert_int_equal(xlate(VA_LM, false), GPA_LM);
    assert_int_equal(xlate(low, false), GPA_LM);
    assert_fault(0x0000800000000000ULL, false);
    assert_fault(0xffff7fffffffffffULL, false);
}

static void test_lm_not_present(void **state)
{
    (void)state;
    mode_lm(false);
    for (int level = 0; level < 4; level++) {
        uint64_t saved = *lm_entry[level];

        /* Everything but P kept, so only P decides. */
        *lm_entry[level] = saved & ~P;
        assert_fault(VA_LM, false);
        assert_fault(VA_LM, true);
        *lm_entry[level] = saved;
        assert_int_equal(xlate(VA_LM, false), GPA_LM);
    }
    /* Nothing at all at the other indexes of each level. */
    assert_fault(LM_HIGH | (1ULL << 39), false);
    assert_fault(LM_HIGH | (2ULL << 30), false);
    assert_fault(LM_HIGH | (3ULL << 30) | (4ULL << 21), false);
    assert_fault(VA_LM + 0x1000, false);
}

static void test_lm_read_only(void **state)
{
    (void)state;
    for (int level = 0; level < 4; level++) {
        uint64_t saved = *lm_entry[level];

        *lm_entry[level] = saved & ~W;
        mode_lm(true);
        assert_fault(VA_LM, true);
        assert_int_equal(xlate(VA_LM, false), GPA_LM);
        mode_lm(false);
        assert_int_equal(xlate(VA_LM, true), GPA_LM);
        *lm_entry[level] = saved;
    }
    /* Read-only large pages. */
    *e64(PDPT_GFN << PAGE_SHIFT, 4) = GiB(5) | PS | P;
    *e64(PD_GFN << PAGE_SHIFT, 6) = MiB(4) | PS | P;
    mode_lm(true);
    assert_fault(LM_HIGH | (4ULL << 30), true);
    assert_fault(LM_HIGH | (3ULL << 30) | (6ULL << 21), true);
    assert_int_equal(xlate(LM_HIGH | (4ULL << 30), false), GiB(5));
    assert_int_equal(xlate(LM_HIGH | (3ULL << 30) | (6ULL << 21), false), MiB(4));
    mode_lm(false);
    assert_int_equal(xlate(LM_HIGH | (4ULL << 30), true), GiB(5));
}

static void test_lm_outside_ram(void **state)
{
    (void)state;
    mode_lm(false);
    /* Each table pointer in turn aimed at the hole, then far past RAM. */
    for (int level = 1; level < 4; level++) {
        uint64_t saved = *lm_entry[level];
        uint64_t flags = saved & ~0x000ffffffffff000ULL;

        *lm_entry[level] = (HOLE_GFN << PAGE_SHIFT) | flags;
        assert_fault(VA_LM, false);
        *lm_entry[level] = 0x000f000000000000ULL | flags;
        assert_fault(VA_LM, false);
        *lm_entry[level] = saved;
        assert_int_equal(xlate(VA_LM, false), GPA_LM);
    }
    /* The PML4 itself. */
    g_cr3 = (HOLE_GFN + 1) << PAGE_SHIFT;
    assert_fault(VA_LM, false);
}

/* ---- copies through the P2M ---------------------------------------------- */

static uint8_t pattern_byte(uint8_t seed, size_t i)
{
    return (uint8_t)(seed + i * 7 + (i >> 8));
}

static void fill_pattern(uint8_t *buf, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = pattern_byte(seed, i);
}

/*
 * p[0, n) must be bytes [from, from + n) of the pattern.  Checked against
 * the pattern, not the source buffer: a copy in the wrong direction would
 * overwrite the source with what is already there.
 */
static void assert_pattern(const uint8_t *p, uint8_t seed, size_t from, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern_byte(seed, from + i))
            fail_msg("byte %zu is %#x, not %#x", from + i, p[i], pattern_byte(seed, from + i));
}

static void test_gpa_copy_across_pages(void **state)
{
    (void)state;
    uint8_t src[9000], dst[9000];
    uint64_t gpa = (20 << PAGE_SHIFT) + 4000;

    /* 96 bytes on gfn 20, 4096 on 21, 4096 on 22, 712 on 23. */
    fill_pattern(src, sizeof(src), 1);
    assert_int_equal(copy_to_gpa(&dom, gpa, src, sizeof(src)), 0);
    assert_pattern(host(gpa), 1, 0, 96);
    assert_pattern(host_page(21), 1, 96, 4096);
    assert_pattern(host_page(22), 1, 96 + 4096, 4096);
    assert_pattern(host_page(23), 1, 96 + 8192, 712);
    /* Not a byte either side. */
    assert_int_equal(*host(gpa - 1), FILL);
    assert_int_equal(*host((23 << PAGE_SHIFT) + 712), FILL);

    memset(dst, 0, sizeof(dst));
    assert_int_equal(copy_from_gpa(&dom, dst, gpa, sizeof(dst)), 0);
    assert_pattern(dst, 1, 0, sizeof(dst));

    /* Short copies inside one page, at its very end. */
    memset(dst, 0, sizeof(dst));
    assert_int_equal(copy_from_gpa(&dom, dst, (22 << PAGE_SHIFT) + 4095, 1), 0);
    assert_int_equal(dst[0], src[96 + 4096 + 4095]);
    assert_int_equal(dst[1], 0);
}

static void test_gpa_clear_across_pages(void **state)
{
    (void)state;
    uint64_t gpa = (24 << PAGE_SHIFT) + 100;

    assert_int_equal(clear_gpa(&dom, gpa, 8192), 0);
    assert_true(all_bytes(host(gpa), 0, 4096 - 100));
    assert_true(all_bytes(host_page(25), 0, 4096));
    assert_true(all_bytes(host_page(26), 0, 100));
    assert_int_equal(*host(gpa - 1), FILL);
    assert_int_equal(*host((26 << PAGE_SHIFT) + 100), FILL);
}

static void test_gpa_partial_failure(void **state)
{
    (void)state;
    /* From the upper half of gfn 15, over the hole, into gfn 18. */
    uint64_t gpa = (15 << PAGE_SHIFT) + 0x800;
    size_t len = 0x800 + 2 * PAGE_SIZE + 0x800;
    static uint8_t src[0x800 + 2 * 4096 + 0x800], dst[sizeof(src)];

    fill_pattern(src, sizeof(src), 3);
    assert_int_equal(copy_to_gpa(&dom, gpa, src, len), -EFAULT);
    /* Nothing after the hole was written. */
    assert_true(all_bytes(host_page(18), FILL, PAGE_SIZE));
    assert_int_equal(clear_gpa(&dom, gpa, len), -EFAULT);
    assert_true(all_bytes(host_page(18), FILL, PAGE_SIZE));

    memset(host_page(18), 0x11, PAGE_SIZE);
    memset(dst, 0x22, sizeof(dst));
    assert_int_equal(copy_from_gpa(&dom, dst, gpa, len), -EFAULT);
    /* Nothing from the hole on was read into dst. */
    assert_true(all_bytes(dst + 0x800, 0x22, sizeof(dst) - 0x800));

    /* Starting in the hole, or ending in it, or entirely past RAM. */
    assert_int_equal(copy_to_gpa(&dom, HOLE_GFN << PAGE_SHIFT, src, 16), -EFAULT);
    assert_int_equal(copy_from_gpa(&dom, dst, (HOLE_GFN << PAGE_SHIFT) - 8, 16), -EFAULT);
    assert_int_equal(clear_gpa(&dom, (HOLE_GFN + 2) * PAGE_SIZE - 1, 1), -EFAULT);
    assert_int_equal(clear_gpa(&dom, RAM_PAGES * PAGE_SIZE, 1), -EFAULT);
    assert_int_equal(copy_to_gpa(&dom, RAM_PAGES * PAGE_SIZE - 8, src, 16), -EFAULT);
    /* The neighbours of the hole are fine. */
    assert_int_equal(copy_to_gpa(&dom, (HOLE_GFN << PAGE_SHIFT) - 16, src, 16), 0);
    assert_int_equal(copy_to_gpa(&dom, (HOLE_GFN + 2) * PAGE_SIZE, src, 16), 0);
    assert_pattern(host_page(HOLE_GFN + 2), 3, 0, 16);
}

static void test_gpa_overflow(void **state)
{
    (void)state;
    static uint8_t src[0x1800], dst[0x1800];
    /* The last guest frame is RAM and so is gfn 0: a wrapped copy would land. */
    uint64_t gpa = 0xfffffffffffff800ULL;

    fill_pattern(src, sizeof(src), 5);
    memset(host_page(0), FILL, PAGE_SIZE);
    assert_int_equal(copy_to_gpa(&dom, gpa, src, sizeof(src)), -EFAULT);
    assert_int_equal(clear_gpa(&dom, gpa, sizeof(src)), -EFAULT);
    memset(dst, 0x22, sizeof(dst));
    assert_int_equal(copy_from_gpa(&dom, dst, gpa, sizeof(dst)), -EFAULT);
    assert_true(all_bytes(dst, 0x22, sizeof(dst)));
    /* Refused before anything was looked up or moved. */
    assert_int_equal(nr_lookups, 0);
    assert_true(all_bytes(host(gpa & ~0xfffULL), FILL, PAGE_SIZE));
    assert_true(all_bytes(host_page(0), FILL, PAGE_SIZE));
    assert_int_equal(copy_to_gpa(&dom, ~0ULL, src, SIZE_MAX), -EFAULT);

    /* Up to the last byte but one of the address space is no overflow. */
    assert_int_equal(copy_to_gpa(&dom, gpa, src, 0x7ff), 0);
    assert_pattern(host(gpa), 5, 0, 0x7ff);
    assert_int_equal(*host(~0ULL), FILL);
    assert_true(all_bytes(host_page(0), FILL, PAGE_SIZE));
}

static void test_gpa_zero_length(void **state)
{
    (void)state;
    uint8_t b = 0x33;

    /* Nothing to move, so nothing to check: even in the hole. */
    assert_int_equal(copy_to_gpa(&dom, HOLE_GFN << PAGE_SHIFT, &b, 0), 0);
    assert_int_equal(copy_from_gpa(&dom, &b, HOLE_GFN << PAGE_SHIFT, 0), 0);
    assert_int_equal(clear_gpa(&dom, HOLE_GFN << PAGE_SHIFT, 0), 0);
    assert_int_equal(b, 0x33);
}

/* ---- copies through the guest's page tables ------------------------------ */

/* Virtual page n of the long-mode PT (PTE n). */
static uint64_t lm_page(unsigned int n)
{
    return LM_HIGH | (3ULL << 30) | (5ULL << 21) | ((uint64_t)n << 12);
}

/*
 * PTEs 10..16: gfn 26, gfn 25 (backwards), gfn 27 read-only, gfn 28,
 * not present, the hole, gfn 29.
 */
static void map_copy_pages(void)
{
    uint64_t *pt = e64(PT_GFN << PAGE_SHIFT, 0);

    pt[10] = (26 << PAGE_SHIFT) | P | W;
    pt[11] = (25 << PAGE_SHIFT) | P | W;
    pt[12] = (27 << PAGE_SHIFT) | P;
    pt[13] = (28 << PAGE_SHIFT) | P | W;
    pt[14] = (29 << PAGE_SHIFT) | W;
    pt[15] = (HOLE_GFN << PAGE_SHIFT) | P | W;
    pt[16] = (29 << PAGE_SHIFT) | P | W;
}

static void test_guest_copy_across_pages(void **state)
{
    (void)state;
    uint8_t src[200], dst[200];

    map_copy_pages();
    mode_lm(true);
    fill_pattern(src, sizeof(src), 9);
    assert_int_equal(copy_to_guest(lm_page(10) + 4000, src, sizeof(src)), 0);
    assert_pattern(host((26 << PAGE_SHIFT) + 4000), 9, 0, 96);
    assert_pattern(host_page(25), 9, 96, 104);
    assert_int_equal(*host((26 << PAGE_SHIFT) + 3999), FILL);
    assert_int_equal(*host((25 << PAGE_SHIFT) + 104), FILL);

    memset(dst, 0, sizeof(dst));
    assert_int_equal(copy_from_guest(dst, lm_page(10) + 4000, sizeof(dst)), 0);
    assert_pattern(dst, 9, 0, sizeof(dst));
}

static void test_guest_copy_read_only(void **state)
{
    (void)state;
    static uint8_t src[4096 + 200], dst[sizeof(src)];

    map_copy_pages();
    fill_pattern(src, sizeof(src), 11);

    /* gfn 25, then read-only gfn 27: refused there, gfn 28 never reached. */
    mode_lm(true);
    assert_int_equal(copy_to_guest(lm_page(11) + 4000, src, sizeof(src)), -EFAULT);
    assert_true(all_bytes(host_page(27), FILL, PAGE_SIZE));
    assert_true(all_bytes(host_page(28), FILL, PAGE_SIZE));

    /* Reading it is fine. */
    memset(host_page(27), 0x44, PAGE_SIZE);
    assert_int_equal(copy_from_guest(dst, lm_page(12) + 100, 4096), 0);
    assert_true(all_bytes(dst, 0x44, 4096 - 100));
    assert_true(all_bytes(dst + 4096 - 100, FILL, 100));

    /* CR0.WP clear: the hypervisor may write it, as the guest kernel could. */
    mode_lm(false);
    assert_int_equal(copy_to_guest(lm_page(11) + 4000, src, sizeof(src)), 0);
    assert_pattern(host_page(27), 11, 96, 4096);
    assert_pattern(host_page(28), 11, 96 + 4096, 104);
}

static void test_guest_copy_partial_failure(void **state)
{
    (void)state;
    static uint8_t src[0x800 + 3 * 4096], dst[sizeof(src)];

    map_copy_pages();
    mode_lm(false);
    fill_pattern(src, sizeof(src), 13);

    /* gfn 28, not present, hole, gfn 29: fails at the second page. */
    assert_int_equal(copy_to_guest(lm_page(13) + 0x800, src, sizeof(src)), -EFAULT);
    assert_true(all_bytes(host_page(29), FILL, PAGE_SIZE));
    memset(dst, 0x22, sizeof(dst));
    assert_int_equal(copy_from_guest(dst, lm_page(13) + 0x800, sizeof(dst)), -EFAULT);
    assert_true(all_bytes(dst + 0x800, 0x22, sizeof(dst) - 0x800));

    /* Mapped by the guest, but not RAM (the P2M refuses). */
    assert_int_equal(copy_to_guest(lm_page(15), src, 16), -EFAULT);
    assert_int_equal(copy_to_guest(lm_page(15), src, 4096 + 16), -EFAULT);
    assert_true(all_bytes(host_page(29), FILL, PAGE_SIZE));
    assert_int_equal(copy_from_guest(dst, lm_page(14) + 4095, 1), -EFAULT);

    /* Non-canonical. */
    assert_int_equal(copy_from_guest(dst, lm_page(10) & 0x0000ffffffffffffULL, 1), -EFAULT);

    /* The page after them is fine on its own. */
    assert_int_equal(copy_to_guest(lm_page(16), src, 16), 0);
    assert_pattern(host_page(29), 13, 0, 16);
}

static void test_guest_copy_paging_off(void **state)
{
    (void)state;
    uint8_t src[300], dst[300];
    /* Upper bits dropped: gfn 20 (last 100 bytes) and gfn 21. */
    uint64_t gva = (7ULL << 32) | ((20 << PAGE_SHIFT) + 3996);

    set_mode(CR0_PE, 0, 0, 0);
    fill_pattern(src, sizeof(src), 15);
    assert_int_equal(copy_to_guest(gva, src, sizeof(src)), 0);
    assert_pattern(host((20 << PAGE_SHIFT) + 3996), 15, 0, 100);
    assert_pattern(host_page(21), 15, 100, 200);
    memset(dst, 0, sizeof(dst));
    assert_int_equal(copy_from_guest(dst, gva, sizeof(dst)), 0);
    assert_pattern(dst, 15, 0, sizeof(dst));

    /* Running into the hole from gfn 15. */
    assert_int_equal(copy_to_guest((HOLE_GFN << PAGE_SHIFT) - 4, src, 8), -EFAULT);
}

static void test_guest_copy_32bit(void **state)
{
    (void)state;
    uint8_t src[64], dst[64];

    /* VA32's page (gfn 20) and the next one on gfn 19; then one not present. */
    *e32(PT32_GFN, 38) = (19 << PAGE_SHIFT) | P | W;
    mode_32(false, true);
    fill_pattern(src, sizeof(src), 17);
    uint64_t gva = (VA32 & ~0xfffULL) + 4096 - 32;
    assert_int_equal(copy_to_guest(gva, src, sizeof(src)), 0);
    assert_pattern(host((20 << PAGE_SHIFT) + 4096 - 32), 17, 0, 32);
    assert_pattern(host_page(19), 17, 32, 32);
    memset(dst, 0, sizeof(dst));
    assert_int_equal(copy_from_guest(dst, gva, sizeof(dst)), 0);
    assert_pattern(dst, 17, 0, sizeof(dst));
    assert_int_equal(copy_from_guest(dst, gva + 4096, sizeof(dst)), -EFAULT);
}

static void test_guest_copy_no_vcpu(void **state)
{
    (void)state;
    uint8_t b = 0;

    /* The idle loop has no guest address space. */
    cur_vcpu = NULL;
    assert_int_equal(copy_from_guest(&b, 0x1000, 1), -EFAULT);
    assert_int_equal(copy_to_guest(0x1000, &b, 1), -EFAULT);
    assert_int_equal(nr_get_paging, 0);
    assert_int_equal(nr_lookups, 0);
    assert_int_equal(*host(0x1000), 0);        /* gfn 1 is a zeroed table */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_paging_off_truncates),
        T(test_paging_off_long_mode),
        T(test_32bit_4k),
        T(test_32bit_pse),
        T(test_32bit_not_present),
        T(test_32bit_read_only),
        T(test_32bit_outside_ram),
        T(test_32bit_high_gva),
        T(test_pae_4k),
        T(test_pae_2m),
        T(test_pae_not_present),
        T(test_pae_read_only),
        T(test_pae_outside_ram),
        T(test_lm_4k),
        T(test_lm_1g),
        T(test_lm_2m),
        T(test_lm_canonical),
        T(test_lm_not_present),
        T(test_lm_read_only),
        T(test_lm_outside_ram),
        T(test_gpa_copy_across_pages),
        T(test_gpa_clear_across_pages),
        T(test_gpa_partial_failure),
        T(test_gpa_overflow),
        T(test_gpa_zero_length),
        T(test_guest_copy_across_pages),
        T(test_guest_copy_read_only),
        T(test_guest_copy_partial_failure),
        T(test_guest_copy_paging_off),
        T(test_guest_copy_32bit),
        T(test_guest_copy_no_vcpu),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
