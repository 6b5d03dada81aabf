#!/usr/bin/env python3
"""Boot tests: start Keel in QEMU, read its serial port, judge the log.

Each file scenarios/NAME.py defines one test as SCENARIO = Scenario(...): the
machine (CPUs, memory, -kernel or the GRUB ISO, modules), the hypervisor
command line, what the log must show (`expect`, in order), must not show
(`forbid`), how the run must end (`end`) and an optional computed `check`.
The runner starts QEMU with stdin from /dev/null, reads the serial port (QEMU's
stdout) until the scenario is decided or its time limit passes, saves the log
to LOG_DIR/NAME.log and gives a verdict.  There are no retries: a flaky test
is a bug.

tests/run-all.py (`make test`, `make check-boot`) runs every scenario; run some
by hand, watching the serial port, with
    python3 tests/boot/runner.py -v smp2 fault_pf
bench/boot_time.py uses the same machine and reader.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

sys.dont_write_bytecode = True      # scenario files: no __pycache__ in the tree

QEMU = "qemu-system-x86_64"
BOOT_DIR = Path(__file__).resolve().parent
SCENARIO_DIR = BOOT_DIR / "scenarios"
REPO = BOOT_DIR.parent.parent

# Hypervisor log lines the scenarios match (DESIGN.md, "Serial log lines that
# tests match").  No "^" anchors: the firmware may leave the cursor mid-line,
# so Keel's first line can follow SeaBIOS's "Booting from ROM..".
READY = r"\(keel\) ready: (\d+) CPUs?, (\d+) MiB free"
ALL_GONE = r"\(keel\) all domains gone"
CPU_UP = r"\(keel\) CPU(\d+)\b.*\bup\b"
# What must not appear in a boot that is meant to go well.
# Keel's line for QEMU 7.2's nested-SVM defect (guest save area holding the
# hypervisor's own state, see DESIGN.md): the only failure a test may retry.
QEMU_DEFECT = r"\(keel\) d\d+ \S+: crashed: vCPU\d+: VMCB holds host state .*QEMU nested-SVM defect signature"

CRASH = (r"EXCEPTION", r"(?i)\bpanic\b", r"System halted")

# Keel's memory summary once no domain is left: each figure now, then before
# the first domain (domain.c, print_memory_summary).
NO_DOMAINS = (r"\(keel\) no domains: (\d+) pages free \((\d+) before the first domain\), "
              r"(\d+) xmalloc objects \((\d+) before\), (\d+) xmalloc bytes \((\d+)\), "
              r"(\d+) xmalloc pages \((\d+)\), (\d+) pages owned \((\d+)\), "
              r"(\d+) domains created")


def nothing_leaked(log: str) -> str | None:
    """None if the last memory summary shows every figure back where it was
    before the first domain; else what differs (or that there is none)."""
    found = list(re.finditer(NO_DOMAINS, log))
    if not found:
        return "no memory summary after the last domain"
    v = list(map(int, found[-1].groups()))
    names = ("free pages", "xmalloc objects", "xmalloc bytes", "xmalloc pages", "owned pages")
    diffs = [f"{name} {v[2 * i]} (was {v[2 * i + 1]})"
             for i, name in enumerate(names) if v[2 * i] != v[2 * i + 1]]
    return "memory not given back: " + ", ".join(diffs) if diffs else None

DEFAULT_CMDLINE = "console=com1 loglvl=info poweroff_when_idle"

# Typed input: Ctrl-a three times moves the console focus (docs/console.md);
# under -nographic each Ctrl-a for the machine is typed twice (QEMU's escape).
CTRL_A_3 = b"\x01\x01" * 3

# With -no-reboot a reset (a triple fault, say) ends QEMU with status 0, as an
# ACPI power-off does.  QEMU traces the power-off request, not the reset.
SHUTDOWN_TRACE = "qemu_system_shutdown_request"

# After a forbidden line, read this much longer so the log shows what followed
# (a crash dump), then stop.
FORBID_GRACE_S = 2.0
# A hypervisor printing in a loop must not fill the disk or the memory.
MAX_LOG_BYTES = 8 << 20

ENDS = ("poweroff", "halt", "either")
BOOTS = ("kernel", "cdrom")


@dataclass(frozen=True)
class Module:
    """A Multiboot module, passed as QEMU's -initrd "FILE ARGS".

    `file` is relative to the repository (e.g. build/guests/hello.elf), or,
    when `data` is given, the name of a file the runner writes those bytes to
    first (in BUILD/test-files/SCENARIO/).  The module string Keel sees is
    "FILE ARGS" with FILE's full path, as QEMU passes it.
    """
    file: str
    args: str = ""
    data: bytes | None = None


@dataclass(frozen=True)
class Scenario:
    """One boot test; see the module docstring and the existing scenarios.

    expect:   regexes that must all match, in this order, each after the end
              of the previous match (re.search over the whole log; "." does
              not cross lines).  Keep expect and forbid patterns within one
              line: while QEMU runs, the runner looks at each line once.
    forbid:   regexes that must match nowhere in the log.
    forbid_after: regexes that must not match after the last expected line.
    end:      "poweroff": the machine must power off within `end_wait`
                          seconds of the last expected line: ACPI (QEMU exits
                          with status 0) or isa-debug-exit (status
                          (value << 1) | 1); a reset is not a power-off;
              "halt":     QEMU must still be running `end_wait` seconds after
                          the last expected line; then the runner kills it;
              "either":   one of the two (the scenario's check may decide).
    check:    check(log) returns None, or why the log is wrong.
    boot:     "kernel": -kernel BUILD/keel.elf -append CMDLINE (Multiboot1),
              "cdrom":  -cdrom BUILD/keel.iso (GRUB, Multiboot2; the command
                        line is scripts/grub.cfg's, `cmdline` is unused).
    typed:    (regex, bytes) pairs, in order: once a whole line of the log
              matches the regex (after the previous pair's match), the bytes
              are typed on the serial port (QEMU's stdin; under -nographic
              a Ctrl-a for the machine is b"\\x01\\x01", as QEMU's own
              escape is Ctrl-a).  The test fails if one is never typed.
    """
    name: str
    expect: Sequence[str]
    forbid: Sequence[str] = ()
    forbid_after: Sequence[str] = ()
    end: str = "poweroff"
    end_wait: float = 5.0
    timeout: float = 60.0
    cmdline: str = DEFAULT_CMDLINE
    smp: int = 2
    mem: str = "256M"
    boot: str = "kernel"
    modules: Sequence[Module] = ()
    qemu_args: Sequence[str] = ()
    check: Callable[[str], str | None] | None = None
    typed: Sequence[tuple[str, bytes]] = ()

    def __post_init__(self) -> None:
        if self.end not in ENDS:
            raise ValueError(f"end={self.end!r}: must be one of {ENDS}")
        if self.boot not in BOOTS:
            raise ValueError(f"boot={self.boot!r}: must be one of {BOOTS}")
        if not self.expect:
            raise ValueError("expect is empty: a scenario must assert something")
        if self.smp < 1 or self.timeout <= 0 or self.end_wait <= 0:
            raise ValueError("smp, timeout and end_wait must be positive")
        if self.modules and self.boot != "kernel":
            raise ValueError("modules need boot='kernel' (GRUB's come from grub.cfg)")
        for pattern in (*self.expect, *self.forbid, *self.forbid_after,
                        *(trigger for trigger, _ in self.typed)):
            re.compile(pattern)     # a typo fails at load time, not mid-run


# ---- running QEMU -----------------------------------------------------------

@dataclass
class Run:
    """What one QEMU run produced and how it ended."""
    argv: list[str]
    raw: bytes = b""                        # serial output as received
    log: str = ""                           # the same, cleaned (see plain_text)
    stderr: str = ""                        # QEMU's own messages
    start: float = 0.0                      # time.monotonic() before QEMU started
    chunk_ends: list[tuple[int, float]] = field(default_factory=list)
    # ^ (offset in raw just after a chunk, monotonic time it arrived)
    stop: str = ""      # exited, end_wait, timeout, forbidden, log_limit, no_qemu
    status: int | None = None               # exit status if QEMU exited by itself
    ended: str = ""                         # how it exited, see classify_exit
    powered_off: bool = False               # the guest powered the machine off
    duration: float = 0.0
    untyped: str | None = None              # input the scenario could not type

    def arrival(self, offset: int) -> float | None:
        """When raw[offset] arrived (time.monotonic())."""
        for end, when in self.chunk_ends:
            if offset < end:
                return when
        return None


# CSI sequences (cursor moves, colours), character-set selections, and the
# two-byte ones such as ESC c (reset), which SeaBIOS sends first.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[()*+][ -~]|[0-~])")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain_text(raw: bytes) -> str:
    """Terminal output to plain text lines: no escape sequences (GRUB and
    SeaBIOS draw with them), no carriage returns or other control characters."""
    text = raw.decode("utf-8", errors="replace")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def expect_progress(patterns: Sequence[str], log: str,
                    done: int = 0, pos: int = 0) -> tuple[int, int]:
    """Match patterns[done:] in order from log[pos:].  Returns how many of
    `patterns` have matched in all and where the last match ended."""
    while done < len(patterns):
        m = re.compile(patterns[done], re.MULTILINE).search(log, pos)
        if not m:
            break
        pos = m.end()
        done += 1
    return done, pos


def domains_pass_in_order(names: Sequence[str]) -> Callable[[str], str | None]:
    """A check for scenarios whose domains are given ids in module order
    (d1, d2, ...) and told each other's ids on their command lines: each
    must be created with the id assumed, then pass, power off and be
    destroyed."""
    return domains_pass({name: id_ for id_, name in enumerate(names, start=1)})


def domains_pass(ids: Mapping[str, int]) -> Callable[[str], str | None]:
    """Check: each domain NAME of `ids` is created as dID (the ID the other
    command lines assume), then passes, powers off and is destroyed."""
    def check(log: str) -> str | None:
        for name, id_ in ids.items():
            created = re.search(rf"\(keel\) d(\d+) {name}: created", log)
            if not created:
                return f"{name}: no created line"
            if created.group(1) != str(id_):
                return f"{name} is d{created.group(1)}, the command lines assume d{id_}"
            why = domain_ends(log, name, "poweroff", [rf"^\({name}\) TEST PASS$"],
                              created.end())
            if why:
                return why
        return None
    return check


def domain_ends(log: str, name: str, reason: str, first: Sequence[str] = (),
                pos: int = 0) -> str | None:
    """None if, from log[pos:] on, the patterns `first` and then Keel's lines
    for domain NAME shutting down with `reason` and being destroyed come in
    that order; else which one is missing."""
    steps = [*first, rf"\(keel\) d\d+ {name}: shutdown reason={reason}\b",
             rf"\(keel\) d\d+ {name}: destroyed"]
    done, _ = expect_progress(steps, log, pos=pos)
    return None if done == len(steps) else f"{name}: /{steps[done]}/ not found in order"


# Keel's memory summary once the last domain is gone (common/domain.c).
def first_match(patterns: Iterable[str], text: str) -> tuple[str, str] | None:
    """The first of `patterns` found in text, with the line it matched in."""
    for pattern in patterns:
        m = re.search(pattern, text, re.MULTILINE)
        if m:
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            return pattern, text[start:end if end >= 0 else len(text)].strip()
    return None


class _Watcher:
    """Follows the log as it grows and says when the run is decided.  It sees
    each line once (so a long log costs linear time), which is exact for
    patterns that match within a line; judge() reads the whole log again."""

    def __init__(self, scenario: Scenario, deadline: float):
        self.s = scenario
        self.deadline = deadline
        self.done = 0
        self.all_expected_at: float | None = None
        self.forbidden_at: float | None = None

    def update(self, new_lines: str, now: float) -> None:
        if self.all_expected_at is None:
            self.done, _ = expect_progress(self.s.expect, new_lines, self.done)
            if self.done == len(self.s.expect):
                self.all_expected_at = now
        if self.forbidden_at is None and first_match(self.s.forbid, new_lines):
            self.forbidden_at = now

    def stop_time(self) -> tuple[float, str]:
        """When to stop if QEMU goes on, and the reason to give then.  The
        time limit is for reaching the last expected line; end_wait runs
        from there."""
        if self.all_expected_at is None:
            candidates = [(self.deadline, "timeout")]
        else:
            candidates = [(self.all_expected_at + self.s.end_wait, "end_wait")]
        if self.forbidden_at is not None:
            candidates.append((self.forbidden_at + FORBID_GRACE_S, "forbidden"))
        return min(candidates)


def boot_image(s: Scenario, build: Path) -> Path:
    """The file the scenario boots: BUILD/keel.elf or BUILD/keel.iso."""
    return build / ("keel.iso" if s.boot == "cdrom" else "keel.elf")


def qemu_argv(s: Scenario, image: Path, module_paths: Sequence[Path] = ()) -> list[str]:
    """The DESIGN.md test machine, booting image (see boot_image) as the
    scenario asks."""
    argv = [QEMU, "-machine", "q35", "-cpu", "qemu64,+svm,+npt",
            "-smp", str(s.smp), "-m", s.mem, "-nographic", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-trace", SHUTDOWN_TRACE]
    if s.boot == "cdrom":
        argv += ["-cdrom", str(image)]
    else:
        argv += ["-kernel", str(image), "-append", s.cmdline]
    if module_paths:
        # QEMU splits -initrd at commas (",," is a literal comma) and each
        # module at its first space (file name, then the rest of its string).
        specs = [f"{path} {m.args}".rstrip().replace(",", ",,")
                 for path, m in zip(module_paths, s.modules)]
        argv += ["-initrd", ",".join(specs)]
    return argv + list(s.qemu_args)


def prepare_modules(s: Scenario, build: Path) -> list[Path]:
    """Paths of the scenario's module files, writing those given as data."""
    paths = []
    for m in s.modules:
        if m.data is not None:
            path = build / "test-files" / s.name / m.file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(m.data)
        else:
            path = REPO / m.file
        if " " in str(path):
            raise ValueError(f"{path}: QEMU cannot take a module path with a space")
        paths.append(path.resolve())
    return paths


class _Typist:
    """Types a scenario's `typed` input on QEMU's stdin as its triggers appear."""

    def __init__(self, typed: Sequence[tuple[str, bytes]], stdin) -> None:
        self.typed, self.stdin, self.next, self.text = list(typed), stdin, 0, ""

    def update(self, new_lines: str) -> None:
        self.text += new_lines
        while self.next < len(self.typed):
            m = re.search(self.typed[self.next][0], self.text, re.MULTILINE)
            if not m:
                return
            try:
                self.stdin.write(self.typed[self.next][1])
                self.stdin.flush()
            except OSError:
                return              # QEMU is gone; untyped() reports it
            self.text = self.text[m.end():]
            self.next += 1

    def untyped(self) -> str | None:
        if self.next < len(self.typed):
            return f"never typed {self.typed[self.next][1]!r}: /{self.typed[self.next][0]}/ not seen"
        return None


def run_qemu(s: Scenario, argv: list[str], echo: bool = False) -> Run:
    """Run QEMU until the scenario is decided (see _Watcher), then stop it."""
    run = Run(argv=argv, start=time.monotonic())
    watcher = _Watcher(s, run.start + s.timeout)
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE if s.typed else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        run.stop, run.stderr = "no_qemu", f"cannot start {argv[0]}: {e}"
        return run

    raw, err = bytearray(), bytearray()
    lines: list[str] = []   # raw[:complete] as text: whole lines
    complete = 0
    typist = _Typist(s.typed, proc.stdin)
    with proc, selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ, raw)
        sel.register(proc.stderr, selectors.EVENT_READ, err)
        try:
            while sel.get_map():
                when, why = watcher.stop_time()
                now = time.monotonic()
                if now >= when:
                    run.stop = why
                    break
                for key, _ in sel.select(when - now):
                    data = os.read(key.fd, 65536)
                    if not data:
                        sel.unregister(key.fileobj)
                        continue
                    key.data.extend(data)
                    if key.data is raw:
                        now = time.monotonic()
                        run.chunk_ends.append((len(raw), now))
                        if echo:
                            sys.stdout.buffer.write(data)
                            sys.stdout.flush()
                # Judge whole lines only, so that no pattern sees half a line.
                last_nl = raw.rfind(b"\n")
                if last_nl >= complete:
                    lines.append(plain_text(raw[complete:last_nl + 1]))
                    complete = last_nl + 1
                    watcher.update(lines[-1], time.monotonic())
                    typist.update(lines[-1])
                if len(raw) > MAX_LOG_BYTES:
                    run.stop = "log_limit"
                    break
            else:
                run.stop = "exited"     # QEMU closed its output: it is exiting
        finally:
            if run.stop == "exited":
                try:
                    run.status = proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    run.stop = "timeout"
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    run.duration = time.monotonic() - run.start
    run.untyped = typist.untyped()
    run.raw = bytes(raw)
    run.log = "".join(lines) + plain_text(raw[complete:])
    stderr = err.decode("utf-8", errors="replace")
    if run.status is not None:
        run.ended, run.powered_off = classify_exit(run.status, stderr)
    run.stderr = "".join(line for line in stderr.splitlines(keepends=True)
                         if SHUTDOWN_TRACE not in line)
    return run


def classify_exit(status: int, stderr: str) -> tuple[str, bool]:
    """How QEMU ended, from its exit status and stderr, and whether that was
    the guest powering the machine off."""
    if status == 0:
        traced = re.search(rf"{SHUTDOWN_TRACE} reason=\d+", stderr)
        if traced or f"'{SHUTDOWN_TRACE}' does not exist" in stderr:
            return "ACPI power-off", True
        return "reset (a triple fault?)", False
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}", False
        except ValueError:
            return f"killed by signal {-status}", False
    if status == 1:     # also what QEMU returns when it fails
        return "isa-debug-exit 0x0 or a QEMU error", True
    if status & 1:      # isa-debug-exit: (value << 1) | 1
        return f"isa-debug-exit {status >> 1:#x}", True
    return "error", False


# ---- judging ----------------------------------------------------------------

def describe_stop(s: Scenario, run: Run) -> str:
    return {
        "exited": f"QEMU exited: {run.ended}, exit status {run.status}",
        "end_wait": f"QEMU still running {s.end_wait:g} s after the last expected line",
        "timeout": f"timed out after {s.timeout:g} s",
        "forbidden": "stopped after a forbidden line",
        "log_limit": f"stopped: serial output over {MAX_LOG_BYTES >> 20} MiB",
        "no_qemu": run.stderr,
    }[run.stop]


def judge(s: Scenario, run: Run) -> tuple[str | None, str]:
    """(why the run failed or None, how it ended)."""
    ending = describe_stop(s, run)
    if run.stop == "no_qemu":
        return run.stderr, ending
    # A forbidden line (a crash) explains missing lines, so it comes first.
    hit = first_match(s.forbid, run.log)
    if hit:
        return f"forbidden /{hit[0]}/ appeared: {hit[1]!r}", ending
    done, pos = expect_progress(s.expect, run.log)
    if done < len(s.expect):
        why = (f"expected /{s.expect[done]}/ not found "
               f"(expectation {done + 1} of {len(s.expect)}; {ending})")
        qemu_said = run.stderr.strip().splitlines()
        if qemu_said:
            why += f"; QEMU said: {qemu_said[0]}"
        return why, ending
    hit = first_match(s.forbid_after, run.log[pos:])
    if hit:
        return f"/{hit[0]}/ appeared after the last expected line: {hit[1]!r}", ending
    if run.stop == "log_limit":
        return ending, ending
    if run.untyped:
        return run.untyped, ending
    stayed_halted = run.stop == "end_wait"
    if s.end == "poweroff" and not run.powered_off:
        return f"the machine did not power off: {ending}", ending
    if s.end == "halt" and not stayed_halted:
        return f"the machine did not stay halted: {ending}", ending
    if s.end == "either" and not (run.powered_off or stayed_halted):
        return f"the machine neither powered off nor stayed halted: {ending}", ending
    if s.check:
        try:
            why = s.check(run.log)
        except Exception as e:      # a bug in the check fails its scenario only
            why = f"check() raised {type(e).__name__}: {e}"
        if why:
            return why, ending
    return None, ending


# ---- helpers for scenario checks ---------------------------------------------

def ready_line(log: str) -> tuple[int, int] | None:
    """(CPUs, MiB free) from the first ready line."""
    m = re.search(READY, log)
    return (int(m.group(1)), int(m.group(2))) if m else None


def cpus_reported_up(log: str) -> list[int]:
    """CPU numbers of the "CPU<n> ... up" lines, in log order."""
    return [int(m.group(1)) for m in re.finditer(CPU_UP, log)]


def cpus(n: int) -> Callable[[str], str | None]:
    """Check: ready with n CPUs, and CPU0 .. CPU<n-1> each reported up once."""
    def check(log: str) -> str | None:
        ready = ready_line(log)
        if ready is None:
            return "no ready line"
        if ready[0] != n:
            return f"ready with {ready[0]} CPUs, expected {n}"
        up = cpus_reported_up(log)
        if sorted(up) != list(range(n)):
            return f"CPUs reported up: {up}, expected each of 0..{n - 1} once"
        return None
    return check


def free_mib(low: int, high: int) -> Callable[[str], str | None]:
    """Check: the ready line's MiB free is in [low, high)."""
    def check(log: str) -> str | None:
        ready = ready_line(log)
        if ready is None:
            return "no ready line"
        if not low <= ready[1] < high:
            return f"{ready[1]} MiB free, expected at least {low} and below {high}"
        return None
    return check


# A stack trace whose first frame is a function name with an offset.
SYMBOLISED_TRACE = r"Stack trace:\n.*\b\w+\+0x[0-9a-f]+"


def crash_dump(required: Sequence[str]) -> Callable[[str], str | None]:
    """Check: exactly one exception dump, and its text (from the EXCEPTION
    line to "System halted") matches each of `required`, in any order."""
    def check(log: str) -> str | None:
        starts = [m.start() for m in re.finditer(r"EXCEPTION", log)]
        if len(starts) != 1:
            return f"{len(starts)} EXCEPTION lines, expected one dump"
        end = log.find("System halted", starts[0])
        dump = log[starts[0]:end if end >= 0 else len(log)]
        missing = [r for r in required if not re.search(r, dump)]
        if missing:
            return "the dump lacks " + ", ".join(f"/{r}/" for r in missing)
        return None
    return check


def guest_test(guest: str, name: str, *, args: str = "", memory: int = 16,
               lines: Sequence[str] = (), **fields) -> Scenario:
    """The usual single-guest scenario "guest_<guest>": build/guests/<guest>.elf
    as domain `name`; expect it created, its own `lines` (regexes for text
    after "(name) ", each a whole line, in order), "(name) TEST PASS",
    shutdown reason=poweroff, destroyed, and all domains gone; forbid crashes,
    TEST FAIL and MISMATCH lines.  Other Scenario fields pass through."""
    domain = f"domain name={name} memory={memory}" + (f" {args}" if args else "")
    return Scenario(
        name=f"guest_{guest}",
        modules=[Module(file=f"build/guests/{guest}.elf", args=domain)],
        expect=[rf"\(keel\) d\d+ {name}: created",
                *(rf"^\({name}\) {line}$" for line in lines),
                rf"^\({name}\) TEST PASS$",
                rf"\(keel\) d\d+ {name}: shutdown reason=poweroff",
                rf"\(keel\) d\d+ {name}: destroyed",
                ALL_GONE],
        forbid=[*CRASH, r"TEST FAIL", r"MISMATCH"],
        **{"timeout": 120, **fields})


def whole_lines() -> Callable[[str], str | None]:
    """Check: from Keel's first line on, every line is a whole hypervisor
    line ("(keel) " and text), so no two CPUs' output mixed within a line.
    (Only for scenarios without guests, whose lines carry other prefixes.)"""
    def check(log: str) -> str | None:
        first = log.find("(keel) ")
        if first < 0:
            return "no hypervisor line at all"
        for n, line in enumerate(log[first:].splitlines(), 1):
            if line and not line.startswith("(keel) ") and not line.startswith("--- QEMU"):
                return f"line {n} after Keel started is not a whole '(keel) ' line: {line!r}"
        return None
    return check


def all_of(*checks: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """Check: every one of checks passes (the first failure is reported)."""
    def check(log: str) -> str | None:
        for c in checks:
            why = c(log)
            if why:
                return why
        return None
    return check


# ---- scenarios ----------------------------------------------------------------

def _register_as_runner() -> None:
    # Scenario files say `from runner import ...`; make that this module even
    # when it runs as __main__, so there is one Scenario class.
    sys.modules.setdefault("runner", sys.modules[__name__])
    if str(BOOT_DIR) not in sys.path:
        sys.path.insert(0, str(BOOT_DIR))


def scenario_files() -> list[Path]:
    return sorted(p for p in SCENARIO_DIR.glob("*.py") if not p.name.startswith("_"))


def load_scenario(path: Path) -> Scenario:
    """The SCENARIO of one scenario file; ValueError when it has none or it is
    not named after its file."""
    _register_as_runner()
    spec = importlib.util.spec_from_file_location(f"keel_scenario_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    s = getattr(module, "SCENARIO", None)
    if not isinstance(s, Scenario):
        raise ValueError(f"{path.name} defines no SCENARIO = Scenario(...)")
    if s.name != path.stem:
        raise ValueError(f"{path.name}: name={s.name!r} differs from the file name")
    return s


@dataclass
class Result:
    name: str                   # "boot/NAME"
    failure: str | None         # None: passed
    detail: str = ""            # shown after a pass, e.g. how QEMU ended
    duration: float = 0.0
    log_path: Path | None = None

    def line(self) -> str:
        if self.failure is None:
            extra = f", {self.detail}" if self.detail else ""
            return f"PASS {self.name} ({self.duration:.1f} s{extra})"
        return f"FAIL {self.name}: {self.failure}"

    def log_tail(self, lines: int = 40) -> list[str]:
        if self.log_path is None or not self.log_path.exists():
            return []
        return self.log_path.read_text(errors="replace").splitlines()[-lines:]


def write_log(path: Path, s: Scenario, run: Run, ending: str) -> None:
    """NAME.log: the command, the serial output, how it ended, QEMU's stderr."""
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = [f"$ {shlex.join(run.argv)}\n", run.log]
    if run.log and not run.log.endswith("\n"):
        parts.append("\n")
    parts.append(f"--- {ending} ({run.duration:.1f} s) ---\n")
    if run.stderr.strip():
        parts.append(f"--- QEMU stderr ---\n{run.stderr}")
    path.write_text("".join(parts))


def run_scenario(s: Scenario, build: Path, log_dir: Path, echo: bool = False) -> Result:
    """Run one scenario and judge it; the log goes to log_dir/NAME.log."""
    name = f"boot/{s.name}"
    image = boot_image(s, build)
    if not image.exists():
        target = "make iso" if s.boot == "cdrom" else "make"
        return Result(name, f"{image} does not exist (run {target})")
    try:
        argv = qemu_argv(s, image.resolve(), prepare_modules(s, build))
    except (OSError, ValueError) as e:
        return Result(name, f"cannot set up the modules: {e}")
    run = run_qemu(s, argv, echo)
    failure, ending = judge(s, run)
    log_path = log_dir / f"{s.name}.log"
    write_log(log_path, s, run, ending)
    retried = ""
    if failure and re.search(QEMU_DEFECT, run.log):
        # The one known flaw of the test machine (DESIGN.md): retry once, say so.
        write_log(log_dir / f"{s.name}.defect.log", s, run, ending)
        run = run_qemu(s, argv, echo)
        failure, ending = judge(s, run)
        write_log(log_path, s, run, ending)
        retried = f"retried once after the QEMU nested-SVM defect (first run: {s.name}.defect.log)"
    if run.stop == "exited":
        detail = run.ended
    else:
        detail = "stayed halted" if run.stop == "end_wait" else ""
    if retried:
        detail = f"{detail}; {retried}" if detail else retried
    return Result(name, failure, detail, run.duration, log_path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="scenarios to run (default: all)")
    ap.add_argument("--build", default="build", type=Path, help="build directory")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="copy the serial output to the terminal as it comes")
    ap.add_argument("--list", action="store_true", help="list the scenarios")
    args = ap.parse_args(argv)

    files = {p.stem: p for p in scenario_files()}
    unknown = [n for n in args.names if n not in files]
    if unknown:
        ap.error(f"no such scenario: {', '.join(unknown)} (have: {', '.join(files)})")
    if args.list:
        print("\n".join(files))
        return 0
    failed = 0
    for name in args.names or files:
        result = run_scenario(load_scenario(files[name]), args.build,
                              args.build / "test-logs", args.verbose)
        print(result.line(), flush=True)
        if result.failure:
            failed += 1
            print("\n".join(f"    {line}" for line in result.log_tail()), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
