"""Weighted fairness: two CPU-bound guests/fair domains with weights 256 and
512 share one physical CPU.  Each counts loop iterations over the same TSC
windows while the other spins too; the weight-512 domain's total must be
twice the other's, within 10%."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario

DOMAINS = {"fair256": 256, "fair512": 512}
GUEST_ARGS = "warmup_ms=2000 measure_ms=8000 cooldown_ms=2000"
TOTAL = r"\((fair\d+)\) fair: weight=(\d+) total=(\d+)"


def ratio_is_two(log: str) -> str | None:
    totals = {m.group(1): int(m.group(3)) for m in re.finditer(TOTAL, log)}
    if set(totals) != set(DOMAINS):
        return f"totals for {sorted(totals)}, expected {sorted(DOMAINS)}"
    if totals["fair256"] <= 0:
        return "the weight-256 domain counted nothing"
    ratio = totals["fair512"] / totals["fair256"]
    if not 1.8 <= ratio <= 2.2:
        return f"fair512/fair256 = {ratio:.3f} (totals {totals}), expected 2 within 10%"
    return None


SCENARIO = Scenario(
    name="guest_fair",
    smp=1,
    cmdline="console=com1 loglvl=info poweroff_when_idle sched_slice_ms=10",
    modules=[Module(file="build/guests/fair.elf",
                    args=f"domain name={name} memory=16 weight={weight} "
                         f"-- weight={weight} {GUEST_ARGS}")
             for name, weight in DOMAINS.items()],
    expect=[r"\(fair\d+\) fair: weight=\d+ total=\d+",
            r"\(fair\d+\) fair: weight=\d+ total=\d+",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
    timeout=240,
    check=ratio_is_two,
)
