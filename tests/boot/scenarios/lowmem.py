"""With 32 MiB of RAM Keel either boots (ready, then powers off) or stops
with a message saying there is not enough memory; never a crash dump."""
import re

from runner import ALL_GONE, READY, Scenario

READY_OR_TOO_LITTLE = r"\(keel\) (?:ready: |.*(?i:not enough memory))"


def clear_outcome(log: str) -> str | None:
    if re.search(READY, log):
        if not re.search(ALL_GONE, log):
            return "ready, but no power-off ('all domains gone') after it"
        if re.search(r"(?i)\bpanic\b|System halted", log):
            return "ready, but a panic as well"
    return None


SCENARIO = Scenario(
    name="lowmem",
    mem="32M",
    expect=[READY_OR_TOO_LITTLE],
    forbid=[r"EXCEPTION"],
    end="either",
    check=clear_outcome,
)
