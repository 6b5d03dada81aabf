"""guests/memtouch finds all of its RAM zero, writes and verifies it, then
writes just past it: Keel must crash that domain with a line naming the
address, while a second domain (guests/survivor) keeps printing and
passes.  memtouch restarts once after its crash (on_crash=restart,
restart_limit=1): the new domain, likely on the very frames the first one
filled with patterns, must again find every page zero."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario, expect_progress

TOUCHED = r"\(memtouch\) memtouch: touching (0x[0-9a-f]+), just past RAM"
CRASHED = r"\(keel\) d\d+ memtouch: shutdown reason=crash"


def crash_names_address(log: str) -> str | None:
    touched = re.search(TOUCHED, log)
    crashed = re.search(CRASHED, log)
    if not touched or not crashed:
        return "no touching line or no crash line"
    addr = int(touched.group(1), 16)
    domain = re.search(r"\(keel\) d(\d+) memtouch: created", log)
    destroyed = domain and re.compile(
        rf"\(keel\) d{domain.group(1)} memtouch: destroyed").search(log, crashed.end())
    if not destroyed:
        return "memtouch was not destroyed after its crash"
    # Keel's own line naming the address, after the write and before the
    # domain is gone (the reason may come before or after it).
    named = re.compile(rf"^\(keel\) .*\b(?:0x)?0*{addr:x}\b", re.IGNORECASE | re.MULTILINE)
    if not named.search(log, touched.end(), destroyed.end()):
        return (f"no '(keel) ...' line names {addr:#x} between the write past RAM "
                "and memtouch's destruction")
    # The survivor outlived the crash: it still ticked, then passed.
    steps = [r"\(survivor\) survivor: tick \d+/\d+", r"^\(survivor\) TEST PASS$",
             r"\(keel\) d\d+ survivor: shutdown reason=poweroff",
             r"\(keel\) d\d+ survivor: destroyed"]
    done, _ = expect_progress(steps, log, pos=crashed.end())
    if done < len(steps):
        return f"after memtouch crashed, /{steps[done]}/ did not follow"
    return None


SCENARIO = Scenario(
    name="guest_memtouch",
    mem="256M",
    modules=[Module(file="build/guests/memtouch.elf",
                    args="domain name=memtouch memory=16 on_crash=restart restart_limit=1"),
             Module(file="build/guests/survivor.elf",
                    args="domain name=survivor memory=16 -- ticks=40 interval_ms=500")],
    expect=[r"\(keel\) d\d+ memtouch: created",
            r"\(memtouch\) memtouch: all \d+ pages read as zero",
            r"\(memtouch\) memtouch: wrote and verified \d+ pages",
            TOUCHED,
            CRASHED,
            r"\(keel\) d\d+ memtouch: created",
            r"\(memtouch\) memtouch: all \d+ pages read as zero",
            r"\(memtouch\) memtouch: wrote and verified \d+ pages",
            CRASHED,
            r"\(keel\) memtouch: restart limit \(1\) reached; not restarting",
            r"^\(survivor\) TEST PASS$",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
    timeout=180,
    check=crash_names_address,
)
