"""SCHEDOP_* as a guest sees them without event channels: yield, poll with
a past timeout (returns), bad arguments (Xen's error codes)."""
from runner import ALL_GONE, CRASH, Module, Scenario

SCENARIO = Scenario(
    name="guest_schedops",
    modules=[Module(file="build/guests/schedops.elf", args="domain name=schedops memory=16")],
    expect=[r"\(keel\) d\d+ schedops: created", r"\(schedops\) TEST PASS",
            r"\(keel\) d\d+ schedops: shutdown reason=poweroff", ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
)
