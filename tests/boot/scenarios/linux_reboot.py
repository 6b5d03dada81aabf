"""Linux's `reboot -f` (through the ACPI reset register) with
on_reboot=restart and restart_limit=1: Keel rebuilds the domain, Linux
boots a second time, and its second reboot, over the limit, ends it."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario


def booted_twice(log: str) -> str | None:
    inits = len(re.findall(r"\(linux\) KEEL-INIT: reached init", log))
    reboots = len(re.findall(r"\(keel\) d\d+ linux: shutdown reason=reboot", log))
    if inits != 2 or reboots != 2:
        return f"{inits} boots to init and {reboots} reboots, expected 2 of each"
    return None


SCENARIO = Scenario(
    name="linux_reboot",
    smp=2,
    mem="512M",
    modules=[Module(file="build/linux/vmlinux",
                    args="domain name=linux memory=256 on_reboot=restart restart_limit=1 "
                         "-- console=hvc0 keel.run=reboot"),
             Module(file="build/linux/initramfs.cpio.gz", args="ramdisk")],
    expect=[r"\(linux\) KEEL-INIT: reached init",
            r"\(keel\) d\d+ linux: shutdown reason=reboot",
            r"linux: restarting",
            r"\(linux\) KEEL-INIT: reached init",
            r"\(keel\) d\d+ linux: shutdown reason=reboot",
            r"restart limit \(1\) reached",
            ALL_GONE],
    forbid=[*CRASH, r"Kernel panic", r"\(keel\) d\d+ linux: crashed"],
    timeout=240,
    check=booted_twice,
)
