#!/usr/bin/env python3
"""Run Keel's tests: the host unit tests, the fuzz targets, then the QEMU
boot scenarios.

`make test` runs everything, `make check-unit`, `make check-fuzz` and
`make check-boot` one part.  One line per test (a unit-test program, a fuzz
target, or a boot scenario), then one final line "N passed, N failed", which
counts unit-test cases, fuzz targets and boot scenarios.  Exit status 1 if
anything failed.  Logs go to BUILD/test-logs/.

    python3 tests/run-all.py [--build DIR] [--only unit|fuzz|boot] [-k PATTERN] [-j N]
                             [--fuzz-seconds S] [--fuzz-keep]

A fuzz target first runs every input of its corpus (tests/fuzz/corpus/NAME,
the regression part), then fuzzes for --fuzz-seconds (default 3; `make fuzz`
gives FUZZ_SECONDS).  New inputs go to BUILD/fuzz/scratch/NAME, emptied at
each run, or with --fuzz-keep (`make fuzz`) to BUILD/fuzz/found/NAME, which
the next --fuzz-keep run starts from; never into the repo.

-k selects tests whose name ("unit/page_alloc", "boot/smp2") contains
PATTERN, or matches it as a glob (boot/smp*); give it several times for more.
"""
from __future__ import annotations

import argparse
import fnmatch
import os
import re
import select
import shutil
import subprocess
import sys
import time
import tty
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

TESTS = Path(__file__).resolve().parent
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, str(TESTS / "boot"))
import runner  # noqa: E402  (tests/boot/runner.py)

UNIT_TIMEOUT_S = 300        # one unit-test program, sanitizers included
FUZZ_SECONDS = 3            # fuzzing after the corpus, per target, in make test
FUZZ_SLACK_S = 120          # corpus replay and start-up, on top of the fuzzing time
TAIL_LINES = 40             # of a failed test's log, shown under its FAIL line


@dataclass
class Outcome:
    """One line of the report: a unit-test program or a boot scenario."""
    line: str                   # "PASS ..." or "FAIL ..."
    passed: int                 # test cases (unit) or 1 (boot)
    failed: int
    tail: Sequence[str] = ()    # shown after a FAIL line


# ---- unit tests ---------------------------------------------------------------

@dataclass
class CmockaCounts:
    started: int = 0            # "[==========] Running N test(s)."
    passed: int = 0             # "[  PASSED  ] N test(s)."
    failed: int = 0             # "[  FAILED  ] N test(s), listed below:"
    skipped: int = 0            # "[  SKIPPED ] N test(s), listed below:"
    summaries: int = 0          # how many group summaries were seen


_SUMMARY = re.compile(
    r"^\[  (PASSED|FAILED|SKIPPED) *\] (\d+) test\(s\)(?:\.|, listed below:)$")
_RUNNING = re.compile(r"^\[==========\] Running (\d+) test\(s\)\.$")


def parse_cmocka(output: str) -> CmockaCounts:
    """Add up what every group a cmocka program ran reported."""
    counts = CmockaCounts()
    for line in output.splitlines():
        line = line.rstrip()
        m = _RUNNING.match(line)
        if m:
            counts.started += int(m.group(1))
            continue
        m = _SUMMARY.match(line)
        if not m:
            continue
        n = int(m.group(2))
        if m.group(1) == "PASSED":
            counts.passed += n
            counts.summaries += 1       # cmocka always prints PASSED
        elif m.group(1) == "FAILED":
            counts.failed += n
        else:
            counts.skipped += n
    return counts


def judge_unit(name: str, status: int, output: str) -> Outcome:
    """Turn one program's exit status and output into a report line.

    The counts come from cmocka's summaries.  A program that dies, or exits
    non-zero although its summaries show no failure (a sanitizer report at
    exit, a crash between groups), counts one failure more.
    """
    c = parse_cmocka(output)
    tail = output.splitlines()[-TAIL_LINES:]
    how = f"killed by signal {-status}" if status < 0 else f"exit status {status}"
    if c.summaries == 0:
        return Outcome(f"FAIL {name}: no cmocka summary ({how})", 0, 1, tail)
    failed = c.failed
    why = []
    if c.failed:
        why.append(f"{c.failed} of {c.passed + c.failed} cases failed")
    unreported = c.started - c.passed - c.failed - c.skipped
    if unreported > 0:
        why.append(f"died with {unreported} of {c.started} cases unreported ({how})")
        failed += 1
    elif status != 0 and not c.failed:
        why.append(f"{how} after all cases passed")
        failed += 1
    skipped = f", {c.skipped} skipped" if c.skipped else ""
    if why:
        return Outcome(f"FAIL {name}: {'; '.join(why)}{skipped}", c.passed, failed, tail)
    return Outcome(f"PASS {name} ({c.passed} cases{skipped})", c.passed, 0)


def unit_programs(build: Path) -> list[tuple[str, Path]]:
    """(name, program) of each tests/unit/test_NAME.c.  Programs are found
    through their sources so that a stale binary of a deleted test is not
    run, and a test that was not built is reported."""
    return [(f"unit/{src.stem[len('test_'):]}", build / "unit" / src.stem)
            for src in sorted((TESTS / "unit").glob("test_*.c"))]


def run_on_pty(argv: list[str], timeout: float) -> tuple[int | None, str]:
    """Run argv with stdout and stderr on one pseudo-terminal and return its
    exit status (None if it ran out of time) and its output.  On a terminal
    stdout is line-buffered, so cmocka's progress (stdout) and its messages
    and the sanitizers' reports (stderr) come out in the order they happened,
    and nothing is lost when the program dies."""
    master, slave = os.openpty()
    tty.setraw(slave)           # no "\r\n" translation
    # cmocka's default output format is the one parse_cmocka reads.
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="STDOUT")
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave,
                                stderr=slave, env=env, cwd=TESTS.parent)
    except OSError:
        os.close(master)
        raise
    finally:
        os.close(slave)
    output = bytearray()
    deadline = time.monotonic() + timeout
    timed_out = False
    with proc:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([master], [], [], left)[0]:
                timed_out = True
                proc.kill()
                break
            try:
                data = os.read(master, 65536)
            except OSError:     # EIO: the program and its children are gone
                break
            if not data:
                break
            output += data
    os.close(master)
    status = None if timed_out else proc.returncode
    # Sanitizers colour their reports on a terminal.
    return status, runner.plain_text(bytes(output))


def run_unit(name: str, program: Path, log_dir: Path) -> Outcome:
    if not program.exists():
        return Outcome(f"FAIL {name}: {program} does not exist (run make unit-build)", 0, 1)
    try:
        status, output = run_on_pty([str(program)], UNIT_TIMEOUT_S)
    except OSError as e:
        return Outcome(f"FAIL {name}: cannot run {program}: {e}", 0, 1)
    log_dir.mkdir(parents=True, exist_ok=True)
    (log_dir / f"unit-{program.name[len('test_'):]}.log").write_text(output)
    if status is None:
        tail = output.splitlines()[-TAIL_LINES:]
        return Outcome(f"FAIL {name}: timed out after {UNIT_TIMEOUT_S} s", 0, 1, tail)
    return judge_unit(name, status, output)


# ---- fuzz targets ----------------------------------------------------------------

def fuzz_targets(build: Path) -> list[tuple[str, Path]]:
    """(name, program) of each tests/fuzz/fuzz_NAME.c, found through the
    sources like the unit tests."""
    return [(f"fuzz/{src.stem[len('fuzz_'):]}", build / "fuzz" / src.stem)
            for src in sorted((TESTS / "fuzz").glob("fuzz_*.c"))]


_EXECUTED = re.compile(r"^stat::number_of_executed_units: (\d+)$", re.M)


def run_fuzz(name: str, program: Path, seconds: int, keep: bool, build: Path,
             log_dir: Path) -> Outcome:
    """Replay the target's corpus, fuzz for `seconds`, report the runs.
    A crash, a sanitizer report, a broken invariant or a timeout is a FAIL;
    the input that did it is kept under BUILD/fuzz/artifacts/."""
    target = name.split("/", 1)[1]
    if not program.exists():
        return Outcome(f"FAIL {name}: {program} does not exist (run make fuzz-build)", 0, 1)
    corpus = TESTS / "fuzz" / "corpus" / target
    found = build / "fuzz" / ("found" if keep else "scratch") / target
    if not keep:
        shutil.rmtree(found, ignore_errors=True)
    artifacts = build / "fuzz" / "artifacts"
    found.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    argv = [str(program), f"-max_total_time={seconds}", "-print_final_stats=1",
            "-timeout=10", "-rss_limit_mb=4096", "-max_len=4096",
            f"-artifact_prefix={artifacts}/{target}-", str(found)]
    if corpus.is_dir():
        argv.append(str(corpus))
    try:
        status, output = run_on_pty(argv, seconds + FUZZ_SLACK_S)
    except OSError as e:
        return Outcome(f"FAIL {name}: cannot run {program}: {e}", 0, 1)
    log_dir.mkdir(parents=True, exist_ok=True)
    (log_dir / f"fuzz-{target}.log").write_text(output)
    tail = output.splitlines()[-TAIL_LINES:]
    m = _EXECUTED.search(output)
    runs = f"{int(m.group(1))} runs" if m else "no run count"
    if status is None:
        return Outcome(f"FAIL {name}: timed out after {seconds + FUZZ_SLACK_S} s ({runs})", 0, 1, tail)
    if status != 0 or not m:
        return Outcome(f"FAIL {name}: exit status {status} after {runs} "
                       f"(input kept in {artifacts})", 0, 1, tail)
    return Outcome(f"PASS {name} ({runs} in {seconds} s)", 1, 0)


# ---- boot tests ----------------------------------------------------------------

def boot_scenarios() -> list[tuple[str, Path]]:
    return [(f"boot/{path.stem}", path) for path in runner.scenario_files()]


def run_boot(name: str, path: Path, build: Path, log_dir: Path) -> Outcome:
    try:
        scenario = runner.load_scenario(path)
    except Exception as e:      # a broken scenario file fails alone
        return Outcome(f"FAIL {name}: cannot load {path.name}: {e}", 0, 1)
    result = runner.run_scenario(scenario, build, log_dir)
    if result.failure is None:
        return Outcome(result.line(), 1, 0)
    return Outcome(result.line(), 0, 1, result.log_tail(TAIL_LINES))


# ---- driver ----------------------------------------------------------------------

def selected(name: str, patterns: Sequence[str] | None) -> bool:
    """-k: no patterns select everything."""
    if not patterns:
        return True
    return any(p in name or fnmatch.fnmatchcase(name, p) for p in patterns)


T = TypeVar("T")


def in_order(jobs: int, tasks: Iterable[Callable[[], T]]) -> Iterator[T]:
    """Run tasks on `jobs` threads; yield their results in task order."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(task) for task in tasks]
        try:
            for f in futures:
                yield f.result()
        finally:
            for f in futures:
                f.cancel()


def report(outcome: Outcome) -> None:
    print(outcome.line)
    for line in outcome.tail:
        print(f"    {line}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build", type=Path, help="build directory")
    ap.add_argument("--only", choices=("unit", "fuzz", "boot"), help="run one part only")
    ap.add_argument("--fuzz-seconds", type=int, default=FUZZ_SECONDS, metavar="S",
                    help=f"fuzzing time per fuzz target after its corpus (default {FUZZ_SECONDS})")
    ap.add_argument("--fuzz-keep", action="store_true",
                    help="keep what the fuzz targets find in BUILD/fuzz/found and start from it")
    ap.add_argument("-k", action="append", metavar="PATTERN", dest="patterns",
                    help="run the tests whose name contains PATTERN or matches it as a glob")
    ap.add_argument("-j", type=int, default=1, metavar="N", dest="jobs",
                    help="tests run at once (default 1: a TCG guest takes a core per vCPU)")
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error("-j needs a positive number")

    build, log_dir = args.build, args.build / "test-logs"
    tasks: list[Callable[[], Outcome]] = []
    if args.only in (None, "unit"):
        tasks += [lambda n=n, p=p: run_unit(n, p, log_dir)
                  for n, p in unit_programs(build) if selected(n, args.patterns)]
    if args.only in (None, "fuzz"):
        tasks += [lambda n=n, p=p: run_fuzz(n, p, args.fuzz_seconds, args.fuzz_keep, build, log_dir)
                  for n, p in fuzz_targets(build) if selected(n, args.patterns)]
    if args.only in (None, "boot"):
        tasks += [lambda n=n, p=p: run_boot(n, p, build, log_dir)
                  for n, p in boot_scenarios() if selected(n, args.patterns)]
    if args.patterns and not tasks:     # a mistake, not a pass
        no_match = Outcome(f"FAIL -k {' -k '.join(args.patterns)}: matches no test", 0, 1)
        tasks.append(lambda: no_match)

    passed = failed = 0
    for outcome in in_order(args.jobs, tasks):
        report(outcome)
        passed += outcome.passed
        failed += outcome.failed
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
