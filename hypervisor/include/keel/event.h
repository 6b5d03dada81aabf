/*
 * Event channels, 2-level ABI (Xen 4.17 semantics and error codes).
 *
 * Each domain has ports 1 .. nr_ports-1 (port 0 is never handed out:
 * Linux reads 0 as "no port").  A port is free, unbound (waiting for
 * a given remote domain to bind to it), interdomain (connected to
 * <remote domain, remote port>), virq (a virtual IRQ on a vCPU) or ipi
 * (the domain signals itself).  The port table lives in buckets of
 * EVTCHN_PER_BUCKET ports allocated on first use.
 *
 * Delivery sets the port's bit in the domain's shared_info evtchn_pending;
 * if it was clear and the port is not masked, it sets the word's bit in
 * the notified vCPU's evtchn_pending_sel and that vCPU's
 * evtchn_upcall_pending, and when upcall_pending goes 0 -> 1 it calls
 * evtchn_notify_vcpu() (the arch injects the upcall / wakes the vCPU).
 * shared_info and vcpu_info are guest-writable: only atomic bit operations
 * touch them, and nothing read from them is trusted.
 *
 * Locking.  Each domain's port table has a lock (evtchn.lock, taken with
 * interrupts off so that VIRQs may be sent from interrupt context).
 * Operations that make or break an interdomain connection (bind_interdomain,
 * close, reset, destroy) and those that look up another domain by id first
 * take one global lock, then the two domains' locks lower domain id first
 * (once when both ends are the same domain).  A send holds only the
 * sender's lock: the connection cannot be broken while it is held, so the
 * receiver's port and shared_info stay valid.  Order:
 *   evtchn global lock -> domain evtchn.lock (lower id first) -> whatever
 *   evtchn_notify_vcpu() takes (vCPU / scheduler locks).
 *
 * Lifetime.  A domain must be invisible to domain_by_id() (DOMAIN_DYING)
 * before evtchn_destroy() runs, and its struct domain / vCPUs freed only
 * after it returns: then no other domain's port refers to it any more.
 *
 * Not done (yet): 32-bit guests' compat shared_info (1024 ports), PIRQs,
 * the FIFO ABI (EVTCHNOP_init_control answers -ENOSYS in the wrapper).
 */
#ifndef KEEL_EVENT_H
#define KEEL_EVENT_H

#include <keel/domain_config.h>     /* MAX_VIRT_CPUS */
#include <keel/spinlock.h>
#include <keel/types.h>
#include <public/event_channel.h>
#include <public/shared_info.h>

struct domain;
struct vcpu;

#define EVTCHN_PER_BUCKET   64
#define EVTCHN_MAX_PORTS    EVTCHN_2L_NR_CHANNELS      /* 4096, 64-bit guests */
#define EVTCHN_NR_BUCKETS   (EVTCHN_MAX_PORTS / EVTCHN_PER_BUCKET)

enum evtchn_state {
    ECS_FREE = 0,           /* not in use (zeroed memory is free) */
    ECS_UNBOUND,            /* waiting for remote_domid to bind */
    ECS_INTERDOMAIN,        /* connected to <remote, remote_port> */
    ECS_VIRQ,               /* bound to virq on notify_vcpu */
    ECS_IPI,                /* self-notification, to notify_vcpu */
};

struct evtchn {
    uint8_t state;                  /* enum evtchn_state */
    uint8_t virq;                   /* ECS_VIRQ */
    uint16_t notify_vcpu;           /* vCPU whose selector/upcall we set */
    domid_t remote_domid;           /* ECS_UNBOUND: who may bind */
    uint16_t remote_port;           /* ECS_INTERDOMAIN (< 4096) */
    struct domain *remote;          /* ECS_INTERDOMAIN */
};

/* Embedded in struct domain as d->evtchn; all zero is a valid "no ports". */
struct evtchn_domain {
    spinlock_t lock;
    bool dying;                     /* evtchn_destroy() ran: no new ports */
    unsigned int nr_ports;          /* valid ports are < nr_ports */
    struct shared_info *shared_info;    /* hypervisor mapping of the page */
    /* Where each vCPU's vcpu_info is; NULL: its shared_info slot (< 32). */
    struct vcpu_info *vcpu_info[MAX_VIRT_CPUS];
    /* Port bound to each VIRQ on each vCPU (0: none; global ones on vCPU 0). */
    uint16_t virq_to_port[MAX_VIRT_CPUS][NR_VIRQS];
    struct evtchn *bucket[EVTCHN_NR_BUCKETS];
};

/*
 * Set up d->evtchn: the shared_info page (hypervisor mapping, zeroed by the
 * caller; NULL: events are not delivered until it is set) and the number
 * of ports (0 or more than EVTCHN_MAX_PORTS: EVTCHN_MAX_PORTS).
 */
void evtchn_init(struct domain *d, struct shared_info *shared_info,
                 unsigned int nr_ports);
/* Close every port (remote ends go back to unbound) and free the table. */
void evtchn_destroy(struct domain *d);
/*
 * vCPU v's vcpu_info now lives at vi (VCPUOP_register_vcpu_info; the caller
 * has copied the old contents there).  Marks every selector bit and the
 * upcall pending so the guest rescans, as Xen does, and notifies v.
 */
void evtchn_set_vcpu_info(struct vcpu *v, struct vcpu_info *vi);

/*
 * The EVTCHNOP_* operations.  caller is the calling domain; the argument
 * is the guest's structure, already copied in (OUT fields are filled on
 * success).  Each returns 0 or a negative errno, exactly as Xen's:
 *   -EINVAL   bad port, wrong port state, bad VIRQ, global VIRQ not on vCPU 0
 *   -ENOENT   no such vCPU
 *   -EEXIST   VIRQ already bound on that vCPU
 *   -ESRCH    no such domain
 *   -EPERM    another domain's port without privilege
 *   -ENOSPC   no free port; -ENOMEM no memory for a bucket
 */
int evtchn_alloc_unbound(struct domain *caller, struct evtchn_alloc_unbound *op);
int evtchn_bind_interdomain(struct domain *caller, struct evtchn_bind_interdomain *op);
int evtchn_bind_virq(struct domain *caller, struct evtchn_bind_virq *op);
int evtchn_bind_ipi(struct domain *caller, struct evtchn_bind_ipi *op);
int evtchn_bind_vcpu(struct domain *caller, evtchn_port_t port, unsigned int vcpu_id);
int evtchn_send(struct domain *caller, evtchn_port_t port);
int evtchn_close(struct domain *caller, evtchn_port_t port);
int evtchn_status(struct domain *caller, struct evtchn_status *op);
int evtchn_unmask(struct domain *caller, evtchn_port_t port);
/* resuming: EVTCHNOP_reset_cont, -EBUSY after the same checks (Keel's
 * resets run to completion, so none is ever under way). */
int evtchn_reset(struct domain *caller, const struct evtchn_reset *op, bool resuming);

/* Raise a VIRQ from the hypervisor: per-vCPU ones on v, global ones on d. */
void evtchn_send_virq(struct vcpu *v, unsigned int virq);
void evtchn_send_global_virq(struct domain *d, unsigned int virq);
bool evtchn_virq_is_global(unsigned int virq);

/* Raise d's own port from the hypervisor's side (Keel as the backend). */
void evtchn_raise_local(struct domain *d, evtchn_port_t port);

/* Is port pending in d's shared_info (masked or not; SCHEDOP_poll)? */
bool evtchn_port_is_pending(struct domain *d, evtchn_port_t port);

/*
 * SCHEDOP_poll waiters (struct vcpu poll_port).  A port that becomes
 * pending wakes the vCPUs polling it even when it is masked: that is how
 * PV spinlocks wait on a masked IPI port.  The poller blocks first, then
 * checks its ports, so no wake-up is lost between the two.
 */
#define POLL_NONE (-1)
#define POLL_ANY  (-2)              /* several ports: any event wakes it */
void evtchn_check_pollers(struct domain *d, evtchn_port_t port);
/* Debug key 'e': d's ports and pending state. */
void evtchn_dump(struct domain *d);

/* v's evtchn_upcall_pending (what the arch checks before entering v). */
bool evtchn_upcall_pending(struct vcpu *v);

/*
 * Arch/glue hook: v has a new upcall pending (evtchn_upcall_pending went
 * from 0 to 1): inject the callback vector / wake v if it is blocked.
 * Called with event-channel locks held; it must not call back into this
 * file.  event_channel.c has a weak default that does nothing.
 */
void evtchn_notify_vcpu(struct vcpu *v);

#endif
