"""guests/hello as a boot domain: its console_io line and its port 0xe9 line
both show as "(hello) ..." lines, it reports TEST PASS, powers off, and Keel
destroys it and powers the machine off."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario

NAME = "hello"


def same_domain(log: str) -> str | None:
    ids = re.findall(rf"\(keel\) d(\d+) {NAME}: (?:created|shutdown|destroyed)", log)
    if len(set(ids)) != 1:
        return f"the created/shutdown/destroyed lines name domains {ids}, expected one id"
    return None


SCENARIO = Scenario(
    name="guest_hello",
    modules=[Module(file="build/guests/hello.elf",
                    args=f"domain name={NAME} memory=16")],
    expect=[rf"\(keel\) d\d+ {NAME}: created",
            rf"^\({NAME}\) hello: console_io works$",
            rf"^\({NAME}\) hello: port 0xe9 works$",
            rf"^\({NAME}\) TEST PASS$",
            rf"\(keel\) d\d+ {NAME}: shutdown reason=poweroff",
            rf"\(keel\) d\d+ {NAME}: destroyed",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
    timeout=120,
    check=same_domain,
)
