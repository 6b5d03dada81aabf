"""Creating and destroying domains leaves nothing behind: a domain that
reboots itself 30 times (on_reboot=restart, restart_limit=30), beside one
that crashes, and then the free-page count and live xmalloc objects are
exactly what they were before the first domain."""
import re

from runner import ALL_GONE, NO_DOMAINS, Module, Scenario, nothing_leaked

CYCLES = 30
NAME = "cycler"


def every_cycle_and_no_leak(log: str) -> str | None:
    created = len(re.findall(rf"\(keel\) d\d+ {NAME}: created", log))
    destroyed = len(re.findall(rf"\(keel\) d\d+ {NAME}: destroyed", log))
    if created != CYCLES + 1 or destroyed != CYCLES + 1:
        return f"{created} created / {destroyed} destroyed, expected {CYCLES + 1} of each"
    return nothing_leaked(log)


SCENARIO = Scenario(
    name="domain_leaks",
    smp=2,
    modules=[Module(file="build/guests/shutdown.elf",
                    args=f"domain name={NAME} memory=8 on_reboot=restart "
                         f"restart_limit={CYCLES} -- reason=reboot"),
             Module(file="build/guests/shutdown.elf",
                    args="domain name=crasher memory=8 vcpus=2 -- reason=crash")],
    expect=[NO_DOMAINS, ALL_GONE],
    forbid=[r"EXCEPTION", r"Panic", r"TEST FAIL"],
    timeout=180,
    check=every_cycle_and_no_leak,
)
