/*
 * sched_op (hypercall 29): long sched_op(int cmd, void *arg).
 * Sub-op numbers, argument layouts and shutdown reasons are Xen 4.17's;
 * see README.md.  The legacy sched_op_compat (hypercall 6) takes the same
 * cmd with a plain value (the shutdown reason) instead of a pointer.
 */
#ifndef KEEL_PUBLIC_SCHED_H
#define KEEL_PUBLIC_SCHED_H

#include "xen.h"

#define SCHEDOP_yield            0  /* arg NULL: give up the CPU */
#define SCHEDOP_block            1  /* arg NULL: sleep until an event (unmasks upcalls) */
#define SCHEDOP_shutdown         2  /* arg -> struct sched_shutdown */
#define SCHEDOP_poll             3  /* arg -> struct sched_poll / compat_sched_poll */
#define SCHEDOP_remote_shutdown  4  /* arg -> struct sched_remote_shutdown */
#define SCHEDOP_shutdown_code    5  /* arg -> struct sched_shutdown: latch the reason */
#define SCHEDOP_watchdog         6  /* arg -> struct sched_watchdog */
#define SCHEDOP_pin_override     7  /* arg -> struct sched_pin_override (dom0) */

/* Shut the calling domain down.  With SHUTDOWN_suspend the third argument
 * is the start-info frame (PV) and the call returns 1 if the suspend was
 * cancelled, 0 after resuming in a new domain. */
struct sched_shutdown {
    uint32_t reason;                /* SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;

/* Wait until one of nr_ports event channels is pending (masked or not), or
 * until system time reaches timeout (ns; 0 = no timeout). */
struct sched_poll {
    xen_guest_handle_t ports;       /* -> evtchn_port_t[nr_ports] */
    uint32_t nr_ports;
    uint64_aligned_t timeout;
};
typedef struct sched_poll sched_poll_t;

struct compat_sched_poll {
    compat_guest_handle_t ports;
    uint32_t nr_ports;
    uint64_compat_t timeout;
};
typedef struct compat_sched_poll compat_sched_poll_t;

/* Shut another domain down (control domain / device model). */
struct sched_remote_shutdown {
    domid_t domain_id;
    uint32_t reason;                /* SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;

/* id 0: create a watchdog that shuts the domain down (SHUTDOWN_watchdog)
 * after timeout seconds, returns its id.  id != 0, timeout != 0: pet it
 * with a new timeout.  id != 0, timeout 0: destroy it. */
struct sched_watchdog {
    uint32_t id;
    uint32_t timeout;
};
typedef struct sched_watchdog sched_watchdog_t;

/* Pin the calling vCPU to physical CPU pcpu; a negative pcpu undoes it. */
struct sched_pin_override {
    int32_t pcpu;
};
typedef struct sched_pin_override sched_pin_override_t;

/* Shutdown reasons. */
#define SHUTDOWN_poweroff    0      /* normal exit */
#define SHUTDOWN_reboot      1      /* restart me */
#define SHUTDOWN_suspend     2      /* save me (checkpoint / migrate) */
#define SHUTDOWN_crash       3      /* I crashed */
#define SHUTDOWN_watchdog    4      /* the watchdog expired */
#define SHUTDOWN_soft_reset  5      /* reset hypervisor state, keep memory */
#define SHUTDOWN_MAX         5

/* ---- Layout checks ------------------------------------------------------- */
_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown");
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll");
_Static_assert(__builtin_offsetof(struct sched_poll, nr_ports) == 8, "sched_poll.nr_ports");
_Static_assert(__builtin_offsetof(struct sched_poll, timeout) == 16, "sched_poll.timeout");
_Static_assert(sizeof(struct compat_sched_poll) == 16, "compat_sched_poll");
_Static_assert(__builtin_offsetof(struct compat_sched_poll, nr_ports) == 4,
               "compat_sched_poll.nr_ports");
_Static_assert(__builtin_offsetof(struct compat_sched_poll, timeout) == 8,
               "compat_sched_poll.timeout");
_Static_assert(sizeof(struct sched_remote_shutdown) == 8, "sched_remote_shutdown");
_Static_assert(__builtin_offsetof(struct sched_remote_shutdown, reason) == 4,
               "sched_remote_shutdown.reason");
_Static_assert(sizeof(struct sched_watchdog) == 8, "sched_watchdog");
_Static_assert(sizeof(struct sched_pin_override) == 4, "sched_pin_override");

#endif
