/*
 * A guest's i8254 programmable interval timer and the timer bits of port
 * 0x61, as counters only: they count down at 1.193182 MHz and can be read,
 * latched and gated, but raise no interrupt (a PVH domain has no PIC or
 * IO-APIC to deliver one to).  That is what calibration loops use: Linux's
 * quick PIT calibration reads counter 2 about 4,000 times over 50 ms, and
 * without a counter that moves it spins through 100,000 reads of an empty
 * port before giving up.  Xen gives PVH domains no PIT at all; this is one
 * of the places where Keel does more.
 *
 * Pure logic: time comes in as nanoseconds, so it runs in host tests.
 */
#ifndef ASM_PIT_H
#define ASM_PIT_H

#include <keel/spinlock.h>
#include <keel/types.h>

#define PIT_HZ 1193182u

struct pit_channel {
    uint32_t reload;            /* count written (0 means 65536) */
    uint64_t start_ns;          /* when counting (re)started */
    uint32_t frozen;            /* count while the gate is low */
    uint16_t latch;             /* latched count */
    uint8_t mode, rw;           /* control word: mode 0-5, access 1-3 */
    uint8_t status;             /* latched status byte */
    bool latched, status_latched;
    bool read_msb, write_msb;   /* next byte of a two-byte access */
    bool counting;              /* a count was loaded */
    bool gate;
    uint8_t write_lsb;          /* first half of a two-byte count */
};

struct pit {
    spinlock_t lock;
    struct pit_channel ch[3];
    uint8_t port61;             /* bits 0-3 as last written */
};

void pit_init(struct pit *p);
/* Ports 0x40-0x43 and 0x61, byte accesses. */
bool pit_handles(uint16_t port);
uint8_t pit_read(struct pit *p, uint16_t port, uint64_t now_ns);
void pit_write(struct pit *p, uint16_t port, uint8_t val, uint64_t now_ns);

#endif
