"""Two domains over interdomain event channels (2-level ABI): the server
allocates unbound ports for the client, the client binds and sends, the
server sees pending/selector/upcall, masking and unmasking, SCHEDOP_poll on
a pending port, EVTCHNOP_status and Xen's error returns.  Domain ids are
given in module order (server d1, client d2), so each learns its peer's id
from its command line."""
from runner import ALL_GONE, CRASH, Module, Scenario, domains_pass_in_order

ROLES = {"evserver": "role=server peer=2", "evclient": "role=client peer=1 port=2"}


SCENARIO = Scenario(
    name="guest_evtchn",
    modules=[Module(file="build/guests/evtchn.elf",
                    args=f"domain name={name} memory=16 -- {args}")
             for name, args in ROLES.items()],
    expect=[r"\(keel\) d1 evserver: created", r"\(keel\) d2 evclient: created", ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
    timeout=120,
    check=domains_pass_in_order(list(ROLES)),
)
