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

/* Parameter indices. */
#define HVM_PARAM_CALLBACK_IRQ       0
#define HVM_PARAM_STORE_PFN          1
#define HVM_PARAM_STORE_EVTCHN       2
#define HVM_PARAM_CONSOLE_PFN       17
#define HVM_PARAM_CONSOLE_EVTCHN    18
#define HVM_NR_PARAMS               39

/* CALLBACK_IRQ value: the delivery type in bits 63:56. */
#define HVM_PARAM_CALLBACK_TYPE_GSI     0
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX 1
#define HVM_PARAM_CALLBACK_TYPE_VECTOR  2
#define HVM_PARAM_CALLBACK_TYPE(v)      ((unsigned int)((v) >> 56))

#endif
