"""test_fault=ud: an invalid opcode in the hypervisor after boot gives a full
dump (vector, registers, a stack trace with function names) and the machine
stays halted."""
from runner import READY, Scenario, crash_dump

SCENARIO = Scenario(
    name="fault_ud",
    cmdline="console=com1 loglvl=info test_fault=ud",
    expect=[READY, r"EXCEPTION .*#UD.*vector 6\b", r"Stack trace:",
            r"\btest_fault", r"System halted"],
    forbid_after=[r"\(keel\) ready", r"EXCEPTION"],
    end="halt",
    check=crash_dump([r"RIP:", r"RAX:"]),
)
