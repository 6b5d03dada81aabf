/*
 * event_channel_op (hypercall 32): long event_channel_op(int cmd, void *arg).
 * Sub-op numbers, argument layouts and status codes are Xen 4.17's (read
 * in xen/include/public/event_channel.h); see README.md.  Every argument
 * structure is made of 2- and 4-byte fields only, so the 64-bit and the
 * 32-bit (compat) layouts are the same and no compat_ variants exist.
 * The legacy event_channel_op_compat (hypercall 16) takes one struct
 * evtchn_op: the sub-op number followed by its argument.
 */
#ifndef KEEL_PUBLIC_EVENT_CHANNEL_H
#define KEEL_PUBLIC_EVENT_CHANNEL_H

#include "xen.h"

#define EVTCHNOP_bind_interdomain  0    /* struct evtchn_bind_interdomain */
#define EVTCHNOP_bind_virq         1    /* struct evtchn_bind_virq */
#define EVTCHNOP_bind_pirq         2    /* struct evtchn_bind_pirq */
#define EVTCHNOP_close             3    /* struct evtchn_close */
#define EVTCHNOP_send              4    /* struct evtchn_send */
#define EVTCHNOP_status            5    /* struct evtchn_status */
#define EVTCHNOP_alloc_unbound     6    /* struct evtchn_alloc_unbound */
#define EVTCHNOP_bind_ipi          7    /* struct evtchn_bind_ipi */
#define EVTCHNOP_bind_vcpu         8    /* struct evtchn_bind_vcpu */
#define EVTCHNOP_unmask            9    /* struct evtchn_unmask */
#define EVTCHNOP_reset            10    /* struct evtchn_reset */
#define EVTCHNOP_init_control     11    /* FIFO ABI: struct evtchn_init_control */
#define EVTCHNOP_expand_array     12    /* FIFO ABI: struct evtchn_expand_array */
#define EVTCHNOP_set_priority     13    /* FIFO ABI: struct evtchn_set_priority */
#define EVTCHNOP_reset_cont       14    /* struct evtchn_reset: resume a preempted reset */

/*
 * Ports of the 2-level ABI: one bit per port in shared_info's
 * evtchn_pending / evtchn_mask arrays, found through one selector bit per
 * word in vcpu_info's evtchn_pending_sel.  A 64-bit guest has 64 words of
 * 64 bits; a 32-bit one 32 words of 32 bits.
 */
#define EVTCHN_2L_NR_CHANNELS        4096u
#define COMPAT_EVTCHN_2L_NR_CHANNELS 1024u

/*
 * Allocate a fresh port in domain dom (DOMID_SELF unless the caller is
 * privileged) that domain remote_dom (DOMID_SELF: loopback) may bind to.
 */
struct evtchn_alloc_unbound {
    domid_t dom;                    /* in */
    domid_t remote_dom;             /* in */
    evtchn_port_t port;             /* out */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;

/*
 * Connect a fresh local port to <remote_dom, remote_port>, which must be
 * unbound and waiting for the caller.
 */
struct evtchn_bind_interdomain {
    domid_t remote_dom;             /* in; DOMID_SELF allowed */
    evtchn_port_t remote_port;      /* in */
    evtchn_port_t local_port;       /* out */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;

/*
 * Bind a fresh port to VIRQ virq on vcpu.  Per-vCPU VIRQs (TIMER, DEBUG,
 * XENOPROF, XENPMU) are bound once per vCPU and stay on it; global ones
 * are bound on vCPU 0 and may move with EVTCHNOP_bind_vcpu.
 */
struct evtchn_bind_virq {
    uint32_t virq;                  /* in: VIRQ_* */
    uint32_t vcpu;                  /* in */
    evtchn_port_t port;             /* out */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;

/* Bind a fresh port to physical IRQ pirq (privileged domains). */
struct evtchn_bind_pirq {
    uint32_t pirq;                  /* in */
#define BIND_PIRQ__WILL_SHARE 1
    uint32_t flags;                 /* in: BIND_PIRQ__* */
    evtchn_port_t port;             /* out */
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;

/* A fresh port that the domain signals itself with, notifying vcpu. */
struct evtchn_bind_ipi {
    uint32_t vcpu;                  /* in */
    evtchn_port_t port;             /* out */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;

/* Close a local port; an interdomain peer goes back to unbound. */
struct evtchn_close {
    evtchn_port_t port;             /* in */
};
typedef struct evtchn_close evtchn_close_t;

/* Signal the other end of the channel whose local end is port. */
struct evtchn_send {
    evtchn_port_t port;             /* in */
};
typedef struct evtchn_send evtchn_send_t;

/* State of <dom, port>; dom other than DOMID_SELF needs privilege. */
#define EVTCHNSTAT_closed       0   /* not in use */
#define EVTCHNSTAT_unbound      1   /* waiting for an interdomain peer */
#define EVTCHNSTAT_interdomain  2   /* connected to another (or the same) domain */
#define EVTCHNSTAT_pirq         3   /* bound to a physical IRQ */
#define EVTCHNSTAT_virq         4   /* bound to a virtual IRQ */
#define EVTCHNSTAT_ipi          5   /* bound to an IPI */

struct evtchn_status {
    domid_t dom;                    /* in */
    evtchn_port_t port;             /* in */
    uint32_t status;                /* out: EVTCHNSTAT_* */
    uint32_t vcpu;                  /* out: vCPU notified */
    union {
        struct {
            domid_t dom;            /* who may bind */
        } unbound;
        struct {
            domid_t dom;
            evtchn_port_t port;
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;                            /* out, by status */
};
typedef struct evtchn_status evtchn_status_t;

/* Which vCPU a port notifies (not for IPIs and per-vCPU VIRQs). */
struct evtchn_bind_vcpu {
    evtchn_port_t port;             /* in */
    uint32_t vcpu;                  /* in */
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;

/* Clear port's mask bit and notify if it is pending. */
struct evtchn_unmask {
    evtchn_port_t port;             /* in */
};
typedef struct evtchn_unmask evtchn_unmask_t;

/* Close every port of dom (DOMID_SELF, or a paused domain by dom0). */
struct evtchn_reset {
    domid_t dom;                    /* in */
};
typedef struct evtchn_reset evtchn_reset_t;

/* FIFO ABI (not offered by Keel: the calls answer -ENOSYS). */
struct evtchn_init_control {
    uint64_t control_gfn;           /* in */
    uint32_t offset;                /* in */
    uint32_t vcpu;                  /* in */
    uint8_t link_bits;              /* out */
    uint8_t _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;

struct evtchn_expand_array {
    uint64_t array_gfn;             /* in */
};
typedef struct evtchn_expand_array evtchn_expand_array_t;

struct evtchn_set_priority {
    evtchn_port_t port;             /* in */
    uint32_t priority;              /* in */
};
typedef struct evtchn_set_priority evtchn_set_priority_t;

/* Argument of the legacy event_channel_op_compat hypercall (16). */
struct evtchn_op {
    uint32_t cmd;                   /* EVTCHNOP_* */
    union {
        struct evtchn_alloc_unbound alloc_unbound;
        struct evtchn_bind_interdomain bind_interdomain;
        struct evtchn_bind_virq bind_virq;
        struct evtchn_bind_pirq bind_pirq;
        struct evtchn_bind_ipi bind_ipi;
        struct evtchn_close close;
        struct evtchn_send send;
        struct evtchn_status status;
        struct evtchn_bind_vcpu bind_vcpu;
        struct evtchn_unmask unmask;
    } u;
};
typedef struct evtchn_op evtchn_op_t;

/* ---- Layout checks ------------------------------------------------------- */
#define EVTCHN_OFF(s, f) __builtin_offsetof(struct s, f)
_Static_assert(sizeof(evtchn_port_t) == 4, "evtchn_port_t");
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "evtchn_alloc_unbound");
_Static_assert(EVTCHN_OFF(evtchn_alloc_unbound, remote_dom) == 2 &&
               EVTCHN_OFF(evtchn_alloc_unbound, port) == 4, "evtchn_alloc_unbound fields");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "evtchn_bind_interdomain");
_Static_assert(EVTCHN_OFF(evtchn_bind_interdomain, remote_port) == 4 &&
               EVTCHN_OFF(evtchn_bind_interdomain, local_port) == 8,
               "evtchn_bind_interdomain fields");
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "evtchn_bind_virq");
_Static_assert(EVTCHN_OFF(evtchn_bind_virq, vcpu) == 4 &&
               EVTCHN_OFF(evtchn_bind_virq, port) == 8, "evtchn_bind_virq fields");
_Static_assert(sizeof(struct evtchn_bind_pirq) == 12, "evtchn_bind_pirq");
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "evtchn_bind_ipi");
_Static_assert(EVTCHN_OFF(evtchn_bind_ipi, port) == 4, "evtchn_bind_ipi.port");
_Static_assert(sizeof(struct evtchn_close) == 4, "evtchn_close");
_Static_assert(sizeof(struct evtchn_send) == 4, "evtchn_send");
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status");
_Static_assert(EVTCHN_OFF(evtchn_status, port) == 4 &&
               EVTCHN_OFF(evtchn_status, status) == 8 &&
               EVTCHN_OFF(evtchn_status, vcpu) == 12 &&
               EVTCHN_OFF(evtchn_status, u) == 16 &&
               EVTCHN_OFF(evtchn_status, u.interdomain.port) == 20,
               "evtchn_status fields");
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "evtchn_bind_vcpu");
_Static_assert(sizeof(struct evtchn_unmask) == 4, "evtchn_unmask");
_Static_assert(sizeof(struct evtchn_reset) == 2, "evtchn_reset");
_Static_assert(sizeof(struct evtchn_init_control) == 24, "evtchn_init_control");
_Static_assert(EVTCHN_OFF(evtchn_init_control, offset) == 8 &&
               EVTCHN_OFF(evtchn_init_control, vcpu) == 12 &&
               EVTCHN_OFF(evtchn_init_control, link_bits) == 16,
               "evtchn_init_control fields");
_Static_assert(sizeof(struct evtchn_expand_array) == 8, "evtchn_expand_array");
_Static_assert(sizeof(struct evtchn_set_priority) == 8, "evtchn_set_priority");
_Static_assert(sizeof(struct evtchn_op) == 28 && EVTCHN_OFF(evtchn_op, u) == 4,
               "evtchn_op");
#undef EVTCHN_OFF

#endif
