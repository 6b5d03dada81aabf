#!/usr/bin/env python3
"""Guest figures: hypercall round trip and domain build time.

Boots Keel RUNS times with two boot domains: hcbench (times batches of
xen_version hypercalls with the guest's TSC and prints the median cycles per
call) and a 64 MiB hello domain, whose build time Keel logs ("dN NAME: 64
MiB, 1 vCPU, built in N us": memory populated and zeroed, kernel loaded,
start_info written).  Prints each run and the medians.  Figures, not tests.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "boot"))
import runner  # noqa: E402

HCALL = re.compile(r"\(hcbench\) hcbench: xen_version median (\d+) cycles/call")
BUILT = re.compile(r"\(keel\) d\d+ big: 64 MiB, 1 vCPU, built in (\d+) us")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=Path, default=Path("build"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    keel = args.build / "keel.elf"
    for f in (keel, args.build / "guests" / "hcbench.elf", args.build / "guests" / "hello.elf"):
        if not f.exists():
            ap.error(f"{f} does not exist (run make all guests)")

    scenario = runner.Scenario(
        name="bench_guests", smp=2, mem="1G",
        modules=[runner.Module(file=str(args.build / "guests" / "hcbench.elf"),
                               args="domain name=hcbench memory=16"),
                 runner.Module(file=str(args.build / "guests" / "hello.elf"),
                               args="domain name=big memory=64")],
        expect=[runner.ALL_GONE], forbid=runner.CRASH, timeout=120)
    log_dir = args.build / "bench-logs"

    print(f"Guests, {args.runs} runs: -smp 2 -m 1G")
    print(f"{'run':>4}  {'hypercall cycles':>16}  {'64 MiB build us':>15}")
    calls, builds = [], []
    for i in range(1, args.runs + 1):
        modules = runner.prepare_modules(scenario, args.build)
        run = runner.run_qemu(scenario, runner.qemu_argv(scenario, keel.resolve(), modules))
        failure, ending = runner.judge(scenario, run)
        log = log_dir / f"guests-{i}.log"
        runner.write_log(log, scenario, run, ending)
        h, b = HCALL.search(run.log), BUILT.search(run.log)
        if failure or not h or not b:
            print(f"{i:>4}  failed: {failure or 'figures missing'} (log: {log})")
            continue
        calls.append(int(h.group(1)))
        builds.append(int(b.group(1)))
        print(f"{i:>4}  {calls[-1]:16d}  {builds[-1]:15d}")
    if not calls:
        return 1
    print(f"{'med':>4}  {statistics.median(calls):16.0f}  {statistics.median(builds):15.0f}")
    print(f"Hypercall round trip (xen_version, guest TSC cycles, nested SVM under TCG): "
          f"{statistics.median(calls):.0f}")
    print(f"Build and start a 64 MiB domain: {statistics.median(builds) / 1000:.1f} ms")
    return 0 if len(calls) == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
