"""A Linux guest kernel panic ends only that domain: Debian's Linux 6.1 with
no initramfs and a root= that names no device panics ("VFS: Unable to
mount root fs"); with panic=-1 it restarts at once, and Linux's Xen panic
notifier turns that into SCHEDOP_shutdown(crash).  Keel records
reason=crash and applies on_crash=destroy, while guests/survivor, running
beside it, keeps ticking and passes."""
from runner import ALL_GONE, Module, Scenario, expect_progress

CRASHED = r"\(keel\) d\d+ linux: shutdown reason=crash"


def survivor_went_on(log: str) -> str | None:
    import re
    crashed = re.search(CRASHED, log)
    if not crashed:
        return "no crash line for linux"
    steps = [r"\(keel\) d\d+ linux: destroyed",
             r"\(survivor\) survivor: tick \d+/\d+", r"^\(survivor\) TEST PASS$",
             r"\(keel\) d\d+ survivor: shutdown reason=poweroff"]
    done, _ = expect_progress(steps, log, pos=crashed.end())
    if done < len(steps):
        return f"after linux crashed, /{steps[done]}/ did not follow"
    return None


SCENARIO = Scenario(
    name="linux_panic",
    smp=2,
    mem="512M",
    modules=[Module(file="build/linux/vmlinux",
                    args="domain name=linux memory=256 on_crash=destroy -- console=hvc0 "
                         "root=/dev/keel-no-such-disk panic=-1"),
             Module(file="build/guests/survivor.elf",
                    args="domain name=survivor memory=16 -- ticks=30 interval_ms=500")],
    expect=[r"\(linux\) .*Kernel panic - not syncing: VFS: Unable to mount root fs",
            CRASHED,
            r"^\(survivor\) TEST PASS$",
            ALL_GONE],
    # Linux's own panic is the point; Keel must not panic or fault.
    forbid=[r"EXCEPTION", r"^\(keel\) Panic on CPU", r"System halted", r"TEST FAIL"],
    timeout=180,
    check=survivor_went_on,
)
