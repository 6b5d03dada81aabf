"""vcpu_op and guest time: is_up, a pvclock that advances with the TSC, a
plausible wallclock, one-shot timers delivered as VIRQ_TIMER upcalls (and
not when stopped), register_vcpu_info, and the error returns."""

from runner import guest_test

SCENARIO = guest_test("vcpuop", "vcpuop", args="vcpus=2")
