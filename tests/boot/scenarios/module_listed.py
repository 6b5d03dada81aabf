"""A Multiboot module (QEMU -initrd) is listed with its size and string, and
boot goes on.  The module is neither a domain nor a ramdisk, so Keel may warn
about it, but must not stop."""
import re

from runner import ALL_GONE, CRASH, READY, Module, Scenario

SIZE = 12345                        # not a multiple of the page size
WORD = "keel-listed-module-test"    # in the module string after the file name
MODULE_LINE = rf"\(keel\) .*[Mm]odule.*(?:{WORD}|module_listed\.bin)"


def size_shown(log: str) -> str | None:
    lines = re.findall(r"\(keel\) .*[Mm]odule.*", log)
    if not any(re.search(rf"\b(?:{SIZE}|{SIZE:#x})\b", line) for line in lines):
        return f"no module line gives the size, {SIZE} bytes: {lines}"
    return None


SCENARIO = Scenario(
    name="module_listed",
    modules=[Module(file="module_listed.bin", args=WORD,
                    data=bytes(i % 251 for i in range(SIZE)))],
    expect=[MODULE_LINE, READY, ALL_GONE],
    forbid=CRASH,
    check=size_shown,
)
