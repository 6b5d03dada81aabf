"""guests/hostile: hypercalls with bad numbers, sub-ops, pointers and
lengths get Xen's errors (-ENOSYS, -EFAULT, -EINVAL) and Keel goes on;
pointers are followed through the guest's own page tables; non-argument
registers survive a hypercall.  The guest prints each check; any
MISMATCH line fails it."""
from runner import ALL_GONE, CRASH, Module, Scenario

NAME = "hostile"

SCENARIO = Scenario(
    name="guest_hostile",
    modules=[Module(file="build/guests/hostile.elf",
                    args=f"domain name={NAME} memory=16")],
    expect=[rf"\(keel\) d\d+ {NAME}: created",
            rf"^\({NAME}\) TEST PASS$",
            rf"\(keel\) d\d+ {NAME}: shutdown reason=poweroff",
            rf"\(keel\) d\d+ {NAME}: destroyed",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
    timeout=120,
)
