/*
 * Domain lifecycle: create (memory, P2M, vCPUs), pause/unpause, shutdown
 * with a reason, crash, and destroy with every page given back.  What
 * happens after a shutdown (destroy, restart, preserve) is decided by the
 * reaper once no vCPU of the domain is on a CPU any more.
 */
#include <keel/bug.h>
#include <keel/cmdline.h>
#include <keel/domain.h>
#include <keel/grant_table.h>
#include <keel/idle.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/schedule.h>
#include <keel/smp.h>
#include <keel/timer.h>
#include <keel/xmalloc.h>
#include <asm/page.h>

static DEFINE_SPINLOCK(domlist_lock);
static LIST_HEAD(domain_list);
static unsigned int nr_domains;
static unsigned long domains_created;   /* since boot, restarts included */
static domid_t next_domid = 1;
static domain_restart_fn_t restart_hook;

static bool opt_poweroff_when_idle;
boolean_param(poweroff_when_idle, opt_poweroff_when_idle);

/* ---- lookup ---------------------------------------------------------------- */

/* The live domain with that ID, or NULL; with a reference if `hold`.  Under
 * the list lock, so that the reaper (which takes a domain off the list
 * under it, then waits for its references to go) sees every one taken. */
static struct domain *lookup(domid_t id, bool hold)
{
    struct domain *found = NULL;
    struct list_head *pos;
    unsigned long flags;

    spin_lock_irqsave(&domlist_lock, flags);
    list_for_each(pos, &domain_list) {
        struct domain *d = list_entry(pos, struct domain, list);
        if (d->domain_id == id && d->state != DOMAIN_DYING) {
            if (hold)
                domain_hold(d);
            found = d;
            break;
        }
    }
    spin_unlock_irqrestore(&domlist_lock, flags);
    return found;
}

struct domain *domain_by_id(domid_t id)
{
    return lookup(id, false);
}

struct domain *domain_get(domid_t id)
{
    return lookup(id, true);
}

void domain_hold(struct domain *d)
{
    __atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
}

void domain_put(struct domain *d)
{
    unsigned int left = __atomic_sub_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
    BUG_ON(left == (unsigned int)-1);
}

void domain_for_each(void (*fn)(struct domain *d))
{
    struct list_head *pos;
    unsigned long flags;

    spin_lock_irqsave(&domlist_lock, flags);
    list_for_each(pos, &domain_list) {
        struct domain *d = list_entry(pos, struct domain, list);
        if (d->state != DOMAIN_DYING)
            fn(d);
    }
    spin_unlock_irqrestore(&domlist_lock, flags);
}

unsigned int domain_count(void)
{
    return __atomic_load_n(&nr_domains, __ATOMIC_SEQ_CST);
}

void domain_set_restart_hook(domain_restart_fn_t fn)
{
    restart_hook = fn;
}

/* Called with domlist_lock held. */
static bool domid_in_use(domid_t id)
{
    struct list_head *pos;
    list_for_each(pos, &domain_list)
        if (list_entry(pos, struct domain, list)->domain_id == id)
            return true;
    return false;
}

static domid_t domid_alloc(bool privileged)
{
    if (privileged && !domid_in_use(0))
        return 0;
    for (unsigned int tries = 0; tries < DOMID_FIRST_RESERVED; tries++) {
        domid_t id = next_domid++;
        if (next_domid >= DOMID_FIRST_RESERVED)
            next_domid = 1;
        if (!domid_in_use(id))
            return id;
    }
    return DOMID_FIRST_RESERVED;    /* all in use */
}

const char *shutdown_reason_name(enum shutdown_reason r)
{
    static const char *const names[] = {
        [SHUTDOWN_POWEROFF] = "poweroff", [SHUTDOWN_REBOOT] = "reboot",
        [SHUTDOWN_SUSPEND] = "suspend", [SHUTDOWN_CRASH] = "crash",
        [SHUTDOWN_WATCHDOG] = "watchdog", [SHUTDOWN_SOFT_RESET] = "soft_reset",
    };
    return (unsigned int)r < ARRAY_SIZE(names) ? names[r] : "unknown";
}

/* ---- memory ----------------------------------------------------------------- */

/*
 * Give [gfn, gfn+nr) RAM: 2 MiB blocks where aligned, else single pages.
 * Every block goes on d->pages (the domain is not running yet, but the
 * lock keeps the rule that d->pages changes under it).
 */
static int populate_range(struct domain *d, uint64_t gfn, uint64_t nr)
{
    while (nr) {
        unsigned int order = (IS_ALIGNED(gfn, 512) && nr >= 512) ? 9 : 0;
        mfn_t mfn;
        int rc;

        if (d->tot_pages + (1UL << order) > d->max_pages)
            return -ENOMEM;
        spin_lock(&d->mem_lock);
        mfn = alloc_owned_pages(&d->pages, d->domain_id, order);
        if (mfn == INVALID_MFN && order) {
            order = 0;              /* fragmented: fall back to 4 KiB */
            mfn = alloc_owned_pages(&d->pages, d->domain_id, 0);
        }
        d->tot_pages = d->pages.pages;
        spin_unlock(&d->mem_lock);
        if (mfn == INVALID_MFN)
            return -ENOMEM;
        /* Guests must never see what a previous owner left: zeroed at
         * first use (the P2M keeps it out of reach until then). */
        rc = p2m_map(d, gfn, mfn, order, P2M_ZERO_LAZY);
        if (rc < 0)
            return rc;              /* the block is the domain's: freed with the others */
        gfn += 1UL << order;
        nr -= 1UL << order;
    }
    return 0;
}

int domain_populate_ram(struct domain *d, const struct mem_range *ranges, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        int rc = populate_range(d, ranges[i].start >> PAGE_SHIFT,
                                (ranges[i].end - ranges[i].start) >> PAGE_SHIFT);
        if (rc < 0)
            return rc;
        if (ranges[i].end > d->arch.guest_ram_top)
            d->arch.guest_ram_top = ranges[i].end;
    }
    return 0;
}

/*
 * Every block the domain owns goes back, ballooned-out ones long gone and
 * pages it no longer maps (replaced by populate_physmap, held by a
 * reference when released) included.  The references the hypervisor took
 * on its frames go first: the vCPUs' vcpu_info areas (common/vcpu_op.c).
 */
static void free_domain_memory(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus && i < MAX_VIRT_CPUS; i++) {
        struct vcpu_info *vi = d->evtchn.vcpu_info[i];
        if (vi) {
            d->evtchn.vcpu_info[i] = NULL;
            page_put_ref(virt_to_mfn(vi));
        }
    }
    page_list_free(&d->pages);
    d->tot_pages = d->pages.pages;      /* 0 unless a frame was still referenced */
    p2m_teardown(d);
}

/* ---- vCPUs ------------------------------------------------------------------- */

static int vcpu_create(struct domain *d, unsigned int id, unsigned int cpu)
{
    struct vcpu *v = xzalloc(struct vcpu);
    int rc;

    if (!v)
        return -ENOMEM;
    v->vcpu_id = id;
    v->domain = d;
    d->vcpu[id] = v;
    if ((rc = sched_entity_init(&v->sched, &d->sched, cpu, v)) < 0)
        return rc;
    sched_poll_init(v, cpu);
    vcpu_singleshot_init(v, cpu);
    v->runstate.state = RUNSTATE_offline;
    return arch_vcpu_create(v);
}

static void vcpu_destroy(struct vcpu *v)
{
    kill_timer(&v->poll_timer);
    kill_timer(&v->singleshot_timer);
    sched_entity_remove(&v->sched);
    arch_vcpu_destroy(v);
    xfree(v);
}

/* ---- lifecycle ------------------------------------------------------------------ */

void domain_update_vcpu_time(struct vcpu *v)
{
    struct domain *d = v->domain;
    struct shared_info *si = d->shared_info;

    /* Linux keeps reading the shared_info slot's scale after moving vcpu_info. */
    if (si && v->vcpu_id < XEN_LEGACY_MAX_VCPUS)
        arch_vcpu_time_update(v, &si->vcpu_info[v->vcpu_id].time);
    if (d->evtchn.vcpu_info[v->vcpu_id])
        arch_vcpu_time_update(v, &d->evtchn.vcpu_info[v->vcpu_id]->time);
}

static void domain_free(struct domain *d)
{
    gnttab_destroy(d);              /* first: it waits for copies in progress */
    watchdog_domain_destroy(d);
    if (d->shared_info)
        evtchn_destroy(d);
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            vcpu_destroy(d->vcpu[i]);
    free_domain_memory(d);
    console_ring_destroy(d);
    if (d->shared_info)
        free_xenheap_pages(d->shared_info, 0);
    xfree(d);
}

int domain_create(const struct domain_config *cfg, struct domain **out)
{
    static unsigned int next_cpu;
    struct domain *d;
    unsigned long flags;
    int rc;

    if (!arch_virt_enabled())
        return -ENODEV;
    if (!cfg->vcpus || cfg->vcpus > MAX_VIRT_CPUS)
        return -EINVAL;
    d = xzalloc(struct domain);
    if (!d)
        return -ENOMEM;
    spin_lock_init(&d->lock);
    watchdog_domain_init(d);
    strlcpy(d->name, cfg->name, sizeof(d->name));
    d->config = *cfg;
    d->is_privileged = cfg->is_privileged;
    d->state = DOMAIN_CREATED;
    d->max_vcpus = cfg->vcpus;
    d->max_pages = cfg->memory_mib << (20 - PAGE_SHIFT);
    rc = sched_domain_init(&d->sched, cfg->weight ? cfg->weight : SCHED_WEIGHT_DEFAULT, cfg->cap);
    if (rc < 0) {
        xfree(d);
        return rc;
    }

    d->shared_info_gfn = ~0ULL;
    d->shared_info = alloc_xenheap_pages(0);
    if (!d->shared_info) {
        xfree(d);
        return -ENOMEM;
    }
    memset(d->shared_info, 0, PAGE_SIZE);
    evtchn_init(d, d->shared_info, 0);
    arch_domain_wallclock(d->shared_info);
    rc = p2m_init(d);
    if (rc == 0)
        rc = arch_domain_init(d);
    for (unsigned int i = 0; rc == 0 && i < d->max_vcpus; i++)
        rc = vcpu_create(d, i, next_cpu++ % nr_cpus_online);
    for (unsigned int i = 0; rc == 0 && i < d->max_vcpus; i++)
        domain_update_vcpu_time(d->vcpu[i]);
    if (rc == 0)
        rc = console_ring_create(d);
    if (rc == 0)
        rc = gnttab_init(d);
    if (rc < 0) {
        domain_free(d);
        return rc;
    }
    spin_lock_irqsave(&domlist_lock, flags);
    d->domain_id = domid_alloc(cfg->is_privileged);
    if (d->domain_id < DOMID_FIRST_RESERVED) {
        list_add_tail(&d->list, &domain_list);
        nr_domains++;
        domains_created++;
    }
    spin_unlock_irqrestore(&domlist_lock, flags);
    if (d->domain_id >= DOMID_FIRST_RESERVED) {
        domain_free(d);
        return -EBUSY;
    }
    *out = d;
    return 0;
}

/* A built domain starts: vCPU 0 comes online. */
void domain_start(struct domain *d)
{
    pr_info("d%u %s: created\n", d->domain_id, d->name);
    d->state = DOMAIN_RUNNING;
    d->vcpu[0]->online = true;
    vcpu_update_runnable(d->vcpu[0]);
}

static void update_all_vcpus(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            vcpu_update_runnable(d->vcpu[i]);
}

void domain_pause(struct domain *d)
{
    __atomic_fetch_add(&d->pause_count, 1, __ATOMIC_SEQ_CST);
    update_all_vcpus(d);
}

void domain_unpause(struct domain *d)
{
    if (__atomic_load_n(&d->pause_count, __ATOMIC_SEQ_CST) == 0)
        return;
    __atomic_fetch_sub(&d->pause_count, 1, __ATOMIC_SEQ_CST);
    update_all_vcpus(d);
}

/* ---- ending ---------------------------------------------------------------------- */

static enum domain_action action_for(const struct domain *d)
{
    switch (d->shutdown_reason) {
    case SHUTDOWN_POWEROFF:
        return d->config.on_poweroff;
    case SHUTDOWN_REBOOT:
        return d->config.on_reboot;
    case SHUTDOWN_SUSPEND:
        return ACTION_PRESERVE;     /* nothing resumes it yet: keep it */
    default:
        return d->config.on_crash;  /* crash, watchdog */
    }
}

/* Memory before the first domain, to show that domains leave nothing behind. */
static struct page_alloc_stats baseline_pages;
static struct xmalloc_stats baseline_xmalloc;

void domains_boot_begin(void)
{
    page_alloc_get_stats(&baseline_pages);
    xmalloc_get_stats(&baseline_xmalloc);
}

/* One line that the soak test compares: now, and (before the first domain). */
static void print_memory_summary(void)
{
    struct page_alloc_stats ps;
    struct xmalloc_stats xs;

    page_alloc_get_stats(&ps);
    xmalloc_get_stats(&xs);
    pr_info("no domains: %lu pages free (%lu before the first domain), "
            "%lu xmalloc objects (%lu before), %lu xmalloc bytes (%lu), "
            "%lu xmalloc pages (%lu), %lu pages owned (%lu), %lu domains created\n",
            (unsigned long)ps.free_pages, (unsigned long)baseline_pages.free_pages,
            (unsigned long)xs.live_objects, (unsigned long)baseline_xmalloc.live_objects,
            (unsigned long)xs.live_bytes, (unsigned long)baseline_xmalloc.live_bytes,
            (unsigned long)xs.pages, (unsigned long)baseline_xmalloc.pages,
            (unsigned long)ps.owned_pages, (unsigned long)baseline_pages.owned_pages,
            (unsigned long)domains_created);
}

static void all_domains_gone_check(void)
{
    if (domain_running_count() != 0)
        return;
    if (domain_count() == 0)
        print_memory_summary();
    if (opt_poweroff_when_idle) {
        pr_info("all domains gone\n");
        machine_poweroff();
    }
}

/* Tell the control domain(s) that a domain changed state (Xen's global
 * VIRQ_DOM_EXC: xenstored watches @releaseDomain through it). */
static void send_dom_exc(struct domain *d)
{
    if (d->is_privileged && d->state == DOMAIN_RUNNING)
        evtchn_send_global_virq(d, VIRQ_DOM_EXC);
}

static void notify_dom_exc(void)
{
    domain_for_each(send_dom_exc);
}

/* Take d off the list: from now on no lookup finds it, no new reference. */
static void domain_unlist(struct domain *d)
{
    unsigned long flags;

    spin_lock_irqsave(&domlist_lock, flags);
    d->state = DOMAIN_DYING;
    list_del(&d->list);
    nr_domains--;
    spin_unlock_irqrestore(&domlist_lock, flags);
}

/* Free everything an unlisted domain owns (no reference left). */
static void domain_release(struct domain *d)
{
    console_ring_drain(d);
    domain_console_flush(d);
    domid_t id = d->domain_id;
    char name[DOMAIN_NAME_MAX];
    strlcpy(name, d->name, sizeof(name));
    domain_free(d);
    pr_info("d%u %s: destroyed\n", id, name);
    notify_dom_exc();
}

/* Once no vCPU of a shut-down domain is on a CPU: apply its action. */
static void domain_reap(void *data)
{
    struct domain *d = data;

    if (d->state != DOMAIN_DYING) {
        for (unsigned int i = 0; i < d->max_vcpus; i++) {
            if (d->vcpu[i] && vcpu_is_current_anywhere(d->vcpu[i])) {
                set_timer(&d->reaper, NOW() + MICROSECS(200));
                return;
            }
        }
        if (action_for(d) == ACTION_PRESERVE) {
            d->preserved = true;
            pr_info("d%u %s: preserved (shut down, memory kept)\n", d->domain_id, d->name);
            all_domains_gone_check();
            return;
        }
        domain_unlist(d);
    }
    /* Hypercalls of other domains still working on it finish first. */
    if (__atomic_load_n(&d->refs, __ATOMIC_SEQ_CST)) {
        set_timer(&d->reaper, NOW() + MICROSECS(200));
        return;
    }
    enum domain_action action = action_for(d);
    struct domain_config cfg = d->config;
    unsigned int restarts = d->restarts;
    domain_release(d);
    if (action == ACTION_RESTART) {
        if (cfg.restart_limit && restarts >= cfg.restart_limit) {
            pr_info("%s: restart limit (%u) reached; not restarting\n", cfg.name,
                    cfg.restart_limit);
        } else if (restart_hook) {
            restart_hook(&cfg, restarts + 1);
        }
    }
    all_domains_gone_check();
}

void domain_shutdown(struct domain *d, enum shutdown_reason reason)
{
    unsigned long flags;

    spin_lock_irqsave(&d->lock, flags);
    if (d->state != DOMAIN_RUNNING) {
        spin_unlock_irqrestore(&d->lock, flags);
        return;                     /* already ending */
    }
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    spin_unlock_irqrestore(&d->lock, flags);

    console_ring_drain(d);
    domain_console_flush(d);
    pr_info("d%u %s: shutdown reason=%s\n", d->domain_id, d->name,
            shutdown_reason_name(reason));
    update_all_vcpus(d);
    notify_dom_exc();
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i]) {
            stop_timer(&d->vcpu[i]->poll_timer);
            stop_timer(&d->vcpu[i]->singleshot_timer);
        }
    for (unsigned int i = 0; i < WATCHDOG_TIMERS; i++)
        stop_timer(&d->watchdogs[i].timer);
    init_timer(&d->reaper, domain_reap, d, 0);
    set_timer(&d->reaper, NOW());
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    char why[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (d->state == DOMAIN_RUNNING)
        pr_err("d%u %s: crashed: %s\n", d->domain_id, d->name, why);
    domain_shutdown(d, SHUTDOWN_CRASH);
}

/* Destroy a domain that never started (its build failed). */
void domain_destroy(struct domain *d)
{
    domain_unlist(d);
    /* A lookup from another CPU may hold it for the length of a hypercall. */
    while (__atomic_load_n(&d->refs, __ATOMIC_SEQ_CST))
        cpu_relax();
    domain_free(d);
}

/* Domains that are running or will run again (preserved ones do not count). */
unsigned int domain_running_count(void)
{
    struct list_head *pos;
    unsigned long flags;
    unsigned int n = 0;

    spin_lock_irqsave(&domlist_lock, flags);
    list_for_each(pos, &domain_list)
        if (!list_entry(pos, struct domain, list)->preserved)
            n++;
    spin_unlock_irqrestore(&domlist_lock, flags);
    return n;
}

/* With no boot domains at all, poweroff_when_idle powers off at once. */
void domains_boot_done(void)
{
    all_domains_gone_check();
}

/* ---- debug keys 'q' and 'm' ------------------------------------------------- */

void domain_dump_memory(struct domain *d)
{
    printk("  d%u %s: %lu pages of %lu (%lu KiB), %lu P2M table pages\n", d->domain_id,
           d->name, (unsigned long)d->tot_pages, (unsigned long)d->max_pages,
           (unsigned long)(d->tot_pages * 4), (unsigned long)p2m_table_pages(d));
}

static const char *const state_names[] = {
    [DOMAIN_CREATED] = "created", [DOMAIN_RUNNING] = "running",
    [DOMAIN_SHUTDOWN] = "shutdown", [DOMAIN_DYING] = "dying",
};

void domain_dump(struct domain *d)
{
    printk("d%u %s: %s%s%s, pause %u, %lu of %lu pages, %u vCPU%s, restarts %u\n",
           d->domain_id, d->name, state_names[d->state],
           d->state == DOMAIN_SHUTDOWN ? " " : "",
           d->state == DOMAIN_SHUTDOWN ? shutdown_reason_name(d->shutdown_reason) : "",
           d->pause_count, (unsigned long)d->tot_pages, (unsigned long)d->max_pages,
           d->max_vcpus, d->max_vcpus == 1 ? "" : "s", d->restarts);
    watchdog_dump(d);
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];
        if (!v)
            continue;
        printk("  vCPU%u: %s%s%s, pause %u, on CPU%u%s, ran %lu ms, upcall %s, poll %d\n",
               v->vcpu_id, v->online ? "online" : "offline",
               v->blocked ? " blocked" : "", v->runnable ? " runnable" : "",
               v->pause_count, v->sched.cpu, v->sched.running ? " (running)" : "",
               (unsigned long)(v->run_time / 1000000),
               evtchn_upcall_pending(v) ? "pending" : "clear", v->poll_port);
        arch_vcpu_dump(v);
    }
}
