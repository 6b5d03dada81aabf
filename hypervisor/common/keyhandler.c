/*
 * Debug keys (keel/keyhandler.h).  Each key prints one view of the
 * hypervisor's state; the owners of that state format it (domain.c,
 * event_channel.c, grant_table.c, sched_credit.c, the arch), this file
 * only maps keys to them.  Dumps read state another CPU may be changing:
 * they are for people, not for logic.
 */
#include <keel/domain.h>
#include <keel/event.h>
#include <keel/grant_table.h>
#include <keel/keyhandler.h>
#include <keel/lib.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <keel/smp.h>
#include <keel/symbols.h>
#include <keel/timer.h>
#include <keel/xmalloc.h>

struct keyhandler {
    char key;
    void (*fn)(void);
    const char *desc;
};

static void show_help(void);

/* Xen's 'q' also asks every guest vCPU to dump its own state (VIRQ_DEBUG). */
static void send_debug_virq(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            evtchn_send_virq(d->vcpu[i], VIRQ_DEBUG);
}

static void dump_domains(void)
{
    printk("'q' pressed: domains and vCPUs\n");
    domain_for_each(domain_dump);
    domain_for_each(send_debug_virq);
}

static void dump_runqueues(void)
{
    printk("'r' pressed: run queues\n");
    schedule_dump();
}

static void dump_memory(void)
{
    struct page_alloc_stats ps;
    struct xmalloc_stats xs;
    char orders[160];
    size_t n = 0;

    page_alloc_get_stats(&ps);
    xmalloc_get_stats(&xs);
    printk("'m' pressed: memory\n");
    printk("  pages: %lu in all, %lu free (%lu MiB), %lu owned by domains; "
           "%lu allocations, %lu frees, %lu failed\n",
           (unsigned long)ps.total_pages, (unsigned long)ps.free_pages,
           (unsigned long)(ps.free_pages >> 8), (unsigned long)ps.owned_pages,
           (unsigned long)ps.allocs, (unsigned long)ps.frees, (unsigned long)ps.failed_allocs);
    for (unsigned int o = 0; o < PAGE_ORDER_MAX && n < sizeof(orders); o++)
        if (ps.free_blocks[o])
            n += snprintf(orders + n, sizeof(orders) - n, " %u:%lu", o,
                          (unsigned long)ps.free_blocks[o]);
    printk("  free blocks by order:%s\n", n ? orders : " none");
    printk("  xmalloc: %lu objects live (%lu bytes), %lu pages held\n",
           (unsigned long)xs.live_objects, (unsigned long)xs.live_bytes,
           (unsigned long)xs.pages);
    domain_for_each(domain_dump_memory);
}

static void dump_evtchns(void)
{
    printk("'e' pressed: event channels\n");
    domain_for_each(evtchn_dump);
}

static void dump_grants(void)
{
    printk("'g' pressed: grant tables\n");
    domain_for_each(gnttab_dump);
}

static void show_timer(const struct timer *t, void *arg)
{
    s_time_t now = *(const s_time_t *)arg;
    uintptr_t off, size;
    const char *fn = symbol_lookup((uintptr_t)t->fn, &off, &size);

    printk("    in %ld us: %s (data %p)\n", (long)((t->expires - now) / 1000),
           fn ? fn : "?", t->data);
}

static void dump_timers(void)
{
    s_time_t now = NOW();

    printk("'t' pressed: timers\n");
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
        if (!cpu_online(cpu))
            continue;
        printk("  CPU%u:\n", cpu);
        timer_for_each(cpu, show_timer, &now);
    }
}

static void dump_cpus(void)
{
    printk("'0' pressed: registers of every CPU\n");
    arch_dump_cpus();
}

static const struct keyhandler keys[] = {
    { 'h', show_help, "this help" },
    { 'q', dump_domains, "domains and vCPUs (state, time used, memory); VIRQ_DEBUG to guests" },
    { 'r', dump_runqueues, "run queues of the scheduler" },
    { 'm', dump_memory, "memory: free pages, allocator, each domain's" },
    { 'e', dump_evtchns, "event channels (ports, pending and masked bits)" },
    { 'g', dump_grants, "grant tables (entries granted and in use)" },
    { 't', dump_timers, "timers of every CPU" },
    { '0', dump_cpus, "registers of every CPU and the vCPU it runs" },
};

static void show_help(void)
{
    printk("'h' pressed: debug keys\n");
    for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++)
        printk("  %c  %s\n", keys[i].key, keys[i].desc);
}

void handle_keypress(char c)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++) {
        if (keys[i].key == c) {
            keys[i].fn();
            return;
        }
    }
    if (c == '\r' || c == '\n' || c == ' ')
        return;
    printk("no debug key '%c' (0x%02x): 'h' lists them\n",
           (c > 0x20 && c < 0x7f) ? c : '?', (unsigned char)c);
}
