"""Debian's unmodified Linux 6.1 (make linux) boots as a PVH domain to its
init on hvc0: /sys/hypervisor/type says xen, `sleep 1` lasts 0.9-1.5 s of
in-guest uptime, and `poweroff -f` ends the domain with reason=poweroff.
EVTCHNOP_init_control (FIFO) answers -ENOSYS and Linux falls back to the
2-level ABI cleanly, with upcalls through the callback vector."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario


def sleep_ok(log: str) -> str | None:
    m = re.search(r"\(linux\) KEEL-SLEEP: ([0-9.]+)", log)
    if not m:
        return "no KEEL-SLEEP line"
    secs = float(m.group(1))
    return None if 0.9 <= secs <= 1.5 else f"sleep 1 took {secs} s"


SCENARIO = Scenario(
    name="linux_init",
    smp=2,
    mem="512M",
    modules=[Module(file="build/linux/vmlinux",
                    args="domain name=linux memory=256 -- console=hvc0 "
                         "keel.run=cpus,sleeptest,poweroff"),
             Module(file="build/linux/initramfs.cpio.gz", args="ramdisk")],
    expect=[r"\(keel\) d\d+ linux: created",
            r"\(linux\) .*xen:events: Using 2-level ABI",
            r"\(linux\) .*xen:events: Xen HVM callback vector for event delivery is enabled",
            r"\(linux\) KEEL-INIT: reached init",
            r"\(linux\) KEEL-HYPERVISOR: xen",
            r"\(linux\) KEEL-CPUS: 1",
            r"\(linux\) KEEL-SLEEP: [0-9.]+",
            r"\(keel\) d\d+ linux: shutdown reason=poweroff",
            r"\(keel\) d\d+ linux: destroyed",
            ALL_GONE],
    forbid=[*CRASH, r"Kernel panic", r"\(keel\) d\d+ linux: crashed"],
    timeout=180,
    check=sleep_ok,
)
