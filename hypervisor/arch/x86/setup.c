/*
 * start_keel(): the boot CPU's path from head.S to "ready".  Order matters:
 * the console and exception handling first (so that anything later is
 * reported), then the loader's information and the command line, memory,
 * ACPI, interrupts and time, the other CPUs.
 */
#include <keel/bootinfo.h>
#include <keel/bootmem.h>
#include <keel/cmdline.h>
#include <keel/boot_domain.h>
#include <keel/hypercall.h>
#include <keel/schedule.h>
#include <keel/lib.h>
#include <keel/page_alloc.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/selftest.h>
#include <keel/smp.h>
#include <keel/timer.h>
#include <keel/version.h>
#include <keel/xmalloc.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/hvm.h>
#include <asm/boot.h>
#include <asm/page.h>
#include <asm/paging.h>
#include <asm/serial.h>
#include <asm/smpboot.h>
#include <asm/system.h>
#include <asm/test_fault.h>
#include <asm/time.h>

/* Keel will not start with less free RAM than this after its own setup. */
#define MIN_FREE_MIB 8

static unsigned int opt_maxcpus;        /* 0: all */
integer_param(maxcpus, opt_maxcpus, 1, NR_CPUS);

static struct boot_info boot_info;
extern char _start[], _end[];

/* Before paging_init, the low 4 GiB are identity-mapped (head.S). */
static const void *boot_phys_reader(void *ctx, paddr_t pa, size_t len)
{
    if (pa + len < pa || pa + len > GiB(4))
        return NULL;
    return (const void *)(uintptr_t)pa;
}

static void parse_loader_info(uint32_t magic, uint32_t info_pa)
{
    int rc;

    if (magic == MB1_BOOTLOADER_MAGIC)
        rc = multiboot1_parse(&boot_info, info_pa, boot_phys_reader, NULL);
    else if (magic == MB2_BOOTLOADER_MAGIC)
        rc = multiboot2_parse(&boot_info, info_pa, boot_phys_reader, NULL);
    else
        panic("not started by a Multiboot loader (EAX=0x%x): boot Keel with "
              "GRUB (multiboot2) or QEMU -kernel", magic);
    if (rc < 0)
        panic("the boot loader's information at 0x%x is unreadable (error %d)", info_pa, rc);
    pr_info("boot loader: %s (Multiboot%u)\n",
            boot_info.loader[0] ? boot_info.loader : "unnamed", boot_info.protocol);
}

static const char *mem_type_name(uint32_t type)
{
    switch (type) {
    case MEM_RAM: return "RAM";
    case MEM_ACPI: return "ACPI data";
    case MEM_NVS: return "ACPI NVS";
    case MEM_BAD: return "bad RAM";
    default: return "reserved";
    }
}

static void log_boot_info(void)
{
    for (unsigned int i = 0; i < boot_info.nr_mem; i++)
        pr_debug(" memory %016lx-%016lx %s\n", boot_info.mem[i].start,
                 boot_info.mem[i].end, mem_type_name(boot_info.mem[i].type));
    if (!boot_info.nr_mods)
        pr_info("no modules\n");
    for (unsigned int i = 0; i < boot_info.nr_mods; i++) {
        const struct boot_module *m = &boot_info.mods[i];
        pr_info("module %u: %lx-%lx (%lu bytes): %s\n", i, m->start, m->end,
                m->end - m->start, m->cmdline);
    }
}

/* A free RAM page below 1 MiB for the secondary CPUs' start-up code. */
static paddr_t find_trampoline_page(void)
{
    for (paddr_t pa = 0x9e000; pa >= 0x1000; pa -= PAGE_SIZE) {
        bool ram = false, busy = false;
        for (unsigned int i = 0; i < boot_info.nr_mem; i++) {
            const struct mem_range *r = &boot_info.mem[i];
            if (r->type == MEM_RAM && r->start <= pa && pa + PAGE_SIZE <= r->end)
                ram = true;
        }
        for (unsigned int i = 0; i < boot_info.nr_mods; i++)
            if (boot_info.mods[i].start < pa + PAGE_SIZE && pa < boot_info.mods[i].end)
                busy = true;
        if (ram && !busy)
            return pa;
    }
    return 0;
}

static void memory_init(void)
{
    const struct mem_range reserved[] = {
        { 0, MiB(1), MEM_RESERVED },    /* firmware areas, trampoline */
        { virt_to_maddr(_start), virt_to_maddr(_end), MEM_RESERVED },
    };
    uint64_t ram = 0;

    if (!boot_info.nr_mem)
        panic("the boot loader gave no memory map; Keel cannot tell where RAM is");
    for (unsigned int i = 0; i < boot_info.nr_mem; i++)
        if (boot_info.mem[i].type == MEM_RAM)
            ram += boot_info.mem[i].end - boot_info.mem[i].start;
    if (bootmem_init(&boot_info, reserved, ARRAY_SIZE(reserved)) < 0)
        panic("memory map too fragmented to manage");
    if (bootmem_free_pages() < (MiB(MIN_FREE_MIB) >> PAGE_SHIFT))
        panic("not enough memory: Keel needs at least %u MiB of free RAM, this "
              "machine has %lu MiB of RAM and %lu MiB free after the image and modules",
              MIN_FREE_MIB, ram >> 20, bootmem_free_pages() >> 8);

    paging_init(&boot_info);

    mfn_t frames = bootmem_max_frame();
    size_t table_bytes = page_alloc_table_bytes(frames);
    paddr_t table = bootmem_alloc(PFN_UP(table_bytes), ~0ULL);
    if (!table)
        panic("not enough memory for the frame table (%lu KiB)", table_bytes >> 10);
    page_alloc_init(maddr_to_virt(table), frames);
    bootmem_hand_over();
    if (page_alloc_free_pages() < (MiB(MIN_FREE_MIB) >> PAGE_SHIFT))
        panic("not enough memory: Keel needs at least %u MiB of free RAM, "
              "%lu MiB are left after its own setup", MIN_FREE_MIB,
              page_alloc_free_pages() >> 8);
    pr_info("memory: %lu MiB RAM, %lu MiB free, frame table %lu KiB\n",
            ram >> 20, page_alloc_free_pages() >> 8, table_bytes >> 10);
}

void start_keel(uint32_t magic, uint32_t info_pa)
{
    smp_init_boot_cpu();            /* GS base, GDT, TSS, IDT: faults are dumped */
    serial_early_init();
    pr_info("Keel %s starting\n", KEEL_VERSION);

    parse_loader_info(magic, info_pa);
    pr_info("command line: %s\n", boot_info.cmdline);
    unsigned int bad = cmdline_parse(boot_info.cmdline);
    if (bad)
        pr_warn("%u command-line word%s ignored (see above)\n", bad, bad == 1 ? "" : "s");
    log_boot_info();

    paddr_t trampoline = find_trampoline_page();
    memory_init();
    acpi_init(&boot_info);
    apic_init_bsp();
    apic_init_cpu();
    time_init();
    timer_subsystem_init();
    hvm_init();
    pvclock_init();
    if (hvm_cpu_up() < 0)
        panic("out of memory enabling virtualization on the boot CPU");
    local_irq_enable();
    smp_boot_secondary_cpus(opt_maxcpus, trampoline);
    scheduler_init(nr_cpus_online);
    selftest_timers_all_cpus();

    pr_info("ready: %u CPUs, %lu MiB free\n", nr_cpus_online,
            page_alloc_free_pages() >> 8);
    test_fault_maybe();

    hypercall_set_hypervisor_cmdline(boot_info.cmdline);
    boot_domains_start(&boot_info);
    cpu_run_loop();
}
