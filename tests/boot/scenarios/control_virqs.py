"""The VIRQs of a control domain (booted with `dom0`, so it is d0), as a
dom0 Linux uses them: what is typed while it has the focus waits for
CONSOLEIO_read and raises VIRQ_CONSOLE; debug key 'q' sends every vCPU
VIRQ_DEBUG; a domain's shutdown (here by SCHEDOP_remote_shutdown from the
control domain) raises VIRQ_DOM_EXC.  The ctlvirq guest checks the error
returns too (guests/ctlvirq)."""
from runner import ALL_GONE, CRASH, CTRL_A_3, Module, Scenario

SCENARIO = Scenario(
    name="control_virqs",
    modules=[Module(file="build/guests/ctlvirq.elf",
                    args="domain name=ctl memory=16 dom0 -- peer=1"),
             Module(file="build/guests/demo.elf",
                    args="domain name=other memory=16 -- ticks=2000 ms=100")],
    typed=[(r"\(ctl\) ctlvirq: ready", b"typed for dom0\n"),
           (r"\(ctl\) ctlvirq: read ", CTRL_A_3 + CTRL_A_3),
           (r"\(keel\) \*\*\* input to Keel \(", b"q")],
    expect=[r"\(keel\) d0 ctl: created",
            r"\(keel\) d1 other: created",
            r"\(ctl\) ctlvirq: read 'typed for dom0'",
            r"\(keel\) \*\*\* input to Keel \(",
            r"\(keel\) 'q' pressed",
            r"\(ctl\) ctlvirq: VIRQ_DEBUG",
            r"\(keel\) d1 other: shutdown reason=poweroff",
            r"\(ctl\) ctlvirq: VIRQ_DOM_EXC",
            r"\(ctl\) TEST PASS",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
    timeout=90,
)
