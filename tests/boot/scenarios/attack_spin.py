"""Guests that never yield, on every CPU at once (2 CPUs): spin (d2) busy-
loops with interrupts on for 15 s of TSC time, cli_a and cli_b (d3, d4)
run `cli; jmp .` for good.  Nothing but the physical timer interrupt (a VM
exit every time) gives the CPUs back, and the scheduler must share them:
the victim (d1) must finish its rounds intact with its timers on time
(guests/victim), and the control domain referee (d0, guests/attack
mode=referee) must get to run, see the victim and spin go, and end the two
cli spinners with SCHEDOP_remote_shutdown.  Then Keel has every page and
object back."""
import re

from runner import (ALL_GONE, CRASH, NO_DOMAINS, Module, Scenario, all_of, domains_pass,
                    expect_progress, nothing_leaked)

PASSING = {"referee": 0, "victim": 1, "spin": 2}
SPINNERS = {"cli_a": 3, "cli_b": 4}


def attack(name: str, args: str, extra: str = "") -> Module:
    return Module(file="build/guests/attack.elf",
                  args=f"domain name={name} memory=16{extra} -- {args}")


def spinners_ended_by_referee(log: str) -> str | None:
    for name, id_ in SPINNERS.items():
        steps = [rf"\({name}\) attack: cli; jmp \.",
                 r"\(referee\) referee: d2 is gone",
                 rf"\(keel\) d{id_} {name}: shutdown reason=poweroff",
                 rf"\(keel\) d{id_} {name}: destroyed",
                 rf"\(referee\) referee: d{id_} is gone"]
        done, _ = expect_progress(steps, log)
        if done < len(steps):
            return f"{name}: /{steps[done]}/ not found in order"
    if re.search(r"\(cli_[ab]\) TEST", log):
        return "a cli spinner reported: it was meant never to get that far"
    return None


SCENARIO = Scenario(
    name="attack_spin",
    modules=[attack("referee", "mode=referee wait=1,2 kill=3,4", " dom0"),
             Module(file="build/guests/victim.elf",
                    args="domain name=victim memory=16 -- rounds=20 interval_ms=250"),
             attack("spin", "mode=spin ms=15000"),
             attack("cli_a", "mode=cli"),
             attack("cli_b", "mode=cli")],
    expect=[r"\(victim\) victim: intact after 20 rounds",
            r"\(referee\) TEST PASS",
            NO_DOMAINS, ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH", r"\(keel\) d\d+ \S+: crashed"],
    timeout=120,
    check=all_of(domains_pass(PASSING), spinners_ended_by_referee, nothing_leaked),
)
