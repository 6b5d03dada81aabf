"""Event-channel upcalls as Linux receives them: HVM params (CALLBACK_IRQ
with the vector type; what a guest may not set), an IPI port to itself held
in upcall_pending while interrupts are off and injected when they are on,
masking and unmask, and SCHEDOP_block returning with an upcall pending."""

from runner import guest_test

SCENARIO = guest_test("upcall", "upcall")
