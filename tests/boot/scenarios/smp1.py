"""Boots with 1 CPU: ready reports exactly 1, and each CPU reports in."""
from runner import ALL_GONE, CRASH, READY, Scenario, cpus

SCENARIO = Scenario(
    name="smp1",
    smp=1,
    expect=[READY, ALL_GONE],
    forbid=CRASH,
    check=cpus(1),
)
