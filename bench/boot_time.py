#!/usr/bin/env python3
"""Boot time: how long the firmware takes and how long Keel itself takes.

`make bench` runs Keel RUNS times on the test machine (-smp 2 -m 1G, TCG) with
`console=com1 poweroff_when_idle`, time-stamping the serial output as it
arrives: QEMU start -> first byte of Keel's first "(keel)" line is the
firmware's share (QEMU, SeaBIOS, the Multiboot load), that byte -> the start
of the "(keel) ready:" line is Keel's own.  It prints each run and the
medians, and compares Keel's share with its target.  A figure, not a test:
the machines are shared and noisy, so it never fails on time.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "boot"))
import runner  # noqa: E402  (tests/boot/runner.py: the test machine and its reader)

KEEL_TARGET_MS = 100.0
KEEL_PREFIX = b"(keel)"
READY_PREFIX = b"(keel) ready:"


@dataclass
class Timing:
    firmware_ms: float      # QEMU start -> first Keel byte
    keel_ms: float          # first Keel byte -> ready line

    @property
    def total_ms(self) -> float:
        return self.firmware_ms + self.keel_ms


def measure(run: runner.Run) -> Timing | str:
    """The timing of one run, or why there is none."""
    first, ready = run.raw.find(KEEL_PREFIX), run.raw.find(READY_PREFIX)
    if first < 0:
        return "Keel printed nothing"
    if ready < 0:
        return "no ready line"
    t_first, t_ready = run.arrival(first), run.arrival(ready)
    assert t_first is not None and t_ready is not None
    return Timing((t_first - run.start) * 1000, (t_ready - t_first) * 1000)


def boot_once(scenario: runner.Scenario, keel: Path, log: Path) -> Timing | str:
    run = runner.run_qemu(scenario, runner.qemu_argv(scenario, keel.resolve()))
    failure, ending = runner.judge(scenario, run)
    runner.write_log(log, scenario, run, ending)
    if failure:
        return f"{failure} (log: {log})"
    return measure(run)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keel", type=Path, default=Path("build/keel.elf"),
                    help="the hypervisor image (default build/keel.elf)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--mem", default="1G")
    args = ap.parse_args(argv)
    if not args.keel.exists():
        ap.error(f"{args.keel} does not exist (run make)")
    if args.runs < 1:
        ap.error("--runs needs a positive number")

    # Only the ready line matters here; QEMU is stopped if it does not power
    # off soon after.
    scenario = runner.Scenario(
        name="boot_time", smp=args.smp, mem=args.mem,
        cmdline="console=com1 poweroff_when_idle",
        expect=[runner.READY], forbid=runner.CRASH, end="either", end_wait=2.0)
    log_dir = args.keel.parent / "bench-logs"

    print(f"Boot time, {args.runs} runs: -smp {args.smp} -m {args.mem}, "
          f"cmdline '{scenario.cmdline}'")
    print(f"{'run':>4}  {'firmware ms':>11}  {'Keel ms':>9}  {'total ms':>9}")
    timings = []
    for i in range(1, args.runs + 1):
        t = boot_once(scenario, args.keel, log_dir / f"boot_time-{i}.log")
        if isinstance(t, str):
            print(f"{i:>4}  failed: {t}")
            continue
        timings.append(t)
        print(f"{i:>4}  {t.firmware_ms:11.1f}  {t.keel_ms:9.1f}  {t.total_ms:9.1f}")
    if not timings:
        print("no run reached ready")
        return 1

    firmware = statistics.median(t.firmware_ms for t in timings)
    keel = statistics.median(t.keel_ms for t in timings)
    total = statistics.median(t.total_ms for t in timings)
    print(f"{'med':>4}  {firmware:11.1f}  {keel:9.1f}  {total:9.1f}")
    verdict = "OK" if keel < KEEL_TARGET_MS else "ABOVE TARGET"
    print(f"Keel share: {keel:.1f} ms (target < {KEEL_TARGET_MS:.0f} ms): {verdict}")
    return 0 if len(timings) == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
