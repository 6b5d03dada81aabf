/*
 * Receiving events the way Linux's 2-level code does, for guests that
 * take upcalls through the callback vector.
 */
#include "guest.h"
#include <public/hvm/hvm_op.h>
#include <public/shared_info.h>

void evtchn_upcall_scan(struct shared_info *si, unsigned int vcpu, void (*fn)(unsigned int port))
{
    struct vcpu_info *vi = &si->vcpu_info[vcpu];

    /* The flag first, then the selector: an event raised meanwhile sets
     * both again, so it is seen now or by the next upcall. */
    __atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    unsigned long sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    for (unsigned int w = 0; sel; w++, sel >>= 1) {
        if (!(sel & 1))
            continue;
        unsigned long bits = __atomic_load_n(&si->evtchn_pending[w], __ATOMIC_SEQ_CST) &
                             ~__atomic_load_n(&si->evtchn_mask[w], __ATOMIC_SEQ_CST);
        __atomic_fetch_and(&si->evtchn_pending[w], ~bits, __ATOMIC_SEQ_CST);
        for (unsigned int b = 0; bits; b++, bits >>= 1)
            if (bits & 1)
                fn(w * 64 + b);
    }
}

long set_callback_vector(uint8_t vector)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ,
                               .value = (2ULL << 56) | vector };
    return hypercall(__HYPERVISOR_hvm_op, HVMOP_set_param, (unsigned long)&p, 0, 0, 0);
}
