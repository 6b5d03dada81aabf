"""The virtual x2APIC: IDs and version, self-IPIs held in IRR while the
guest has interrupts off and delivered when it enables them (interrupt
window), TPR masking, ICR fixed IPIs, EOI, and #GP for bad accesses."""

from runner import guest_test

SCENARIO = guest_test("x2apic", "x2apic")
