/*
 * Port I/O of guests.  The only emulated device is the PIT's counters with
 * port 0x61 (hvm/pit.c); port 0xe9 is a debug console into the domain's
 * log, the ACPI sleep and reset registers end the domain (power-off,
 * reboot), every other port reads as all ones and ignores writes (what an
 * empty bus does).
 */
#include <keel/acpi_build.h>
#include <keel/domain.h>
#include <keel/time.h>
#include <asm/hvm.h>
#include <asm/pit.h>

#define DEBUG_CONSOLE_PORT 0xe9

uint32_t hvm_io_in(struct vcpu *v, uint16_t port, unsigned int size)
{
    if (size == 1 && pit_handles(port))
        return pit_read(&v->domain->arch.pit, port, (uint64_t)NOW());
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

void hvm_io_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t val)
{
    if (size == 1 && pit_handles(port)) {
        pit_write(&v->domain->arch.pit, port, (uint8_t)val, (uint64_t)NOW());
        return;
    }
    switch (port) {
    case DEBUG_CONSOLE_PORT:
        if (size == 1) {
            char c = (char)val;
            domain_console_write(v->domain, &c, 1);
        }
        break;
    case ACPI_SLEEP_CONTROL_PORT:   /* the ACPI tables' sleep register */
        if ((val & ACPI_SLP_EN) && ((val >> 2) & 7) == ACPI_SLP_TYP_S5)
            domain_shutdown(v->domain, SHUTDOWN_POWEROFF);
        break;
    case ACPI_RESET_PORT:           /* ... and reset register */
        if ((val & 0xff) == ACPI_RESET_VALUE)
            domain_shutdown(v->domain, SHUTDOWN_REBOOT);
        break;
    }
}
