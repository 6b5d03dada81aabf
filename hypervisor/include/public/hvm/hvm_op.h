/*
 * hvm_op (hypercall 34): the sub-ops and parameters Keel implements, with
 * Xen's numbers and layouts (the same for 32- and 64-bit callers).
 */
#ifndef PUBLIC_HVM_HVM_OP_H
#define PUBLIC_HVM_HVM_OP_H

#include "../xen.h"

#define HVMOP_set_param              0
#define HVMOP_get_param              1
#define HVMOP_pagetable_dying        9
#define HVMOP_set_evtchn_upcall_vector 23

struct xen_hvm_param {
    domid_t domid;
    uint32_t index;                 /* HVM_PARAM_* */
    uint64_t value;
};
_Static_assert(sizeof(struct xen_hvm_param) == 16 &&
               __builtin_offsetof(struct xen_hvm_param, index) == 4 &&
               __builtin_offsetof(struct xen_hvm_param, value) == 8, "xen_hvm_param");

/* Parameter indices (those Keel's access rules name). */
#define HVM_PARAM_CALLBACK_IRQ       0
#define HVM_PARAM_STORE_PFN          1
#define HVM_PARAM_STORE_EVTCHN       2
#define HVM_PARAM_PAE_ENABLED        4      /* deprecated */
#define HVM_PARAM_IOREQ_PFN          5
#define HVM_PARAM_BUFIOREQ_PFN       6
#define HVM_PARAM_VIRIDIAN           9
#define HVM_PARAM_TIMER_MODE        10
#define HVM_PARAM_DM_DOMAIN         13      /* deprecated */
#define HVM_PARAM_VM86_TSS          15
#define HVM_PARAM_CONSOLE_PFN       17
#define HVM_PARAM_CONSOLE_EVTCHN    18
#define HVM_PARAM_ACPI_IOPORTS_LOCATION 19
#define HVM_PARAM_MEMORY_EVENT_CR0  20      /* 20-26 and 30: deprecated */
#define HVM_PARAM_MEMORY_EVENT_CR3  21
#define HVM_PARAM_MEMORY_EVENT_CR4  22
#define HVM_PARAM_MEMORY_EVENT_INT3 23
#define HVM_PARAM_NESTEDHVM         24
#define HVM_PARAM_MEMORY_EVENT_SINGLE_STEP 25
#define HVM_PARAM_BUFIOREQ_EVTCHN   26
#define HVM_PARAM_MEMORY_EVENT_MSR  30
#define HVM_PARAM_IOREQ_SERVER_PFN  32
#define HVM_PARAM_NR_IOREQ_SERVER_PAGES 33
#define HVM_PARAM_VM_GENERATION_ID_ADDR 34
#define HVM_PARAM_ALTP2M            35
#define HVM_PARAM_X87_FIP_WIDTH     36
#define HVM_PARAM_VM86_TSS_SIZED    37
#define HVM_PARAM_MCA_CAP           38
#define HVM_NR_PARAMS               39

/* TIMER_MODE values: 0 .. HVMPTM_one_missed_tick_pending. */
#define HVMPTM_one_missed_tick_pending 3

/* CALLBACK_IRQ value: the delivery type in bits 63:56. */
#define HVM_PARAM_CALLBACK_TYPE_GSI     0
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX 1
#define HVM_PARAM_CALLBACK_TYPE_VECTOR  2
#define HVM_PARAM_CALLBACK_TYPE(v)      ((unsigned int)((v) >> 56))

#endif
