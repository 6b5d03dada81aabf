"""Creating and destroying domains leaves nothing behind.  guests/soak
takes a little of everything a guest can make Keel hold (shared_info,
vcpu_info, a pending one-shot timer, event channels including one to
itself, grant frames, ballooned pages, a watchdog) and reboots;
on_reboot=restart with restart_limit=CYCLES makes that CYCLES + 1 runs,
beside a two-vCPU domain that crashes.  Afterwards Keel's one-line memory
summary must show free pages, xmalloc objects, bytes and pages, and
domain-owned pages exactly as before the first domain.

CYCLES is 50 in make test; `make soak` runs 1000 (KEEL_SOAK_CYCLES)."""
import os
import re

from runner import ALL_GONE, NO_DOMAINS, Module, Scenario, nothing_leaked

CYCLES = int(os.environ.get("KEEL_SOAK_CYCLES", "50"))
NAME = "soak"


def every_cycle_clean(log: str) -> str | None:
    created = len(re.findall(rf"\(keel\) d\d+ {NAME}: created", log))
    destroyed = len(re.findall(rf"\(keel\) d\d+ {NAME}: destroyed", log))
    held = len(re.findall(rf"^\({NAME}\) soak: holding everything; rebooting$", log, re.M))
    if created != CYCLES + 1 or destroyed != CYCLES + 1 or held != CYCLES + 1:
        return (f"{created} created / {held} runs held everything / {destroyed} destroyed, "
                f"expected {CYCLES + 1} of each")
    return nothing_leaked(log)


SCENARIO = Scenario(
    name="soak",
    smp=2,
    modules=[Module(file="build/guests/soak.elf",
                    args=f"domain name={NAME} memory=16 on_reboot=restart "
                         f"restart_limit={CYCLES}"),
             Module(file="build/guests/shutdown.elf",
                    args="domain name=crasher memory=8 vcpus=2 -- reason=crash")],
    expect=[rf"\(keel\) {NAME}: restart limit \({CYCLES}\) reached; not restarting",
            NO_DOMAINS, ALL_GONE],
    forbid=[r"EXCEPTION", r"(?i)\bpanic\b", r"TEST FAIL"],
    timeout=60 + CYCLES * 1.5,
    check=every_cycle_clean,
)
