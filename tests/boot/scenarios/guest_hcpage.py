"""guests/hcpage: the hypercall page (older Linux 6.1 kernels' way in).
Bad MSR writes fault, a good one fills the page, and hypercalls through it
work: the guest's last lines, its report and its shutdown all go through
the page."""
from runner import ALL_GONE, CRASH, Module, Scenario

NAME = "hcpage"

SCENARIO = Scenario(
    name="guest_hcpage",
    modules=[Module(file="build/guests/hcpage.elf",
                    args=f"domain name={NAME} memory=16")],
    expect=[rf"\(keel\) d\d+ {NAME}: created",
            rf"^\({NAME}\) hcpage: this line came through the hypercall page$",
            rf"^\({NAME}\) TEST PASS$",
            rf"\(keel\) d\d+ {NAME}: shutdown reason=poweroff",
            rf"\(keel\) d\d+ {NAME}: destroyed",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
    timeout=120,
)
