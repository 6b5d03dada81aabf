"""On a CPU without SVM, Keel still boots, says why it cannot run guests,
does not start the boot domain, and powers off cleanly."""
from runner import ALL_GONE, CRASH, Module, Scenario

SCENARIO = Scenario(
    name="no_svm",
    smp=2,
    qemu_args=["-cpu", "qemu64,-svm"],      # the last -cpu wins
    modules=[Module(file="build/guests/hello.elf", args="domain name=hello memory=16")],
    expect=[r"\(keel\) SVM: this CPU has no AMD-V \(SVM\)",
            r"\(keel\) no usable hardware virtualization",
            r"\(keel\) ready: 2 CPUs",
            r"\(keel\) no hardware virtualization: boot domains are not started",
            ALL_GONE],
    forbid=[*CRASH, r"hello: created", r"\(hello\)"],
)
