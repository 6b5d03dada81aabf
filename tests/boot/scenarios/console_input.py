"""Serial input reaches the focused domain, and Ctrl-a three times moves
the focus (docs/console.md): a Linux shell on hvc0 (the first domain has
the focus) runs what is typed; after three Ctrl-a the focus is on the demo
domain, then on Keel itself, then back on Linux, and what was typed
meanwhile never reached Linux.  Under -nographic each Ctrl-a for the
machine is typed as two (QEMU's own escape is Ctrl-a)."""
from runner import ALL_GONE, CRASH, CTRL_A_3, Module, Scenario

SCENARIO = Scenario(
    name="console_input",
    smp=2,
    mem="512M",
    modules=[Module(file="build/linux/vmlinux",
                    args="domain name=linux memory=256 -- console=hvc0 keel.run=shell"),
             Module(file="build/linux/initramfs.cpio.gz", args="ramdisk"),
             Module(file="build/guests/demo.elf",
                    args="domain name=other memory=16 -- ticks=200 ms=100")],
    typed=[(r"\(linux\) KEEL-RUN: shell", b"echo TYPED-$((6*7))\n"),
           (r"\(linux\) TYPED-42$", CTRL_A_3),
           (r"\(keel\) \*\*\* input to d\d+ other", b"echo WRONG-$((1+1))\n" + CTRL_A_3),
           (r"\(keel\) \*\*\* input to Keel \(", b"echo ALSO-WRONG-$((2+1))\n" + CTRL_A_3),
           (r"\(keel\) \*\*\* input to d\d+ linux", b"echo BACK-$((7*6))\n"),
           (r"\(linux\) BACK-42$", b"poweroff -f\n")],
    expect=[r"\(linux\) TYPED-42$",
            r"\(keel\) \*\*\* input to d2 other \(Ctrl-a three times to switch\)",
            r"\(keel\) \*\*\* input to Keel \(Ctrl-a three times to switch\)",
            r"\(keel\) \*\*\* input to d1 linux \(Ctrl-a three times to switch\)",
            r"\(linux\) BACK-42$",
            r"\(keel\) d1 linux: shutdown reason=poweroff",
            ALL_GONE],
    forbid=[*CRASH, r"WRONG-2", r"ALSO-WRONG-3", r"\(keel\) d\d+ linux: crashed"],
    timeout=180,
)
