"""The virtual x2APIC: IDs and version, self-IPIs held in IRR while the
guest has interrupts off and delivered when it enables them (interrupt
window), TPR masking, ICR fixed IPIs, EOI, and #GP for bad accesses."""
from runner import ALL_GONE, CRASH, Module, Scenario

SCENARIO = Scenario(
    name="guest_x2apic",
    modules=[Module(file="build/guests/x2apic.elf", args="domain name=x2apic memory=16")],
    expect=[r"\(keel\) d\d+ x2apic: created", r"\(x2apic\) TEST PASS",
            r"\(keel\) d\d+ x2apic: shutdown reason=poweroff", ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
)
