/*
 * Domains and their virtual CPUs.
 *
 * A domain owns memory (every block on d->pages, counted in tot_pages
 * against max_pages), a P2M (guest-physical to host frames, arch-specific:
 * NPT on SVM) and up to MAX_VIRT_CPUS vCPUs.  Lifecycle:
 *   created (paused) -> running <-> paused -> shut down (reason) -> dying
 *   -> destroyed (every page freed), or crashed (shut down with reason
 *   crash).  What happens after a shutdown is the domain's on_* action.
 */
#ifndef KEEL_DOMAIN_H
#define KEEL_DOMAIN_H

#include <keel/bootinfo.h>
#include <keel/domain_config.h>
#include <keel/event.h>
#include <keel/list.h>
#include <keel/page_alloc.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/watchdog.h>
#include <asm/domain.h>
#include <public/xen.h>          /* domid_t, DOMID_* */
#include <public/hvm/hvm_op.h>
#include <public/vcpu.h>

#define DOMAIN_CONSOLE_LINE 256

/* Xen's SHUTDOWN_* reasons. */
enum shutdown_reason {
    SHUTDOWN_POWEROFF = 0,
    SHUTDOWN_REBOOT = 1,
    SHUTDOWN_SUSPEND = 2,
    SHUTDOWN_CRASH = 3,
    SHUTDOWN_WATCHDOG = 4,
    SHUTDOWN_SOFT_RESET = 5,
};


enum domain_state {
    DOMAIN_CREATED,     /* being built; never run */
    DOMAIN_RUNNING,     /* may run (unless paused) */
    DOMAIN_SHUTDOWN,    /* stopped with shutdown_reason; vCPUs never run again */
    DOMAIN_DYING,       /* being destroyed */
};


struct vcpu {
    unsigned int vcpu_id;
    struct domain *domain;
    struct sched_entity sched;      /* scheduler's view; sched.cpu = where it runs */
    bool online;                    /* started (vCPU 0 at boot; others later) */
    bool blocked;                   /* waiting for an event (HLT, SCHEDOP_block) */
    bool runnable;                  /* as last told to the scheduler */
    unsigned int pause_count;       /* > 0: must not run */
    struct timer poll_timer;        /* SCHEDOP_poll / block timeout */
    int poll_port;                  /* SCHEDOP_poll: port waited on, POLL_ANY or POLL_NONE */
    struct timer singleshot_timer;  /* VCPUOP_set_singleshot_timer: VIRQ_TIMER */
    s_time_t run_time;              /* total time run, ns */
    struct vcpu_runstate_info runstate;
    uint64_t runstate_gva;          /* guest copy (VCPUOP_register_runstate_memory_area); 0: none */
    struct arch_vcpu arch;
};

struct domain {
    domid_t domain_id;
    char name[DOMAIN_NAME_MAX];
    spinlock_t lock;
    enum domain_state state;
    enum shutdown_reason shutdown_reason;
    unsigned int pause_count;
    /*
     * References held by code working on the domain from another domain's
     * hypercall (domain_get/domain_put).  The reaper frees a domain only
     * once it is off the list (no new ones) and none is left.
     */
    unsigned int refs;
    bool is_privileged;

    unsigned int max_vcpus;
    struct vcpu *vcpu[MAX_VIRT_CPUS];
    struct sched_domain sched;      /* weight, cap, credits */

    /*
     * Memory: every block the domain owns is on `pages` (the allocator's
     * list for owner tag domain_id), freed when it is destroyed; tot_pages
     * == pages.pages, counted against max_pages.  mem_lock serialises what
     * changes the domain's RAM in its P2M (balloon, shared_info placement)
     * and references taken on its frames (vcpu_info), so that a frame is
     * never freed while the hypervisor uses it.  Order: mem_lock, then the
     * P2M's lock, then the allocator's.
     */
    struct page_list pages;
    spinlock_t mem_lock;
    uint64_t tot_pages, max_pages;
    struct arch_domain arch;        /* P2M and other arch state */
    struct shared_info *shared_info;    /* hypervisor's view of the page */
    uint64_t shared_info_gfn;       /* where the guest mapped it; ~0: nowhere */
    uint64_t hvm_params[HVM_NR_PARAMS];
    uint8_t callback_vector;        /* upcall vector (CALLBACK_IRQ type 2); 0: none */
    void *console_ring;             /* struct xencons_interface (Keel is the backend) */
    evtchn_port_t console_port;     /* its event channel (the guest may rewrite the param) */
    struct evtchn_domain evtchn;    /* event-channel ports (common/event_channel.c) */
    struct grant_table *grant_table;    /* common/grant_table.c; NULL until first use */

    /* Console output, assembled into whole lines "(NAME) text". */
    char console_line[DOMAIN_CONSOLE_LINE];
    unsigned int console_len;

    struct domain_config config;
    unsigned int restarts;          /* times rebuilt by on_*=restart */
    bool preserved;                 /* shut down and kept (on_*=preserve) */
    struct timer reaper;            /* applies the on_* action when stopped */
    spinlock_t watchdog_lock;
    struct domain_watchdog watchdogs[WATCHDOG_TIMERS];  /* SCHEDOP_watchdog */
    struct list_head list;          /* all domains */
};

/* The vCPU this physical CPU is running (NULL in the idle loop). */
struct vcpu *current_vcpu(void);
#define current (current_vcpu())

/* Lifecycle (common/domain.c). */
/* Memory, P2M and vCPUs; the caller builds the guest, then domain_start(). */
int domain_create(const struct domain_config *cfg, struct domain **out);
int domain_populate_ram(struct domain *d, const struct mem_range *ranges, unsigned int n);
void domain_start(struct domain *d);
void domain_unpause(struct domain *d);
void domain_pause(struct domain *d);
void domain_shutdown(struct domain *d, enum shutdown_reason reason);
void domain_crash(struct domain *d, const char *why, ...) __attribute__((format(printf, 2, 3)));
void domain_destroy(struct domain *d);      /* a domain that never started */
unsigned int domain_running_count(void);
void domains_boot_begin(void);      /* before the first boot domain */
void domains_boot_done(void);       /* after the last */
/* How on_*=restart rebuilds a domain (set by the boot-domain code). */
typedef void (*domain_restart_fn_t)(const struct domain_config *cfg, unsigned int restarts);
void domain_set_restart_hook(domain_restart_fn_t fn);
/*
 * Looking a domain up.  domain_by_id() gives a pointer that stays valid
 * only while something else keeps the domain (the caller's own domain, a
 * lock its teardown takes, the reaper's CPU).  A hypercall working on
 * another domain takes a reference instead: domain_get() (NULL if no such
 * domain, or it is being destroyed), domain_put() when done.
 * domain_hold() takes one on a domain the caller already knows is alive.
 */
struct domain *domain_by_id(domid_t id);
struct domain *domain_get(domid_t id);
void domain_hold(struct domain *d);
void domain_put(struct domain *d);
unsigned int domain_count(void);
const char *shutdown_reason_name(enum shutdown_reason r);

/* Arch hooks. */
bool arch_virt_enabled(void);               /* can guests run here at all */
int arch_domain_init(struct domain *d);     /* after p2m_init, before vCPUs */
int arch_vcpu_create(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);
/* PVH start: 32-bit protected mode, paging off, EIP = entry, EBX = start_info. */
void arch_vcpu_set_pvh_entry(struct vcpu *v, uint32_t entry, uint32_t start_info);

/* Guest time (arch): a vCPU's pvclock, the wallclock at system time 0. */
void arch_vcpu_time_update(struct vcpu *v, struct vcpu_time_info *t);
void arch_domain_wallclock(struct shared_info *si);
/* Enter a new runstate (common/vcpu_op.c): accounts the old one, updates
 * the guest's copy if it registered one. */
void vcpu_runstate_change(struct vcpu *v, int state, s_time_t now);

/* v's timers that hypercalls arm, set up at vCPU creation on its CPU:
 * SCHEDOP_poll's timeout (common/sched_op.c), the one-shot timer that
 * fires VIRQ_TIMER (common/vcpu_op.c). */
void sched_poll_init(struct vcpu *v, unsigned int cpu);
void vcpu_singleshot_init(struct vcpu *v, unsigned int cpu);

/* Refresh v's time area (its shared_info slot; common/domain.c). */
void domain_update_vcpu_time(struct vcpu *v);

/* Debug key 'q': d's state and its vCPUs', with the arch's registers. */
void domain_dump(struct domain *d);
/* Debug key 'm': d's pages and page-table overhead, one line. */
void domain_dump_memory(struct domain *d);
void arch_vcpu_dump(struct vcpu *v);

/* Every domain in the list (not those being destroyed), under its lock. */
void domain_for_each(void (*fn)(struct domain *d));

/* The PV console ring (common/console_ring.c). */
int console_ring_create(struct domain *d);
void console_ring_destroy(struct domain *d);
void console_ring_drain(struct domain *d);
void console_ring_start_polling(void);
void console_input_poll(void);      /* common/console_input.c */

/* Console output of a domain (common/domain_console.c). */
void domain_console_write(struct domain *d, const char *buf, size_t len);
void domain_console_flush(struct domain *d);

#endif
