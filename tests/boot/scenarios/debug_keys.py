"""Debug keys (docs/console.md): with the input focus moved to Keel (Ctrl-a
three times per step: Linux, then the demo domain, then Keel), each key
prints its view, and the views show what is really there: `h` the list,
`q` the two domains and their vCPUs with registers and exit counts, `r`
each CPU's run queue, `m` the allocator and each domain's pages, `e` the
event channels Linux bound (its console port among them), `g` Linux's
grant table, `t` the timers of both CPUs (the console poll among them),
`0` every CPU's registers; an unknown key says so.  (Timers may show as
overdue: the dump runs in a timer callback of CPU 0, and printing at
115200 baud takes a while.)  Then the focus goes
back to Linux, which still runs commands and powers off."""
import re

from runner import CRASH, CTRL_A_3, Module, Scenario


def timers_listed(log: str) -> str | None:
    """Some timer is queued on one of the CPUs when 't' is pressed (which
    one depends on the moment: a vCPU's one-shot, a time slice)."""
    t = log.find("'t' pressed")
    end = log.find("'0' pressed", t)
    if t < 0 or end < 0:
        return "no 't' dump"
    if not re.search(r"\(keel\)     in -?\d+ us: (singleshot_expired|slice_expired) ",
                     log[t:end]):
        return "the 't' dump lists no vCPU timer or time slice"
    return None

SCENARIO = Scenario(
    name="debug_keys",
    smp=2,
    mem="512M",
    modules=[Module(file="build/linux/vmlinux",
                    args="domain name=linux memory=256 -- console=hvc0 keel.run=shell"),
             Module(file="build/linux/initramfs.cpio.gz", args="ramdisk"),
             Module(file="build/guests/demo.elf",
                    args="domain name=demo memory=16 -- ticks=100000 ms=100")],
    typed=[(r"\(linux\) KEEL-RUN: shell", CTRL_A_3 + CTRL_A_3),
           (r"\(keel\) \*\*\* input to Keel \(", b"hqrmegt0z"),
           (r"\(keel\) no debug key 'z'", CTRL_A_3),
           (r"\(keel\) \*\*\* input to d1 linux", b"echo BACK-$((6*7)); poweroff -f\n")],
    expect=[r"\(keel\) \*\*\* input to Keel \(Ctrl-a three times to switch\)",
            r"\(keel\) 'h' pressed: debug keys",
            r"\(keel\)   0  registers of every CPU",
            r"\(keel\) 'q' pressed: domains and vCPUs",
            r"\(keel\) d1 linux: running, pause 0, \d+ of 65536 pages, 1 vCPU, restarts 0",
            r"\(keel\)   vCPU0: online.*, on CPU\d( \(running\))?, ran \d+ ms, upcall \w+, poll -?\d+",
            r"\(keel\)     rip [0-9a-f]+ rsp [0-9a-f]+ rflags [0-9a-f]+, event [0-9a-f]+, nmi none",
            r"\(keel\)     VMCB rip [0-9a-f]+ rsp [0-9a-f]+ rflags [0-9a-f]+ rax [0-9a-f]+ cs [0-9a-f]+/[0-9a-f]+ cpl [03]",
            r"\(keel\)     VMCB: exit [0-9a-f]+ .*cr0 80050033 cr3 [0-9a-f]+ cr4 [0-9a-f]+ efer [0-9a-f]+",
            r"\(keel\)     \d+ exits, .*VMMCALL \d+",
            r"\(keel\) d2 demo: running, pause 0, 4096 of 4096 pages, 1 vCPU, restarts 0",
            r"\(keel\) 'r' pressed: run queues",
            r"\(keel\) scheduler: credit, slice 10000 us, period 30000 us",
            r"\(keel\)   CPU0: running (d\dv0 \w+ -?\d+ us|idle); queue \(\d\):",
            r"\(keel\)   CPU1: running (d\dv0 \w+ -?\d+ us|idle); queue \(\d\):",
            r"\(keel\) 'm' pressed: memory",
            r"\(keel\)   pages: \d+ in all, \d+ free \(\d+ MiB\), \d+ owned by domains",
            r"\(keel\)   xmalloc: \d+ objects live",
            r"\(keel\)   d1 linux: \d+ pages of 65536 \(\d+ KiB\), \d+ P2M table pages",
            r"\(keel\)   d2 demo: 4096 pages of 4096 \(16384 KiB\), \d+ P2M table pages",
            r"\(keel\) 'e' pressed: event channels",
            r"\(keel\) d1 linux: 4096 ports",
            r"\(keel\)   port \d+: virq, vCPU0, (idle|pending)(, masked)?, virq 0",
            r"\(keel\) 'g' pressed: grant tables",
            r"\(keel\) d1 linux: grant table v1, \d+ of 64 frames",
            r"\(keel\)   \d+ entries granted or in use \(\d+ shown\), \d+ in use by copies",
            r"\(keel\) d2 demo: grant table v1, 1 of 64 frames",
            r"\(keel\) 't' pressed: timers",
            r"\(keel\)   CPU0:",
            r"\(keel\)   CPU1:",
            r"\(keel\) '0' pressed: registers of every CPU",
            r"\(keel\) CPU0: (guest vCPU|idle), host rsp [0-9a-f]+",
            r"\(keel\) CPU1: (guest vCPU|idle), host rsp [0-9a-f]+",
            r"\(keel\) no debug key 'z' \(0x7a\): 'h' lists them",
            r"\(linux\) BACK-42",
            r"\(keel\) d1 linux: shutdown reason=poweroff"],
    forbid=[*CRASH],
    end="halt",
    timeout=180,
    check=timers_listed,
)
