/*
 * The hypercall table: Xen's numbers to Keel's handlers.  A number without
 * a handler gets -ENOSYS, as on Xen; guests (Linux among them) probe with
 * that.  Also the accessors that keep handlers independent of the current
 * vCPU (so they run in host tests).
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <public/xen.h>

static const hypercall_fn_t hypercall_table[] = {
    [__HYPERVISOR_xen_version] = do_xen_version,
    [__HYPERVISOR_console_io] = do_console_io,
    [__HYPERVISOR_sched_op] = do_sched_op,
    [__HYPERVISOR_memory_op] = do_memory_op,
    [__HYPERVISOR_hvm_op] = do_hvm_op,
    [__HYPERVISOR_vcpu_op] = do_vcpu_op,
    [__HYPERVISOR_event_channel_op] = do_event_channel_op,
    [__HYPERVISOR_grant_table_op] = do_grant_table_op,
};

long hypercall_dispatch(struct hypercall_args *args)
{
    if (args->nr >= ARRAY_SIZE(hypercall_table) || !hypercall_table[args->nr])
        return -ENOSYS;
    return hypercall_table[args->nr](args);
}

bool hypercall_caller_privileged(void)
{
    return current && current->domain->is_privileged;
}

void hypercall_console_write(const char *buf, size_t len)
{
    if (current)
        domain_console_write(current->domain, buf, len);
}

static const char *hv_cmdline = "";

void hypercall_set_hypervisor_cmdline(const char *cmdline)
{
    hv_cmdline = cmdline;
}

const char *hypercall_hypervisor_cmdline(void)
{
    return hv_cmdline;
}
