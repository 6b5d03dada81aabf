"""Two Linux domains at once: both reach init on their own hvc0 and power
off, each with its own console lines."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario


def both(log: str) -> str | None:
    for name in ("lina", "linb"):
        if not re.search(rf"\({name}\) KEEL-INIT: reached init", log):
            return f"{name} did not reach init"
        if not re.search(rf"\(keel\) d\d+ {name}: shutdown reason=poweroff", log):
            return f"{name} did not power off"
    return None


SCENARIO = Scenario(
    name="linux_two",
    smp=2,
    mem="768M",
    modules=[Module(file="build/linux/vmlinux",
                    args="domain name=lina memory=192 -- console=hvc0 keel.run=poweroff"),
             Module(file="build/linux/initramfs.cpio.gz", args="ramdisk"),
             Module(file="build/linux/vmlinux",
                    args="domain name=linb memory=192 -- console=hvc0 keel.run=poweroff"),
             Module(file="build/linux/initramfs.cpio.gz", args="ramdisk")],
    expect=[r"KEEL-INIT: reached init", ALL_GONE],
    forbid=[*CRASH, r"Kernel panic", r"crashed"],
    timeout=240,
    check=both,
)
