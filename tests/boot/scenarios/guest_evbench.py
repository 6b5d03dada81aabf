"""Event channel ping-pong between two domains loses no event: the waiting
side halts with `sti; hlt` and its peer's event may arrive anywhere on the
way there, including inside the interrupt shadow of the STI (each side
spins a varying delay before waiting; QEMU's VMRUN ignores the VMCB's
interrupt shadow, which once lost a wake-up there).  1020 round trips with
upcalls through the callback vector on both sides; a lost event ends the
run through the guests' own deadline timer (VIRQ_TIMER), not a hang.  The
same two guests are the event channel figure in make bench.  Domain ids
follow module order (server d1, client d2)."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario


def server_answered(log: str) -> str | None:
    # The two domains' lines interleave in any order: checked here, not in expect.
    for line in (r"^\(evserver\) evbench: answered 1020 events$", r"^\(evserver\) TEST PASS$"):
        if not re.search(line, log, re.MULTILINE):
            return f"no /{line}/"
    return None


SCENARIO = Scenario(
    name="guest_evbench",
    modules=[Module(file="build/guests/evbench.elf",
                    args="domain name=evserver memory=16 -- role=server peer=2 spin=3001"),
             Module(file="build/guests/evbench.elf",
                    args="domain name=evclient memory=16 -- role=client peer=1 spin=2003")],
    expect=[r"\(evclient\) evbench: event channel round trip median \d+ cycles \(1020 round trips\)",
            r"^\(evclient\) TEST PASS$",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
    timeout=120,
    check=server_answered,
)
