"""guests/shutdown in three domains asking for poweroff, crash and watchdog:
Keel logs each reason as asked and destroys each domain (on_crash=destroy;
the others' default)."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario, domain_ends

REASONS = {"down_poweroff": "poweroff", "down_crash": "crash", "down_watchdog": "watchdog"}


def each_reason(log: str) -> str | None:
    for name, reason in REASONS.items():
        created = re.search(rf"\(keel\) d(\d+) {name}: created", log)
        if not created:
            return f"{name}: no created line"
        why = domain_ends(log, name, reason,
                          [rf"\({name}\) shutdown: booted; asking for shutdown reason={reason}"],
                          created.end())
        if why:
            return why
    return None


SCENARIO = Scenario(
    name="guest_shutdown_reasons",
    modules=[Module(file="build/guests/shutdown.elf",
                    args=f"domain name={name} memory=16 on_poweroff=destroy "
                         f"on_crash=destroy -- reason={reason}")
             for name, reason in REASONS.items()],
    expect=[ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
    timeout=120,
    check=each_reason,
)
