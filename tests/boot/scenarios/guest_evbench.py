"""The event channel benchmark's two guests (make bench) still work: the
server answers every event of the client's ping-pong, upcalls through the
callback vector on both sides, and the client prints its round-trip
figure.  Domain ids follow module order (server d1, client d2)."""
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
                    args="domain name=evserver memory=16 -- role=server peer=2"),
             Module(file="build/guests/evbench.elf",
                    args="domain name=evclient memory=16 -- role=client peer=1")],
    expect=[r"\(evclient\) evbench: event channel round trip median \d+ cycles \(1020 round trips\)",
            r"^\(evclient\) TEST PASS$",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
    timeout=120,
    check=server_answered,
)
