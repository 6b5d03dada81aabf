"""loglvl=debug prints the loader's memory map, RAM and reserved ranges."""
from runner import ALL_GONE, CRASH, READY, Scenario

SCENARIO = Scenario(
    name="loglvl_debug",
    smp=1,
    mem="256M",
    cmdline="console=com1 loglvl=debug poweroff_when_idle",
    expect=[r"\(keel\)  memory 0000000000000000-[0-9a-f]{16} RAM",
            r"\(keel\)  memory [0-9a-f]{16}-[0-9a-f]{16} reserved",
            READY, ALL_GONE],
    forbid=CRASH,
)
