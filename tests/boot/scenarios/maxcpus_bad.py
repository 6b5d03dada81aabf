"""Bad maxcpus values, one not a number and one zero, are each reported and
ignored: boot goes on with all CPUs."""
import re

from runner import ALL_GONE, CRASH, DEFAULT_CMDLINE, READY, Scenario, all_of, cpus

# A line about maxcpus that is not the hypervisor echoing its command line.
MAXCPUS_LINE = r"\(keel\) .*\bmaxcpus\b"


def both_reported(log: str) -> str | None:
    before_ready = log[:re.search(READY, log).start()]
    lines = [line for line in re.findall(MAXCPUS_LINE + ".*", before_ready)
             if "console=com1" not in line]
    if len(lines) < 2 or not any("abc" in line for line in lines):
        return (f"expected a warning naming maxcpus for each of maxcpus=abc "
                f"and maxcpus=0 before ready, got {lines}")
    return None


SCENARIO = Scenario(
    name="maxcpus_bad",
    smp=2,
    cmdline=f"{DEFAULT_CMDLINE} maxcpus=abc maxcpus=0",
    expect=[READY, ALL_GONE],
    forbid=CRASH,
    check=all_of(both_reported, cpus(2)),
)
