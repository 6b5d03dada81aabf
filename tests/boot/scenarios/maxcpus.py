"""maxcpus=2 on a 4-CPU machine brings up CPU0 and CPU1 only."""
from runner import ALL_GONE, CRASH, DEFAULT_CMDLINE, READY, Scenario, cpus

SCENARIO = Scenario(
    name="maxcpus",
    smp=4,
    cmdline=f"{DEFAULT_CMDLINE} maxcpus=2",
    expect=[READY, ALL_GONE],
    forbid=CRASH,
    check=cpus(2),
)
