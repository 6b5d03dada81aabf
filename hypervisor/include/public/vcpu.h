/*
 * vcpu_op (hypercall 24): vcpu_op(cmd, vcpuid, arg).  Xen's numbers and
 * layouts (the same for 32- and 64-bit callers for the ops below).
 */
#ifndef PUBLIC_VCPU_H
#define PUBLIC_VCPU_H

#include "xen.h"

#define VCPUOP_initialise                 0
#define VCPUOP_up                         1
#define VCPUOP_down                       2
#define VCPUOP_is_up                      3
#define VCPUOP_get_runstate_info          4
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer         6
#define VCPUOP_stop_periodic_timer        7
#define VCPUOP_set_singleshot_timer       8
#define VCPUOP_stop_singleshot_timer      9
#define VCPUOP_register_vcpu_info        10
#define VCPUOP_send_nmi                  11
#define VCPUOP_get_physid                12
#define VCPUOP_register_vcpu_time_memory_area 13

/* Runstates: how a vCPU spent its time. */
#define RUNSTATE_running   0
#define RUNSTATE_runnable  1
#define RUNSTATE_blocked   2
#define RUNSTATE_offline   3

struct vcpu_runstate_info {
    int32_t state;                  /* RUNSTATE_* */
    uint32_t pad;
    uint64_t state_entry_time;      /* system time the state began */
    uint64_t time[4];               /* ns spent in each state */
};

/* Where the guest wants its runstate kept up to date (a guest-virtual address). */
struct vcpu_register_runstate_memory_area {
    uint64_t addr;
};

struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;        /* system time (ns since boot) */
    uint32_t flags;                 /* VCPU_SSHOTTMR_* */
    uint32_t pad;
};
#define VCPU_SSHOTTMR_future (1u << 0)  /* -ETIME if timeout is in the past */

struct vcpu_register_vcpu_info {
    uint64_t mfn;                   /* guest frame of the new vcpu_info */
    uint32_t offset;                /* its offset in that frame */
    uint32_t rsvd;
};

_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "vcpu_set_singleshot_timer");
_Static_assert(sizeof(struct vcpu_runstate_info) == 48 &&
               __builtin_offsetof(struct vcpu_runstate_info, time) == 16, "vcpu_runstate_info");
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16 &&
               __builtin_offsetof(struct vcpu_register_vcpu_info, offset) == 8,
               "vcpu_register_vcpu_info");

#endif
