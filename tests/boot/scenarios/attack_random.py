"""Random hypercalls from inside (guests/attack, mode=random): a 64-bit and
a 32-bit attacker each make 100,000 seeded random calls (the seed is the
default, printed first; 64-bit calls include compatibility-mode calls and
garbage above int-typed arguments) beside the victim (guests/victim),
which keeps checking its memory pattern, its own CPU state, its event
channel and its timer.  Every call must return (each attacker reports its
final count and passes), the victim must finish intact, and once all are
gone Keel's free pages and xmalloc objects must be what they were before.
Domain ids follow module order: victim d1, attack d2, attack32 d3."""
import os
import re

from runner import (ALL_GONE, CRASH, NO_DOMAINS, Module, Scenario, all_of, domains_pass,
                    nothing_leaked)

DOMAINS = {"victim": 1, "attack": 2, "attack32": 3}
CALLS = 100000
# The seed both attackers use: the guest's default unless KEEL_ATTACK_SEED
# names one (a number, or "random" for a new one each run); the guests print
# it first, so a failure can be replayed with KEEL_ATTACK_SEED=that.
_SEED = os.environ.get("KEEL_ATTACK_SEED", "")
SEED_ARG = (f" seed={int.from_bytes(os.urandom(8), 'little'):#x}" if _SEED == "random"
            else f" seed={int(_SEED, 0):#x}" if _SEED else "")


def every_call_returned(log: str) -> str | None:
    for name in ("attack", "attack32"):
        if not re.search(rf"^\({name}\) attack: random hypercalls, seed=0x[0-9a-f]+ "
                         rf"calls={CALLS}$", log, re.MULTILINE):
            return f"{name}: no seed line"
        if not re.search(rf"^\({name}\) attack: done: {CALLS} calls: ", log, re.MULTILINE):
            return f"{name}: did not report {CALLS} calls done"
    return None


SCENARIO = Scenario(
    name="attack_random",
    modules=[Module(file="build/guests/victim.elf",
                    args="domain name=victim memory=16 -- rounds=20 interval_ms=250"),
             Module(file="build/guests/attack.elf",
                    args=f"domain name=attack memory=16 -- mode=random peers=1,3{SEED_ARG}"),
             Module(file="build/guests/attack32.elf",
                    args=f"domain name=attack32 memory=16 -- mode=random peers=1,2{SEED_ARG}")],
    expect=[r"\(victim\) victim: intact after 20 rounds", NO_DOMAINS, ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH", r"\(keel\) d\d+ \S+: crashed"],
    timeout=120,
    check=all_of(domains_pass(DOMAINS), every_call_returned, nothing_leaked),
)
