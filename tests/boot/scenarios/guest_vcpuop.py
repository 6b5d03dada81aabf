"""vcpu_op and guest time: is_up, a pvclock that advances with the TSC, a
plausible wallclock, one-shot timers delivered as VIRQ_TIMER upcalls (and
not when stopped), register_vcpu_info, and the error returns."""
from runner import ALL_GONE, CRASH, Module, Scenario

SCENARIO = Scenario(
    name="guest_vcpuop",
    modules=[Module(file="build/guests/vcpuop.elf", args="domain name=vcpuop memory=16 vcpus=2")],
    expect=[r"\(keel\) d\d+ vcpuop: created", r"\(vcpuop\) TEST PASS",
            r"\(keel\) d\d+ vcpuop: shutdown reason=poweroff", ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
)
