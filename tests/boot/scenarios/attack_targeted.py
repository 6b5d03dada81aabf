"""Targeted attacks from inside (guests/attack), beside the victim
(guests/victim, d1), which must finish intact:
  - targeted (d2): every edge checked for Xen 4.17's exact answer: garbage
    above int-typed arguments and compatibility-mode calls, lengths near
    2^31/2^32/2^64 and lists wrapping at the top of the address space,
    event channel ports out of range, closed, another domain's, all 4096
    used up, grant references never granted or beyond the table, grant
    entries full of nonsense, frames that are not the guest's, vCPUs that
    do not exist, HVM params it may not touch, the hypercall-page MSR;
  - storm (d3): self-IPI, NMI, INTn and exception storms, #UD/#GP/#PF/#DE
    loops, string I/O into the P2M hole, thousands of unknown MSRs (Keel
    logs the first few once, then says it stops), DR0-DR3 scribbling;
  - granter (d4) and copier (d5): grants revoked, retargeted and
    ballooned out while GNTTABOP_copy batches use them;
  - p2m_* (d6-d9): a write past RAM, to the xAPIC page, far above 4 GiB,
    and a jump into the hole: each crashes its own domain with a line
    naming the address, and nothing else.
Then every domain is gone and Keel has every page and object back."""
import re

from runner import (ALL_GONE, CRASH, NO_DOMAINS, Module, Scenario, all_of, domain_ends,
                    domains_pass, nothing_leaked)

PASSING = {"victim": 1, "targeted": 2, "storm": 3, "granter": 4, "copier": 5}
P2M = {"p2m_past": "past", "p2m_apic": "apic", "p2m_high": "high", "p2m_exec": "exec"}
MSR_LOG_MAX = 16        # Keel logs this many unknown MSRs of a domain, then one line more


def attack(name: str, args: str) -> Module:
    return Module(file="build/guests/attack.elf", args=f"domain name={name} memory=16 -- {args}")


def p2m_crashes_named(log: str) -> str | None:
    """Each p2m_* domain said where it would touch, then Keel crashed it
    naming that address, and destroyed it; no other domain crashed."""
    for name in P2M:
        touched = re.search(rf"^\({name}\) attack: touching 0x([0-9a-f]+) ", log, re.MULTILINE)
        if not touched:
            return f"{name}: no 'touching' line"
        addr = int(touched.group(1), 16)
        why = domain_ends(log, name, "crash", [rf"\(keel\) d\d+ {name}: crashed: .*\b0*{addr:x}\b"],
                          touched.end())
        if why:
            return why
    crashed = set(re.findall(r"\(keel\) d\d+ (\S+): crashed", log))
    if crashed != set(P2M):
        return f"crashed domains {sorted(crashed)}, expected exactly {sorted(P2M)}"
    return None


def msr_log_bounded(log: str) -> str | None:
    lines = re.findall(r"\(keel\) d\d+ storm: (?:read|write) of MSR", log)
    if len(lines) > MSR_LOG_MAX:
        return f"{len(lines)} unknown-MSR lines for storm, at most {MSR_LOG_MAX}"
    if len(re.findall(r"\(keel\) d\d+ storm: more unknown MSRs refused", log)) != 1:
        return "no single 'more unknown MSRs refused' line for storm"
    return None


SCENARIO = Scenario(
    name="attack_targeted",
    modules=[Module(file="build/guests/victim.elf",
                    args="domain name=victim memory=16 -- rounds=30 interval_ms=250"),
             attack("targeted", "mode=targeted peers=1"),
             attack("storm", "mode=storm"),
             attack("granter", "mode=granter peers=5"),
             attack("copier", "mode=copier peers=4"),
             *(attack(name, f"mode=p2m target={target}") for name, target in P2M.items())],
    expect=[r"\(victim\) victim: intact after 30 rounds", NO_DOMAINS, ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
    timeout=120,
    check=all_of(domains_pass(PASSING), p2m_crashes_named, msr_log_bounded, nothing_leaked),
)
