"""Boots with 4 CPUs: ready reports exactly 4, and each CPU reports in."""
from runner import ALL_GONE, CRASH, READY, Scenario, cpus

SCENARIO = Scenario(
    name="smp4",
    smp=4,
    expect=[READY, ALL_GONE],
    forbid=CRASH,
    check=cpus(4),
)
