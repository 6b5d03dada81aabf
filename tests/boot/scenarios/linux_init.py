"""Debian's unmodified Linux 6.1 (make linux) boots as a PVH domain to its
init on hvc0: /sys/hypervisor/type says xen, `sleep 1` lasts 0.9-1.5 s of
in-guest uptime, `date` shows the host's date (the wallclock Keel read from
the RTC, within ten minutes of the host's clock when the test is judged),
and `poweroff -f` ends the domain with reason=poweroff.
EVTCHNOP_init_control (FIFO) answers -ENOSYS and Linux falls back to the
2-level ABI cleanly, with upcalls through the callback vector."""
import re
import time

from runner import ALL_GONE, CRASH, Module, Scenario


def sleep_and_date_ok(log: str) -> str | None:
    m = re.search(r"\(linux\) KEEL-SLEEP: ([0-9.]+)", log)
    if not m:
        return "no KEEL-SLEEP line"
    secs = float(m.group(1))
    if not 0.9 <= secs <= 1.5:
        return f"sleep 1 took {secs} s"
    m = re.search(r"\(linux\) KEEL-DATE: (\d+) ", log)
    if not m:
        return "no KEEL-DATE line"
    off = int(m.group(1)) - time.time()
    return None if abs(off) <= 600 else f"the guest's date is {off:+.0f} s from the host's"


SCENARIO = Scenario(
    name="linux_init",
    smp=2,
    mem="512M",
    modules=[Module(file="build/linux/vmlinux",
                    args="domain name=linux memory=256 -- console=hvc0 "
                         "keel.run=cpus,sleeptest,date,poweroff"),
             Module(file="build/linux/initramfs.cpio.gz", args="ramdisk")],
    expect=[r"\(keel\) d\d+ linux: created",
            r"\(linux\) .*xen:events: Using 2-level ABI",
            r"\(linux\) .*xen:events: Xen HVM callback vector for event delivery is enabled",
            r"\(linux\) KEEL-INIT: reached init",
            r"\(linux\) KEEL-HYPERVISOR: xen",
            r"\(linux\) KEEL-CPUS: 1",
            r"\(linux\) KEEL-SLEEP: [0-9.]+",
            r"\(linux\) KEEL-DATE: \d+ ",
            r"\(keel\) d\d+ linux: shutdown reason=poweroff",
            r"\(keel\) d\d+ linux: destroyed",
            ALL_GONE],
    forbid=[*CRASH, r"Kernel panic", r"\(keel\) d\d+ linux: crashed"],
    timeout=180,
    check=sleep_and_date_ok,
)
