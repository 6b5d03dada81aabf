/*
 * Console input: what is typed on the hypervisor's console goes to one
 * domain at a time, into its PV console ring (a privileged domain's, as
 * Xen's dom0, into the CONSOLEIO_read ring with VIRQ_CONSOLE instead).  Ctrl-a three times moves
 * the focus along: the first domain, the next ... and the hypervisor
 * itself (which takes no input yet), as Xen's serial console does.  The
 * first boot domain has the focus at start.  Polled from the console-ring
 * timer (no UART interrupt needed).
 */
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/event.h>
#include <keel/keyhandler.h>
#include <keel/printk.h>
#include <public/console.h>

#define CTRL_A     0x01
#define SWITCH_PRESSES 3

static domid_t focus = DOMID_SELF;      /* DOMID_SELF: the hypervisor */
static bool focus_chosen;
static unsigned int ctrl_a_run;

/* Domain after the current focus in list order, or DOMID_SELF after the last. */
static domid_t next_after;
static bool take_next;

static void pick_next(struct domain *d)
{
    if (take_next && next_after == DOMID_SELF) {
        next_after = d->domain_id;
        return;
    }
    if (d->domain_id == focus)
        take_next = true;
}

static void switch_focus(void)
{
    next_after = DOMID_SELF;
    take_next = focus == DOMID_SELF;
    domain_for_each(pick_next);
    focus = next_after;
    if (focus == DOMID_SELF) {
        pr_info("*** input to Keel (Ctrl-a three times to switch)\n");
    } else {
        struct domain *d = domain_by_id(focus);
        pr_info("*** input to d%u %s (Ctrl-a three times to switch)\n", focus,
                d ? d->name : "?");
    }
}

/* Put one byte into d's input ring; false when it is full. */
static bool ring_put(struct domain *d, char c)
{
    struct xencons_interface *r = d->console_ring;
    if (!r)
        return false;
    XENCONS_RING_IDX cons = READ_ONCE(r->in_cons), prod = READ_ONCE(r->in_prod);
    if (prod - cons >= XENCONS_IN_SIZE)
        return false;
    r->in[prod % XENCONS_IN_SIZE] = c;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    WRITE_ONCE(r->in_prod, prod + 1);
    return true;
}

static void deliver(char c)
{
    struct domain *d = focus == DOMID_SELF ? NULL : domain_by_id(focus);

    if (focus != DOMID_SELF && !d) {
        focus = DOMID_SELF;                 /* it went away */
        pr_info("*** input to Keel (the focused domain is gone)\n");
        return;
    }
    if (!d) {
        handle_keypress(c);
        return;
    }
    if (d->is_privileged) {
        /* As Xen's dom0: read with CONSOLEIO_read; a full ring drops it. */
        console_rx_put(c);
        evtchn_send_global_virq(d, VIRQ_CONSOLE);
        return;
    }
    if (ring_put(d, c))
        evtchn_raise_local(d, d->console_port);
}

void console_input_poll(void)
{
    int c;

    if (!focus_chosen) {
        /* The first domain gets the keyboard, once there is one. */
        next_after = DOMID_SELF;
        take_next = true;
        domain_for_each(pick_next);
        if (next_after != DOMID_SELF) {
            focus = next_after;
            focus_chosen = true;
        }
    }
    for (int budget = 256; budget-- > 0 && (c = console_getc()) >= 0;) {
        if (c == CTRL_A) {
            if (++ctrl_a_run == SWITCH_PRESSES) {
                ctrl_a_run = 0;
                switch_focus();
            }
            continue;
        }
        /* Ctrl-a pressed fewer than three times is passed on. */
        for (; ctrl_a_run; ctrl_a_run--)
            deliver(CTRL_A);
        deliver((char)c);
    }
}
