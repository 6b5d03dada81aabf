#!/usr/bin/env python3
"""Guest figures: hypercall round trip, domain build time, event channel
round trip.

Each of RUNS runs boots Keel twice.  First with two boot domains: hcbench
(times batches of xen_version hypercalls with the guest's TSC and prints the
median cycles per call) and a 64 MiB hello domain, whose build time Keel
logs ("dN NAME: 64 MiB, 1 vCPU, built in N us": memory populated and zeroed,
kernel loaded, start_info written).  Then with the two evbench domains alone,
which ping-pong over an interdomain event channel (send, upcall through the
callback vector, reply) and print the median cycles per round trip.  Prints
each run and the medians.  Figures, not tests.
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
EVTCHN = re.compile(r"\(evclient\) evbench: event channel round trip median (\d+) cycles")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=Path, default=Path("build"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    keel = args.build / "keel.elf"
    guests = args.build / "guests"
    for f in (keel, guests / "hcbench.elf", guests / "hello.elf", guests / "evbench.elf"):
        if not f.exists():
            ap.error(f"{f} does not exist (run make all guests)")

    scenario = runner.Scenario(
        name="bench_guests", smp=2, mem="1G",
        modules=[runner.Module(file=str(args.build / "guests" / "hcbench.elf"),
                               args="domain name=hcbench memory=16"),
                 runner.Module(file=str(args.build / "guests" / "hello.elf"),
                               args="domain name=big memory=64")],
        expect=[runner.ALL_GONE], forbid=runner.CRASH, timeout=120)
    # Alone, so that nothing else competes for the two CPUs: server d1, client d2.
    ev_scenario = runner.Scenario(
        name="bench_evtchn", smp=2, mem="256M",
        modules=[runner.Module(file=str(guests / "evbench.elf"),
                               args="domain name=evserver memory=16 -- role=server peer=2"),
                 runner.Module(file=str(guests / "evbench.elf"),
                               args="domain name=evclient memory=16 -- role=client peer=1")],
        expect=[runner.ALL_GONE], forbid=[*runner.CRASH, r"TEST FAIL"], timeout=120)
    log_dir = args.build / "bench-logs"

    print(f"Guests, {args.runs} runs: -smp 2 -m 1G")
    print(f"{'run':>4}  {'hypercall cycles':>16}  {'64 MiB build us':>15}  {'evtchn RTT cycles':>17}")
    calls, builds, trips = [], [], []
    for i in range(1, args.runs + 1):
        logs = []
        for sc, tag in ((scenario, "guests"), (ev_scenario, "evtchn")):
            modules = runner.prepare_modules(sc, args.build)
            run = runner.run_qemu(sc, runner.qemu_argv(sc, keel.resolve(), modules))
            failure, ending = runner.judge(sc, run)
            log = log_dir / f"{tag}-{i}.log"
            runner.write_log(log, sc, run, ending)
            logs.append((failure, log, run.log))
        (f1, log1, text1), (f2, log2, text2) = logs
        h, b, e = HCALL.search(text1), BUILT.search(text1), EVTCHN.search(text2)
        if f1 or f2 or not h or not b or not e:
            print(f"{i:>4}  failed: {f1 or f2 or 'figures missing'} (logs: {log1}, {log2})")
            continue
        calls.append(int(h.group(1)))
        builds.append(int(b.group(1)))
        trips.append(int(e.group(1)))
        print(f"{i:>4}  {calls[-1]:16d}  {builds[-1]:15d}  {trips[-1]:17d}")
    if not calls:
        return 1
    print(f"{'med':>4}  {statistics.median(calls):16.0f}  {statistics.median(builds):15.0f}"
          f"  {statistics.median(trips):17.0f}")
    print(f"Hypercall round trip (xen_version, guest TSC cycles, nested SVM under TCG): "
          f"{statistics.median(calls):.0f}")
    print(f"Build and start a 64 MiB domain: {statistics.median(builds) / 1000:.1f} ms")
    print(f"Event channel round trip between two domains (send, upcall, reply; guest TSC "
          f"cycles): {statistics.median(trips):.0f}")
    return 0 if len(calls) == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
