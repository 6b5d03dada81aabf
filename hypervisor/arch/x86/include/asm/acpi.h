/* What Keel reads from the ACPI tables: the CPUs (MADT) and power-off (FADT). */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <keel/bootinfo.h>
#include <keel/smp.h>

struct acpi_info {
    bool found;                         /* RSDP found and valid */
    unsigned int nr_cpus;               /* enabled local APICs in the MADT */
    uint32_t apic_ids[NR_CPUS];
    unsigned int cpus_ignored;          /* beyond NR_CPUS */
    uint16_t pm1a_cnt, pm1b_cnt;        /* I/O ports, 0 if absent */
    uint16_t slp_typ_s5a, slp_typ_s5b;
    uint32_t smi_cmd;
    uint8_t acpi_enable;
};

extern struct acpi_info acpi;

void acpi_init(const struct boot_info *bi);
/* Enter S5.  Returns only if that did not work. */
void acpi_poweroff(void);

#endif
