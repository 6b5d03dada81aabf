"""Event-channel upcalls as Linux receives them: HVM params (CALLBACK_IRQ
with the vector type; what a guest may not set), an IPI port to itself held
in upcall_pending while interrupts are off and injected when they are on,
masking and unmask, and SCHEDOP_block returning with an upcall pending."""
from runner import ALL_GONE, CRASH, Module, Scenario

SCENARIO = Scenario(
    name="guest_upcall",
    modules=[Module(file="build/guests/upcall.elf", args="domain name=upcall memory=16")],
    expect=[r"\(keel\) d\d+ upcall: created", r"\(upcall\) TEST PASS",
            r"\(keel\) d\d+ upcall: shutdown reason=poweroff", ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
)
