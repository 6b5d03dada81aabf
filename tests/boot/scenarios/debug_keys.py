"""Debug keys (docs/console.md): with the input focus moved to Keel (Ctrl-a
three times), `h` lists the keys, `q` dumps the domains and their vCPUs
(state and registers), `e` the event channels, and an unknown key says
so.  The dumps show what is really there: the running demo domain, its
vCPU, and its console port, unbound for the console backend."""
from runner import ALL_GONE, CRASH, CTRL_A_3, Module, Scenario

SCENARIO = Scenario(
    name="debug_keys",
    modules=[Module(file="build/guests/demo.elf",
                    args="domain name=demo memory=16 -- ticks=40 ms=100")],
    typed=[(r"\(demo\) .*\(2/40\)", CTRL_A_3),
           (r"\(keel\) \*\*\* input to Keel \(", b"hqez")],
    expect=[r"\(keel\) \*\*\* input to Keel \(Ctrl-a three times to switch\)",
            r"\(keel\) 'h' pressed: debug keys",
            r"\(keel\)   h  this help",
            r"\(keel\)   q  domains and vCPUs",
            r"\(keel\)   e  event channels",
            r"\(keel\) 'q' pressed: domains and vCPUs",
            r"\(keel\) d1 demo: running, pause 0, 4096 of 4096 pages, 1 vCPU, restarts 0",
            r"\(keel\)   vCPU0: online.*, on CPU\d( \(running\))?, ran \d+ ms, upcall clear, poll -1",
            r"\(keel\)     rip [0-9a-f]+ rsp [0-9a-f]+ rflags [0-9a-f]+, event 0, nmi none",
            r"\(keel\)     VMCB: exit [0-9a-f]+ .*cr0 [0-9a-f]+ cr3 [0-9a-f]+ cr4 [0-9a-f]+ efer [0-9a-f]+",
            r"\(keel\)     \d+ exits, ",
            r"\(keel\) 'e' pressed: event channels",
            r"\(keel\) d1 demo: 4096 ports",
            r"\(keel\)   vCPU0: upcall_pending [01], mask 0, pending_sel [0-9a-f]+",
            r"\(keel\)   port 1: unbound, vCPU0, (idle|pending), for d0",
            r"\(keel\) no debug key 'z' \(0x7a\): 'h' lists them",
            r"\(demo\) done, powering off",
            ALL_GONE],
    forbid=[*CRASH],
    timeout=60,
)
