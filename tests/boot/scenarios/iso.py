"""build/keel.iso boots through GRUB's multiboot2 (scripts/grub.cfg's first
entry), reaches ready and powers off.  Keel must say it came through
Multiboot2, e.g. "(keel) boot loader: GRUB 2.06 (Multiboot2)"."""
from runner import ALL_GONE, CRASH, READY, Scenario

SCENARIO = Scenario(
    name="iso",
    boot="cdrom",
    expect=[r"\(keel\) .*Multiboot2", READY, ALL_GONE],
    forbid=CRASH,
    timeout=120,    # SeaBIOS, then GRUB from a CD under TCG
)
