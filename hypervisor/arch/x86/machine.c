/* Powering the machine off: ACPI S5, else QEMU's isa-debug-exit device. */
#include <keel/idle.h>
#include <keel/printk.h>
#include <asm/acpi.h>
#include <asm/io.h>
#include <asm/time.h>

#define ISA_DEBUG_EXIT_PORT 0xf4

void machine_poweroff(void)
{
    acpi_poweroff();
    mdelay(500);
    pr_warn("ACPI power-off did not take effect; trying isa-debug-exit\n");
    /* QEMU exits with status (value << 1) | 1; elsewhere this port is unused. */
    outb(ISA_DEBUG_EXIT_PORT, 0);
    mdelay(100);
    pr_err("could not power off\n");
}
