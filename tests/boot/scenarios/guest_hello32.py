"""guests/hello32: a 32-bit PVH guest (protected mode, paging off) uses the
32-bit hypercall convention and Xen's compat structure layouts; good calls
work, bad ones get Xen's errors, then the same calls through the hypercall
page."""
from runner import ALL_GONE, CRASH, Module, Scenario

NAME = "hello32"

SCENARIO = Scenario(
    name="guest_hello32",
    modules=[Module(file="build/guests/hello32.elf",
                    args=f"domain name={NAME} memory=16")],
    expect=[rf"\(keel\) d\d+ {NAME}: created",
            rf"^\({NAME}\) hello32: port 0xe9 from 32-bit mode$",
            rf"^\({NAME}\) hello32: console_io from 32-bit mode \(vmmcall\)$",
            rf"^\({NAME}\) hello32: console_io from 32-bit mode \(hypercall page\)$",
            rf"^\({NAME}\) TEST PASS$",
            rf"\(keel\) d\d+ {NAME}: shutdown reason=poweroff",
            rf"\(keel\) d\d+ {NAME}: destroyed",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
    timeout=120,
)
