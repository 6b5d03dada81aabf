"""Two domains share pages through grant tables v1: the granter sets up its
table (query_size, set_version, get_version, XENMEM_add_to_physmap of two
grant frames above its RAM, setup_table), grants a readonly and a writable
page; the copier reads and writes them with GNTTABOP_copy (single ops, a
batch, a batch long enough to be continued) and gets Xen's status for every
bad copy (refs beyond the table or never granted, readonly as destination,
another domain's grant, crossing a page, bad domains, a revoked grant) and
Xen's errors for bad counts and pointers.  Domain ids are given in module
order (granter d1, copier d2), so each learns its peer's id from its
command line."""
from runner import ALL_GONE, CRASH, Module, Scenario, domains_pass_in_order

ROLES = {"gtgranter": "role=granter peer=2", "gtcopier": "role=copier peer=1"}


SCENARIO = Scenario(
    name="guest_gnttab",
    modules=[Module(file="build/guests/gnttab.elf",
                    args=f"domain name={name} memory=16 -- {args}")
             for name, args in ROLES.items()],
    expect=[r"\(keel\) d1 gtgranter: created", r"\(keel\) d2 gtcopier: created", ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
    timeout=120,
    check=domains_pass_in_order(list(ROLES)),
)
