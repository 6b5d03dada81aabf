/*
 * ACPI tables for PVH guests: what Linux needs to find its CPUs and to run
 * its Xen timer (see docs/internals.md): RSDP, XSDT, a hardware-reduced
 * FADT, an empty DSDT and a MADT with one local x2APIC-capable APIC entry
 * per vCPU (processor UID = APIC ID = vCPU ID).  No I/O APIC, no HPET.
 */
#ifndef KEEL_ACPI_BUILD_H
#define KEEL_ACPI_BUILD_H

#include <keel/types.h>

/* Where the tables go in guest memory: the legacy BIOS area, which Linux
 * never uses as RAM (it reserves 0xA0000-0xFFFFF itself). */
#define ACPI_GUEST_BASE  0xe0000
#define ACPI_GUEST_SIZE  0x2000

/*
 * The hardware-reduced FADT's sleep and reset registers: I/O ports whose
 * writes end the domain.  Sleep control: SLP_TYP in bits 4:2, SLP_EN bit 5;
 * S5 (sleep type ACPI_SLP_TYP_S5) is power-off.  Reset: ACPI_RESET_VALUE.
 */
#define ACPI_SLEEP_CONTROL_PORT 0xb000
#define ACPI_SLEEP_STATUS_PORT  0xb001
#define ACPI_RESET_PORT         0xb002
#define ACPI_RESET_VALUE        0x01
#define ACPI_SLP_TYP_S5         5
#define ACPI_SLP_EN             (1u << 5)

/*
 * Build the tables for nr_vcpus (1..255) into buf (ACPI_GUEST_SIZE bytes),
 * laid out as they will be at guest-physical base.  Returns the bytes used,
 * or 0 if nr_vcpus is out of range.  The RSDP is at base.
 */
size_t acpi_build_tables(void *buf, uint64_t base, unsigned int nr_vcpus);

#endif
