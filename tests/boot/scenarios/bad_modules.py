"""Bad boot modules are reported and skipped, and the good one still runs:
a module that is not ELF, an ELF without the PVH entry note (Keel's own
image), a domain asking for more memory than the machine has, a malformed
module string, and a ramdisk with no domain before it."""
from runner import ALL_GONE, CRASH, Module, Scenario

SCENARIO = Scenario(
    name="bad_modules",
    smp=2,
    mem="256M",
    modules=[Module(file="orphan.img", args="ramdisk", data=b"\0" * 4096),
             Module(file="garbage.bin", args="domain name=garbage", data=b"not an ELF\n" * 100),
             Module(file="build/keel.elf", args="domain name=nonote memory=16"),
             Module(file="build/guests/hello.elf", args="domain name=huge memory=100000"),
             Module(file="build/guests/hello.elf", args="domain name=bad/name"),
             Module(file="build/guests/hello.elf", args="domain name=good memory=16")],
    expect=[r"\(keel\) module 0: a ramdisk without a domain module before it; ignored",
            r"\(keel\) domain garbage: kernel not loadable: .+; not started",
            r"\(keel\) domain nonote: kernel not loadable: .*(PVH|note).*; not started",
            r"\(keel\) domain huge: needs \d+ MiB, only \d+ MiB free; not started",
            r"\(keel\) module 4: .*name.*; domain not started",
            r"\(keel\) d\d+ good: created",
            r"\(good\) TEST PASS",
            ALL_GONE],
    forbid=[*CRASH, r"(garbage|nonote|huge): created"],
)
