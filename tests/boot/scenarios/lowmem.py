"""With 16 MiB of RAM, little but enough, Keel boots and reports what is left
(Keel itself takes about 3 MiB: image, frame table, page tables)."""
from runner import ALL_GONE, CRASH, READY, Scenario, free_mib

SCENARIO = Scenario(
    name="lowmem",
    smp=1,
    mem="16M",
    expect=[READY, ALL_GONE],
    forbid=CRASH,
    check=free_mib(8, 15),
)
