"""test_fault=pf: a page fault in the hypervisor after boot gives a full dump
(vector, CR2, registers, a stack trace with function names) and the machine
stays halted."""
from runner import READY, SYMBOLISED_TRACE, Scenario, crash_dump

# The function that raised the fault, named with its offset.
FAULTING_FUNCTION = r"\btest_fault\w*\+0x[0-9a-f]+"

SCENARIO = Scenario(
    name="fault_pf",
    cmdline="console=com1 loglvl=info test_fault=pf",
    expect=[READY, r"EXCEPTION .*#PF.*vector 14\b", r"Stack trace:", r"System halted"],
    forbid_after=[r"\(keel\) ready", r"EXCEPTION"],
    end="halt",
    check=crash_dump([r"RIP:", r"RAX:", r"CR2: *(?:0x)?[0-9a-fA-F]+",
                      FAULTING_FUNCTION, SYMBOLISED_TRACE]),
)
