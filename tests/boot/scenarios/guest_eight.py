"""Eight hello domains at once on two CPUs: each prints its numbered lines
whole, passes, shuts down and is destroyed, and then all are gone."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario, expect_progress

NAMES = [f"h{i}" for i in range(1, 9)]
LINES = 5


def each_domain(log: str) -> str | None:
    for name in NAMES:
        created = re.search(rf"\(keel\) d(\d+) {name}: created", log)
        if not created:
            return f"{name}: no created line"
        d = created.group(1)
        steps = [*(rf"^\({name}\) hello: line {i}/{LINES}$" for i in range(1, LINES + 1)),
                 rf"^\({name}\) TEST PASS$",
                 rf"\(keel\) d{d} {name}: shutdown reason=poweroff",
                 rf"\(keel\) d{d} {name}: destroyed"]
        done, _ = expect_progress(steps, log, pos=created.end())
        if done < len(steps):
            return f"{name} (d{d}): /{steps[done]}/ not found after its created line"
    return None


SCENARIO = Scenario(
    name="guest_eight",
    smp=2,
    mem="512M",
    modules=[Module(file="build/guests/hello.elf",
                    args=f"domain name={n} memory=16 -- lines={LINES}") for n in NAMES],
    expect=[r"^\(h\d\) TEST PASS$", ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
    timeout=180,
    check=each_domain,
)
