"""Boots with 2 CPUs: ready reports exactly 2, and each CPU reports in."""
from runner import ALL_GONE, CRASH, READY, Scenario, cpus

SCENARIO = Scenario(
    name="smp2",
    smp=2,
    expect=[READY, ALL_GONE],
    forbid=CRASH,
    check=cpus(2),
)
