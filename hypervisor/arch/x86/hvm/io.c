/*
 * Port I/O of guests.  There are no emulated devices: port 0xe9 is a debug
 * console into the domain's log, every other port reads as all ones and
 * ignores writes (what an empty bus does).
 */
#include <keel/domain.h>
#include <asm/hvm.h>

#define DEBUG_CONSOLE_PORT 0xe9

uint32_t hvm_io_in(struct vcpu *v, uint16_t port, unsigned int size)
{
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

void hvm_io_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t val)
{
    if (port == DEBUG_CONSOLE_PORT && size == 1) {
        char c = (char)val;
        domain_console_write(v->domain, &c, 1);
    }
}
