"""With 3 GiB of RAM, 2800 to 3071 MiB are free.

On q35 with more than 2.75 GiB, QEMU puts 2 GiB below 4 GiB and the rest
above it, so reaching 2800 MiB free proves that Keel uses memory above 4 GiB.
"""
from runner import ALL_GONE, CRASH, READY, Scenario, free_mib

SCENARIO = Scenario(
    name="mem3g",
    smp=1,
    mem="3G",
    expect=[READY, ALL_GONE],
    forbid=CRASH,
    check=free_mib(2800, 3072),
    timeout=120,
)
