"""loglvl=err filters hypervisor messages: once the command line is parsed,
none of the boot's info lines appear (not even ready), yet boot completes
and the machine powers off."""
from runner import CRASH, Scenario

SCENARIO = Scenario(
    name="loglvl",
    smp=2,
    cmdline="console=com1 loglvl=err poweroff_when_idle",
    # Lines before the command line is parsed use the default level.
    expect=[r"\(keel\) command line: .*loglvl=err"],
    forbid=CRASH,
    forbid_after=[r"\(keel\) "],
    end="poweroff",                     # so boot went all the way through
)
