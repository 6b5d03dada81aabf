"""guests/shutdown with reason=reboot, on_reboot=restart and restart_limit=1:
Keel restarts it once (it boots twice, each boot asking for a reboot), and
the second reboot, over the limit, destroys it."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario

NAME = "rebooter"
BOOTED = rf"\({NAME}\) shutdown: booted; asking for shutdown reason=reboot"
REBOOTED = rf"\(keel\) d\d+ {NAME}: shutdown reason=reboot"


def booted_twice(log: str) -> str | None:
    boots, reboots = len(re.findall(BOOTED, log)), len(re.findall(REBOOTED, log))
    if boots != 2 or reboots != 2:
        return f"{boots} boots and {reboots} reboot lines, expected 2 of each"
    return None


SCENARIO = Scenario(
    name="guest_shutdown_reboot",
    modules=[Module(file="build/guests/shutdown.elf",
                    args=f"domain name={NAME} memory=16 on_reboot=restart "
                         "restart_limit=1 -- reason=reboot")],
    expect=[rf"\(keel\) d\d+ {NAME}: created",
            BOOTED, REBOOTED,
            BOOTED, REBOOTED,
            rf"\(keel\) d\d+ {NAME}: destroyed",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
    timeout=120,
    check=booted_twice,
)
