/* Local APIC: x2APIC through MSRs when the CPU has it, xAPIC MMIO otherwise. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <keel/types.h>

#define APIC_TIMER_VECTOR     0xf0
#define APIC_CALL_VECTOR      0xf1    /* smp_call_function */
#define APIC_EVENT_VECTOR     0xf2    /* wake up and look at softirqs */
#define APIC_SPURIOUS_VECTOR  0xff

void apic_init_bsp(void);       /* choose the mode, map the xAPIC page */
void apic_init_cpu(void);       /* enable this CPU's APIC */
bool apic_ready(void);
bool apic_is_x2apic(void);
uint32_t apic_read_id(void);
void apic_eoi(void);
void apic_send_ipi(uint32_t apic_id, uint8_t vector);
void apic_send_nmi(uint32_t apic_id);
void apic_send_init(uint32_t apic_id);
void apic_send_sipi(uint32_t apic_id, uint8_t page);

/* One-shot timer, in APIC timer ticks (divide by 16). */
void apic_timer_oneshot(uint32_t ticks);
void apic_timer_stop(void);
uint32_t apic_timer_current(void);
void apic_timer_start_free_running(void);

#endif
