"""With 128 MiB of RAM, Keel hands out most of it: 64 to 127 MiB free."""
from runner import ALL_GONE, CRASH, READY, Scenario, free_mib

SCENARIO = Scenario(
    name="mem128",
    smp=1,
    mem="128M",
    expect=[READY, ALL_GONE],
    forbid=CRASH,
    check=free_mib(64, 128),
)
