"""With 8 MiB of RAM, less than Keel needs, it stops with a panic that says
so (how much it needs and how much there is), not with a crash dump."""
from runner import READY, Scenario

SCENARIO = Scenario(
    name="toolittle",
    smp=1,
    mem="8M",
    expect=[r"Panic on CPU0",
            r"not enough memory: Keel needs at least \d+ MiB of free RAM, "
            r"this machine has \d+ MiB of RAM",
            r"System halted"],
    forbid=[READY, r"EXCEPTION"],
    end="halt",
)
