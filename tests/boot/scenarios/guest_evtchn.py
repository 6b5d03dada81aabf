"""Two domains over interdomain event channels (2-level ABI): the server
allocates unbound ports for the client, the client binds and sends, the
server sees pending/selector/upcall, masking and unmasking, SCHEDOP_poll on
a pending port, EVTCHNOP_status and Xen's error returns.  Domain ids are
given in module order (server d1, client d2), so each learns its peer's id
from its command line."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario, expect_progress

ROLES = {"evserver": "role=server peer=2", "evclient": "role=client peer=1 port=2"}


def each_domain(log: str) -> str | None:
    for id_, name in enumerate(ROLES, start=1):
        created = re.search(rf"\(keel\) d(\d+) {name}: created", log)
        if not created:
            return f"{name}: no created line"
        if created.group(1) != str(id_):
            return f"{name} is d{created.group(1)}, the command lines assume d{id_}"
        steps = [rf"^\({name}\) TEST PASS$",
                 rf"\(keel\) d{id_} {name}: shutdown reason=poweroff",
                 rf"\(keel\) d{id_} {name}: destroyed"]
        done, _ = expect_progress(steps, log, pos=created.end())
        if done < len(steps):
            return f"{name}: /{steps[done]}/ not found after its created line"
    return None


SCENARIO = Scenario(
    name="guest_evtchn",
    modules=[Module(file="build/guests/evtchn.elf",
                    args=f"domain name={name} memory=16 -- {args}")
             for name, args in ROLES.items()],
    expect=[r"\(keel\) d1 evserver: created", r"\(keel\) d2 evclient: created", ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
    timeout=120,
    check=each_domain,
)
