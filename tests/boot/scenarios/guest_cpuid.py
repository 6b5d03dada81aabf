"""guests/cpuid: the CPUID leaves Keel shows a PVH guest (Xen signature at
0x40000000, version 4.17, hypercall MSR, vCPU and domain id in base+4,
AuthenticAMD, the hypervisor bit, no SVM).  The domain id the guest reads
must be the one Keel's log gives it."""
import re

from runner import ALL_GONE, CRASH, Module, Scenario

NAME = "cpuid"


def domid_matches(log: str) -> str | None:
    created = re.search(rf"\(keel\) d(\d+) {NAME}: created", log)
    seen = re.search(rf"\({NAME}\) cpuid: domid=(\d+)", log)
    if not created or not seen:
        return "no created line or no domid line"
    if created.group(1) != seen.group(1):
        return (f"CPUID base+4 says domid {seen.group(1)}, Keel's log says "
                f"d{created.group(1)}")
    return None


SCENARIO = Scenario(
    name="guest_cpuid",
    modules=[Module(file="build/guests/cpuid.elf",
                    args=f"domain name={NAME} memory=16")],
    expect=[rf"\(keel\) d\d+ {NAME}: created",
            rf"\({NAME}\) cpuid: domid=\d+",
            rf"^\({NAME}\) TEST PASS$",
            rf"\(keel\) d\d+ {NAME}: shutdown reason=poweroff",
            rf"\(keel\) d\d+ {NAME}: destroyed",
            ALL_GONE],
    forbid=[*CRASH, r"TEST FAIL"],
    timeout=120,
    check=domid_matches,
)
