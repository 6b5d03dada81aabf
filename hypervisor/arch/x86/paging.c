/*
 * Hypervisor page tables.  Boot runs on head.S's temporary tables
 * (identity map of 4 GiB); paging_init() builds the real ones: a direct map
 * of RAM at DIRECTMAP_VIRT (2 MiB pages where alignment allows), the image
 * at KERNEL_VIRT with W^X per section, and a vmap area filled on demand.
 * Until the switch, page-table pages are reached through the identity map,
 * so they come from below 4 GiB.
 */
#include <keel/bootmem.h>
#include <keel/lib.h>
#include <keel/page_alloc.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <asm/boot.h>
#include <asm/page.h>
#include <asm/paging.h>
#include <asm/processor.h>

#define PT_ENTRIES 512
#define PADDR_MASK 0x000ffffffffff000ULL
#define LARGE_SIZE (2UL << 20)

extern char _start[], _etext[], _erodata[], _edata_rw[], _edata[], _end[];

static paddr_t idle_pml4_pa;
static bool directmap_live;         /* page tables reachable via the direct map */
static uint64_t nx_bit;             /* PTE_NX if the CPU has NX */
static DEFINE_SPINLOCK(map_lock);
static uintptr_t vmap_next = VMAP_VIRT;

static uint64_t *pt_va(paddr_t pa)
{
    return directmap_live ? maddr_to_virt(pa) : (uint64_t *)(uintptr_t)pa;
}

static paddr_t pt_alloc(void)
{
    paddr_t pa;

    if (directmap_live && page_alloc_free_pages()) {
        mfn_t mfn = alloc_pages(0);
        pa = mfn == INVALID_MFN ? 0 : mfn << PAGE_SHIFT;
    } else {
        pa = bootmem_alloc(1, directmap_live ? ~0ULL : GiB(4));
    }
    if (!pa)
        panic("out of memory for page tables");
    memset(pt_va(pa), 0, PAGE_SIZE);
    return pa;
}

/*
 * The entry for va at the given level (3 = PML4 ... 0 = PT), allocating
 * tables on the way; NULL when a large page above that level covers va.
 */
static uint64_t *pt_walk(uintptr_t va, int level)
{
    uint64_t *table = pt_va(idle_pml4_pa);

    for (int l = 3; l > level; l--) {
        uint64_t *e = &table[(va >> (12 + 9 * l)) & (PT_ENTRIES - 1)];
        if (!(*e & PTE_P))
            *e = pt_alloc() | PTE_P | PTE_W;
        if (*e & PTE_PS)
            return NULL;
        table = pt_va(*e & PADDR_MASK);
    }
    return &table[(va >> (12 + 9 * level)) & (PT_ENTRIES - 1)];
}

/*
 * Map [va, va+len) to pa; 2 MiB pages where both are aligned and no 4 KiB
 * table is there already.  Parts already covered by a large page are left
 * alone (ranges given twice, like a module inside RAM, map identically).
 */
static void map_range(uintptr_t va, paddr_t pa, uint64_t len, uint64_t flags)
{
    while (len) {
        uint64_t step = PAGE_SIZE;
        uint64_t *e = NULL;

        if (IS_ALIGNED(va | pa, LARGE_SIZE) && len >= LARGE_SIZE) {
            e = pt_walk(va, 1);
            if (!e || !(*e & PTE_P)) {
                if (e)
                    *e = pa | flags | PTE_PS;
                step = LARGE_SIZE;
            }
        }
        if (step == PAGE_SIZE && (e = pt_walk(va, 0)))
            *e = pa | flags;
        va += step, pa += step, len -= step;
    }
}

static void map_directmap(paddr_t start, paddr_t end)
{
    start = ROUNDDOWN(start, PAGE_SIZE);
    end = ROUNDUP(end, PAGE_SIZE);
    if (end > start)
        map_range(DIRECTMAP_VIRT + start, start, end - start,
                  PTE_P | PTE_W | PTE_G | nx_bit);
}

static void map_image_part(const char *from, const char *to, uint64_t flags)
{
    uintptr_t va = (uintptr_t)from;
    map_range(va, va - KERNEL_VIRT, (uintptr_t)to - va, PTE_P | PTE_G | flags);
}

void paging_init(const struct boot_info *bi)
{
    nx_bit = (cpuid(0x80000001).edx & (1u << 20)) ? PTE_NX : 0;
    idle_pml4_pa = pt_alloc();

    map_directmap(0, MiB(1));       /* BIOS data, EBDA, the AP trampoline */
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        const struct mem_range *r = &bi->mem[i];
        if (r->type == MEM_RAM || r->type == MEM_ACPI || r->type == MEM_NVS)
            map_directmap(r->start, r->end);
    }
    for (unsigned int i = 0; i < bi->nr_mods; i++)
        map_directmap(bi->mods[i].start, bi->mods[i].end);

    map_image_part(_start, _etext, 0);                       /* code: R X */
    map_image_part(_etext, _erodata, nx_bit);                /* rodata: R */
    map_image_part(_erodata, _edata_rw, PTE_W | nx_bit);     /* data: R W */
    map_image_part(_edata_rw, _edata, nx_bit);               /* symbols: R */
    map_image_part(_edata, _end, PTE_W | nx_bit);            /* bss: R W */

    paging_load_idle_tables();
    directmap_live = true;
}

/*
 * CR4.PSE changes nothing in long mode, but an OS guest sets it (with
 * PGE and PAE), and QEMU flushes its whole TLB whenever a world switch
 * changes one of those bits: with the guest's value here, each VM exit
 * and entry of such a guest costs two flushes fewer.
 */
void paging_load_idle_tables(void)
{
    write_cr3(idle_pml4_pa);
    write_cr4(read_cr4() | CR4_PGE | CR4_PSE);
}

paddr_t paging_idle_pml4(void)
{
    return idle_pml4_pa;
}

static void *vmap(paddr_t pa, size_t len, uint64_t cache)
{
    paddr_t base = ROUNDDOWN(pa, PAGE_SIZE);
    uint64_t size = ROUNDUP(pa + len, PAGE_SIZE) - base;
    uintptr_t va;
    unsigned long flags;

    if (!len || pa + len < pa)
        return NULL;
    spin_lock_irqsave(&map_lock, flags);
    if (vmap_next + size > VMAP_VIRT + VMAP_SIZE) {
        spin_unlock_irqrestore(&map_lock, flags);
        return NULL;
    }
    va = vmap_next;
    vmap_next += size;
    for (uint64_t off = 0; off < size; off += PAGE_SIZE)
        *pt_walk(va + off, 0) = (base + off) | PTE_P | PTE_W | PTE_G | nx_bit | cache;
    spin_unlock_irqrestore(&map_lock, flags);
    return (void *)(va + (pa - base));
}

void *ioremap(paddr_t pa, size_t len)
{
    return vmap(pa, len, PTE_PCD | PTE_PWT);
}

void *vmap_cached(paddr_t pa, size_t len)
{
    return vmap(pa, len, 0);
}
