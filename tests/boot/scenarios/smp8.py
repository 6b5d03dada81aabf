"""Boots with 8 CPUs (the most the issue asks for): ready reports exactly 8,
each CPU reports in, and lines printed by CPUs starting at the same time
never mix within a line."""
from runner import ALL_GONE, CRASH, READY, Scenario, all_of, cpus, whole_lines

SCENARIO = Scenario(
    name="smp8",
    smp=8,
    mem="512M",
    expect=[READY, ALL_GONE],
    forbid=CRASH,
    check=all_of(cpus(8), whole_lines()),
)
