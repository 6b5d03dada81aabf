"""test_fault=ud: an invalid opcode in the hypervisor after boot gives a full
dump (vector, registers, a stack trace with function names) and the machine
stays halted."""
from runner import READY, SYMBOLISED_TRACE, Scenario, crash_dump

# The function that raised the fault, named with its offset.
FAULTING_FUNCTION = r"\btest_fault\w*\+0x[0-9a-f]+"

SCENARIO = Scenario(
    name="fault_ud",
    cmdline="console=com1 loglvl=info test_fault=ud",
    expect=[READY, r"EXCEPTION .*#UD.*vector 6\b", r"Stack trace:", r"System halted"],
    forbid_after=[r"\(keel\) ready", r"EXCEPTION"],
    end="halt",
    check=crash_dump([r"RIP:", r"RAX:", FAULTING_FUNCTION, SYMBOLISED_TRACE]),
)
