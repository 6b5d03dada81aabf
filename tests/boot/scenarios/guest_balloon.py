"""guests/balloon gives memory back with XENMEM_decrease_reservation and takes
it again with XENMEM_populate_physmap (4 MiB of 4 KiB extents across 2 MiB
boundaries plus a 2 MiB extent), and tries the edges (max_pages, frames that
are not its own, bad arguments, another domain: guests/survivor, d1, beside
it).  Keel's debug line for every call that changed a domain's memory,
    (keel) dID NAME: balloon +N|-N pages (now T), F pages free, P P2M pages
shows the host's free-page count: between two such lines it must change by
exactly the pages the second one gave or took, less the pages the P2M took
for its own tables; the 1536 pages released must all reach the free pool and
the 1536 populated must all come from it; and once both domains are gone
the free pages and xmalloc objects are what they were before the first."""
import re

from runner import ALL_GONE, CRASH, NO_DOMAINS, Module, Scenario, nothing_leaked

PAGES = 1024 + 512
BALLOON = (r"\(keel\) d(\d+) (\S+): balloon ([+-])(\d+) pages \(now (\d+)\), "
           r"(\d+) pages free, (\d+) P2M pages")


def lines_between(log: str, start: str, end: str) -> tuple[int, int] | None:
    a = re.search(start, log)
    b = a and re.compile(end).search(log, a.end())
    return (a.start(), b.end()) if b else None


def free_pages_follow(log: str) -> str | None:
    lines = [(m.start(), m.group(2), int(m.group(1)), (1 if m.group(3) == "+" else -1) * int(m.group(4)),
              int(m.group(5)), int(m.group(6)), int(m.group(7)))
             for m in re.finditer(BALLOON, log)]
    if any(name != "balloon" for _, name, *_ in lines):
        return "a balloon line for a domain other than balloon (its peer's memory changed)"
    if len(lines) < 4:
        return f"only {len(lines)} balloon lines"
    peer_end = re.search(r"\(keel\) d\d+ peer: shutdown reason=", log)
    if peer_end and peer_end.start() < lines[-1][0]:
        return "the peer ended (and freed its memory) while balloon was still changing its own"
    # Each line against the one before: free pages move by the pages given
    # or taken, and by the P2M's new table pages.
    for prev, cur in zip(lines, lines[1:]):
        _, _, _, delta, _, free0, p2m0 = prev
        _, _, _, delta1, now, free1, p2m1 = cur
        if free1 - free0 != -delta1 - (p2m1 - p2m0):
            return (f"free pages went {free0} -> {free1} for a change of {delta1:+d} pages "
                    f"and {p2m1 - p2m0} new P2M pages (now {now})")
    # The big release and the repopulation, as a whole.
    for what, sign in (("releas", -1), ("populat", +1)):
        span = lines_between(log, rf"\(balloon\) balloon: {what}ing {PAGES} pages",
                             rf"\(balloon\) balloon: {what}ed {PAGES} pages")
        if not span:
            return f"no '{what}ing' / '{what}ed' lines from the guest"
        before = [ln for ln in lines if ln[0] < span[0]]
        inside = [ln for ln in lines if span[0] < ln[0] < span[1]]
        if not before or not inside:
            return f"no balloon lines around the {what}ing"
        changed = sum(ln[3] for ln in inside)
        if changed != sign * PAGES:
            return f"{what}ing changed the reservation by {changed:+d}, want {sign * PAGES:+d}"
        gained = inside[-1][5] - before[-1][5]
        tables = inside[-1][6] - before[-1][6]
        if gained + tables != -sign * PAGES:
            return (f"{what}ing {PAGES} pages moved the free pool by {gained:+d} "
                    f"(with {tables} new P2M pages)")
    return nothing_leaked(log)


SCENARIO = Scenario(
    name="guest_balloon",
    cmdline="console=com1 loglvl=debug poweroff_when_idle",
    modules=[Module(file="build/guests/survivor.elf",
                    args="domain name=peer memory=16 -- ticks=30 interval_ms=500"),
             Module(file="build/guests/balloon.elf",
                    args="domain name=balloon memory=32 -- peer=1")],
    expect=[r"\(keel\) d1 peer: created",
            r"\(keel\) d2 balloon: created",
            rf"^\(balloon\) balloon: released {PAGES} pages$",
            rf"^\(balloon\) balloon: populated {PAGES} pages$",
            r"^\(balloon\) TEST PASS$",
            r"\(keel\) d2 balloon: destroyed",
            r"^\(peer\) TEST PASS$",
            r"\(keel\) d1 peer: destroyed",
            NO_DOMAINS,
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH", r"\(keel\) d\d+ \S+: crashed"],
    timeout=180,
    check=free_pages_follow,
)
