"""An SMP Linux guest: Debian's Linux 6.1 with vcpus=4 on a 2-CPU machine
brings its application processors up the native way (INIT and STARTUP IPIs
to the virtual local APIC, a real-mode trampoline), shows 4 CPUs online,
and runs a busy loop pinned to each of them at once."""
from runner import ALL_GONE, CRASH, Module, Scenario

SCENARIO = Scenario(
    name="linux_smp",
    smp=2,
    mem="512M",
    modules=[Module(file="build/linux/vmlinux",
                    args="domain name=linux memory=256 vcpus=4 -- console=hvc0 "
                         "keel.run=cpus,smpwork,poweroff"),
             Module(file="build/linux/initramfs.cpio.gz", args="ramdisk")],
    expect=[r"\(keel\) d\d+ linux: created",
            r"\(linux\) KEEL-INIT: reached init",
            r"\(linux\) KEEL-CPUS: 4$",
            r"\(linux\) KEEL-RAN-ON: 0 1 2 3$",
            r"\(keel\) d\d+ linux: shutdown reason=poweroff",
            r"\(keel\) d\d+ linux: destroyed",
            ALL_GONE],
    forbid=[*CRASH, r"Kernel panic", r"\(keel\) d\d+ linux: crashed",
            r"CPU\d+ failed to report alive", r"do_boot_cpu failed"],
    timeout=240,
)
