"""SCHEDOP_watchdog (guests/watchdog): Xen's answers for ids and timeouts;
a watchdog petted in time does not fire; once the guest stops petting it
and spins with interrupts off, Keel ends the domain with reason=watchdog
and applies on_crash (restart, once: the second run ends the same way).
All on one physical CPU beside guests/survivor, which keeps ticking while
the stuck vCPU spins: the scheduler preempts a vCPU whatever its
interrupt flag."""
from runner import ALL_GONE, CRASH, Module, Scenario, expect_progress

FIRED = r"\(keel\) d\d+ wd: watchdog 1 fired \(not petted for 2 s\)"
REASON = r"\(keel\) d\d+ wd: shutdown reason=watchdog"


def survivor_ran_meanwhile(log: str) -> str | None:
    # Between the first "stuck" and the first firing, the survivor ticked.
    steps = [r"\(wd\) watchdog: stuck", r"\(survivor\) survivor: tick \d+/\d+", FIRED]
    done, _ = expect_progress(steps, log)
    if done < len(steps):
        return f"/{steps[done]}/ did not follow in order"
    return None


SCENARIO = Scenario(
    name="guest_watchdog",
    smp=1,
    modules=[Module(file="build/guests/watchdog.elf",
                    args="domain name=wd memory=16 on_crash=restart restart_limit=1"),
             Module(file="build/guests/survivor.elf",
                    args="domain name=survivor memory=16 -- ticks=40 interval_ms=400")],
    expect=[r"\(wd\) watchdog: petted for 4000 ms, still alive",
            r"\(wd\) watchdog: stuck",
            FIRED, REASON,
            r"\(keel\) wd: restarting \(restart 1\)",
            r"\(wd\) watchdog: stuck",
            FIRED, REASON,
            r"\(keel\) wd: restart limit \(1\) reached; not restarting",
            r"^\(survivor\) TEST PASS$",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
    timeout=120,
    check=survivor_ran_meanwhile,
)
