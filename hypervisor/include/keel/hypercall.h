/*
 * Hypercall dispatch.  The arch decodes the registers of the calling vCPU
 * (64-bit: rdi rsi rdx r10 r8; 32-bit: ebx ecx edx esi edi) into a struct
 * hypercall_args and calls hypercall_dispatch(); a handler reads
 * args->a[0..4] (Xen's argument order) and args->compat, and returns the
 * value for RAX: >= 0, or a negative errno.  A handler that cannot finish
 * at once (a long buffer) updates args->a[] to describe the rest of the work
 * (e.g. advance the buffer, lower the count) and returns HYPERCALL_RESTART:
 * the arch writes the arguments back into the guest's registers and
 * re-executes the call instruction, so other work runs in between.
 */
#ifndef KEEL_HYPERCALL_H
#define KEEL_HYPERCALL_H

#include <keel/types.h>

#define HYPERCALL_RESTART (-1000L)     /* never returned to a guest */

struct hypercall_args {
    unsigned long nr;
    unsigned long a[5];
    bool compat;            /* 32-bit caller: Xen's 32-bit struct layouts */
};

long hypercall_dispatch(struct hypercall_args *args);

/* A handler: do_console_io(), do_xen_version(), ... */
typedef long (*hypercall_fn_t)(struct hypercall_args *args);

long do_xen_version(struct hypercall_args *args);   /* common/xen_version.c */
long do_console_io(struct hypercall_args *args);    /* common/console_io.c */
long do_sched_op(struct hypercall_args *args);      /* common/sched_op.c */
long do_memory_op(struct hypercall_args *args);     /* common/memory_op.c */
long do_hvm_op(struct hypercall_args *args);        /* common/hvm_op.c */
long do_vcpu_op(struct hypercall_args *args);       /* common/vcpu_op.c */
long do_event_channel_op(struct hypercall_args *args);        /* common/event_channel_op.c */
long do_grant_table_op(struct hypercall_args *args);          /* common/grant_table.c */

/*
 * The Xen version Keel reports (XENVER_version and CPUID leaf base+1 must
 * agree): 4.17, what Debian 12's guests and tools were built against.
 */
#define KEEL_XEN_MAJOR 4
#define KEEL_XEN_MINOR 17

/*
 * What the handlers need to know about their caller, behind accessors so
 * the handlers build and run on the host (unit tests provide fakes):
 *  - hypercall_caller_privileged: the calling domain is the control domain
 *    (current->domain->is_privileged);
 *  - hypercall_console_write: hand len bytes of console output to the
 *    calling domain's console (domain_console_write(current->domain, ...));
 *  - hypercall_hypervisor_cmdline: the hypervisor's own command line, as
 *    given by the boot loader (XENVER_commandline for the control domain).
 */
bool hypercall_caller_privileged(void);
void hypercall_console_write(const char *buf, size_t len);
const char *hypercall_hypervisor_cmdline(void);
void hypercall_set_hypervisor_cmdline(const char *cmdline);

#endif
