/*
 * Boot domains: one per "PATH domain ..." module, with the "PATH ramdisk"
 * module right after it as its initrd.  A bad module (unparsable string,
 * not a PVH kernel, more memory than is free) is reported and skipped; the
 * others still start.  on_*=restart rebuilds a domain from the same
 * modules, which stay reserved for that.
 */
#include <keel/acpi_build.h>
#include <keel/boot_domain.h>
#include <keel/guest_access.h>
#include <keel/bootinfo.h>
#include <keel/domain.h>
#include <keel/elf_pvh.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/pvh_build.h>
#include <asm/page.h>
#include <public/hvm/start_info.h>

static int write_acpi_tables(struct domain *d, unsigned int vcpus)
{
    static uint8_t tables[ACPI_GUEST_SIZE];     /* boot domains are built one at a time */
    size_t len = acpi_build_tables(tables, ACPI_GUEST_BASE, vcpus);
    if (!len)
        return -EINVAL;
    return copy_to_gpa(d, ACPI_GUEST_BASE, tables, len);
}

static int build_domain(const struct domain_config *cfg, unsigned int restarts)
{
    const void *kernel = maddr_to_virt(cfg->kernel_start);
    size_t klen = cfg->kernel_end - cfg->kernel_start;
    const void *ramdisk = cfg->ramdisk_end ? maddr_to_virt(cfg->ramdisk_start) : NULL;
    size_t rlen = cfg->ramdisk_end - cfg->ramdisk_start;
    uint64_t mem = cfg->memory_mib << 20;
    struct mem_range ram[PVH_MEMMAP_MAX];
    unsigned int nr_ram = guest_ram_ranges(mem, ram);
    struct pvh_kernel k;
    struct domain *d;
    s_time_t t0 = NOW();
    uint64_t start_info;
    char why[160];
    int rc;

    if (!nr_ram) {
        pr_err("domain %s: no memory; not started\n", cfg->name);
        return -EINVAL;
    }
    rc = elf_pvh_parse(kernel, klen, ram[0].end, &k, why, sizeof(why));
    if (rc < 0) {
        pr_err("domain %s: kernel not loadable: %s; not started\n", cfg->name, why);
        return rc;
    }
    /* Memory plus a margin for page tables and structures. */
    uint64_t need = (mem >> PAGE_SHIFT) + (mem >> (PAGE_SHIFT + 9)) + 16;
    if (need > page_alloc_free_pages()) {
        pr_err("domain %s: needs %lu MiB, only %lu MiB free; not started\n", cfg->name,
               (unsigned long)(need >> 8), (unsigned long)(page_alloc_free_pages() >> 8));
        return -ENOMEM;
    }
    rc = domain_create(cfg, &d);
    if (rc < 0) {
        pr_err("domain %s: cannot create (error %d); not started\n", cfg->name, rc);
        return rc;
    }
    d->restarts = restarts;
    s_time_t t_create = NOW();
    rc = domain_populate_ram(d, ram, nr_ram);
    if (rc < 0) {
        snprintf(why, sizeof(why), "out of memory for its RAM");
        goto fail;
    }
    s_time_t t_mem = NOW();
    rc = elf_pvh_load(kernel, klen, &k, d, why, sizeof(why));
    if (rc < 0)
        goto fail;
    s_time_t t_kernel = NOW();
    rc = write_acpi_tables(d, cfg->vcpus);
    if (rc < 0) {
        snprintf(why, sizeof(why), "cannot write its ACPI tables (error %d)", rc);
        goto fail;
    }
    rc = pvh_build_start_info(d, mem, &k, ramdisk, rlen, cfg->cmdline,
                              cfg->is_privileged ? SIF_PRIVILEGED | SIF_INITDOMAIN : 0,
                              ACPI_GUEST_BASE, &start_info, why, sizeof(why));
    if (rc < 0)
        goto fail;
    arch_vcpu_set_pvh_entry(d->vcpu[0], k.entry, (uint32_t)start_info);
    domain_start(d);
    pr_debug("d%u %s: build took %lu us checking and creating, %lu us for RAM, "
             "%lu us loading the kernel, %lu us for the rest\n", d->domain_id, d->name,
             (unsigned long)((t_create - t0) / 1000), (unsigned long)((t_mem - t_create) / 1000),
             (unsigned long)((t_kernel - t_mem) / 1000), (unsigned long)((NOW() - t_kernel) / 1000));
    pr_info("d%u %s: %lu MiB, %u vCPU%s, built in %lu us\n", d->domain_id, d->name,
            (unsigned long)cfg->memory_mib, cfg->vcpus, cfg->vcpus == 1 ? "" : "s",
            (unsigned long)((NOW() - t0) / 1000));
    return 0;
fail:
    pr_err("domain %s: cannot build: %s; not started\n", cfg->name, why);
    domain_destroy(d);
    return rc;
}

static void restart_domain(const struct domain_config *cfg, unsigned int restarts)
{
    pr_info("%s: restarting (restart %u)\n", cfg->name, restarts);
    build_domain(cfg, restarts);
}

void boot_domains_start(const struct boot_info *bi)
{
    domain_set_restart_hook(restart_domain);
    domains_boot_begin();
    console_ring_start_polling();
    if (bi->nr_mods && !arch_virt_enabled()) {
        pr_err("no hardware virtualization: boot domains are not started\n");
        domains_boot_done();
        return;
    }
    for (unsigned int i = 0; i < bi->nr_mods; i++) {
        const struct boot_module *m = &bi->mods[i];
        struct domain_config cfg;
        char why[160];

        switch (boot_module_classify(m->cmdline)) {
        case BOOT_MODULE_RAMDISK:
            pr_warn("module %u: a ramdisk without a domain module before it; ignored\n", i);
            continue;
        case BOOT_MODULE_UNKNOWN:
            pr_warn("module %u: not a boot domain (\"PATH domain name=NAME ...\") "
                    "or ramdisk; ignored\n", i);
            continue;
        case BOOT_MODULE_DOMAIN:
            break;
        }
        if (boot_domain_parse(m->cmdline, &cfg, why, sizeof(why)) < 0) {
            pr_err("module %u: %s; domain not started\n", i, why);
            if (i + 1 < bi->nr_mods &&
                boot_module_classify(bi->mods[i + 1].cmdline) == BOOT_MODULE_RAMDISK)
                i++;                /* its ramdisk goes with it */
            continue;
        }
        cfg.kernel_start = m->start;
        cfg.kernel_end = m->end;
        if (i + 1 < bi->nr_mods &&
            boot_module_classify(bi->mods[i + 1].cmdline) == BOOT_MODULE_RAMDISK) {
            i++;
            cfg.ramdisk_start = bi->mods[i].start;
            cfg.ramdisk_end = bi->mods[i].end;
        }
        build_domain(&cfg, 0);
    }
    domains_boot_done();
}
