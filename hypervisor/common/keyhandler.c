/*
 * Debug keys (keel/keyhandler.h).  Each key prints one view of the
 * hypervisor's state; the owners of that state format it (domain.c,
 * event_channel.c, ...), this file only maps keys to them.  Dumps read
 * state another CPU may be changing: they are for people, not for logic.
 */
#include <keel/domain.h>
#include <keel/event.h>
#include <keel/keyhandler.h>
#include <keel/printk.h>

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

static void dump_evtchn_one(struct domain *d)
{
    evtchn_dump(d);
}

static void dump_evtchns(void)
{
    printk("'e' pressed: event channels\n");
    domain_for_each(dump_evtchn_one);
}

static const struct keyhandler keys[] = {
    { 'h', show_help, "this help" },
    { 'q', dump_domains, "domains and vCPUs (state, time used, memory)" },
    { 'e', dump_evtchns, "event channels (ports, pending and masked bits)" },
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
