"""An unknown option is reported by name and boot goes on."""
from runner import ALL_GONE, CRASH, DEFAULT_CMDLINE, READY, Scenario

SCENARIO = Scenario(
    name="unknown_option",
    cmdline=f"{DEFAULT_CMDLINE} frobnicate=1",
    expect=[r"\(keel\) .*unknown option 'frobnicate'", READY, ALL_GONE],
    forbid=CRASH,
)
