/*
 * schedops: SCHEDOP_* behaviour a guest can observe without event
 * channels: yield returns, poll with a timeout already past returns (and
 * with valid ports too), bad poll/shutdown/remote-shutdown arguments get
 * Xen's error codes, unknown sub-ops -ENOSYS.  Reports TEST PASS/FAIL.
 */
#include "guest.h"
#include <public/sched.h>

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    static uint32_t ports[2] = { 5, 4095 };

    if (!xen.present)
        test_fail("no hypervisor");

    long worst = 0;
    for (int i = 0; i < 200; i++) {
        long rc = HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        if (rc)
            worst = rc;
    }
    check_ret(worst, 0, "200 x sched_op(yield)");

    struct sched_poll p = { .ports = 0, .nr_ports = 0, .timeout = 1 };
    check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, &p), 0, "poll(no ports, timeout in the past)");
    p.ports = (uint64_t)(uintptr_t)ports;
    p.nr_ports = 2;
    check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, &p), 0, "poll(ports 5 and 4095, timeout past)");
    ports[1] = 4096;
    check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, &p), -XEN_EINVAL, "poll(port 4096)");
    p.nr_ports = 129;
    check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, &p), -XEN_EINVAL, "poll(129 ports)");

    struct sched_shutdown bad = { .reason = 77 };
    check_ret(HYPERVISOR_sched_op(SCHEDOP_shutdown, &bad), -XEN_EINVAL, "shutdown(reason 77)");
    struct sched_shutdown code = { .reason = SHUTDOWN_poweroff };
    check_ret(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &code), 0, "shutdown_code(poweroff)");

    struct sched_remote_shutdown r = { .domain_id = 0x7000, .reason = SHUTDOWN_poweroff };
    check_ret(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &r), -XEN_ESRCH,
              "remote_shutdown(no such domain)");
    r.domain_id = (uint16_t)xen_domid();
    check_ret(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &r), -XEN_EPERM,
              "remote_shutdown(itself, unprivileged)");
    check_ret(HYPERVISOR_sched_op(SCHEDOP_pin_override, &r), -XEN_EPERM,
              "pin_override(unprivileged)");
    check_ret(HYPERVISOR_sched_op(99, NULL), -XEN_ENOSYS, "sched_op(99)");
    test_finish();
}
