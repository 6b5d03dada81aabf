"""guests/hcpage: the hypercall page (older Linux 6.1 kernels' way in).
Bad MSR writes fault, a good one fills the page, and hypercalls through it
work: the guest's last lines, its report and its shutdown all go through
the page."""

from runner import guest_test

SCENARIO = guest_test("hcpage", "hcpage", lines=[
    r"hcpage: this line came through the hypercall page",
])
