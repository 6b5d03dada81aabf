"""console=none silences the hypervisor once the command line is parsed;
boot still completes and the machine powers off."""
from runner import CRASH, Scenario

SCENARIO = Scenario(
    name="console_none",
    smp=2,
    cmdline="console=none poweroff_when_idle",
    expect=[r"\(keel\) command line: console=none"],
    forbid=CRASH,
    forbid_after=[r"\(keel\) "],
    end="poweroff",
)
