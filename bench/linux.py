#!/usr/bin/env python3
"""Linux boot: QEMU start to the guest's init, on Keel and without it.

Boots Debian's kernel (make linux) RUNS times as a Keel boot domain and
RUNS times with QEMU's own PVH loader (no hypervisor, -cpu qemu64 -smp 1),
time-stamps the "KEEL-INIT: reached init" line as it arrives, and prints
both medians and their ratio (goal: Keel at most 1.3x).  A figure, not a
test: machines are shared and noisy.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "boot"))
import runner  # noqa: E402

MARKER = b"KEEL-INIT: reached init"
GOAL = 1.3


def time_to_init(scenario: runner.Scenario, argv: list[str]) -> float | None:
    run = runner.run_qemu(scenario, argv)
    at = run.raw.find(MARKER)
    when = run.arrival(at) if at >= 0 else None
    return None if when is None else when - run.start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=Path, default=Path("build"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    linux = args.build / "linux"
    vmlinux, initrd = linux / "vmlinux", linux / "initramfs.cpio.gz"
    keel = args.build / "keel.elf"
    for f in (vmlinux, initrd, keel):
        if not f.exists():
            ap.error(f"{f} does not exist (run make all linux)")

    on_keel = runner.Scenario(
        name="bench_linux", smp=2, mem="1G",
        modules=[runner.Module(file=str(vmlinux),
                               args="domain name=linux memory=256 -- console=hvc0 keel.run=poweroff"),
                 runner.Module(file=str(initrd), args="ramdisk")],
        expect=[r"KEEL-INIT"], end="either", end_wait=1.0, timeout=180)
    keel_argv = runner.qemu_argv(on_keel, keel.resolve(), runner.prepare_modules(on_keel, args.build))
    native = runner.Scenario(name="bench_linux_native", expect=[r"KEEL-INIT"], end="either",
                             end_wait=1.0, timeout=180)
    native_argv = ["qemu-system-x86_64", "-machine", "q35", "-cpu", "qemu64", "-smp", "1",
                   "-m", "512M", "-nographic", "-no-reboot", "-kernel", str(vmlinux),
                   "-initrd", str(initrd), "-append", "console=ttyS0 keel.run=poweroff"]

    print(f"Linux to init, {args.runs} runs each (Keel: -smp 2 -m 1G, 256 MiB domain; "
          f"native: QEMU's PVH loader)")
    print(f"{'run':>4}  {'Keel s':>8}  {'native s':>9}")
    keel_t, native_t = [], []
    for i in range(1, args.runs + 1):
        k = time_to_init(on_keel, keel_argv)
        n = time_to_init(native, native_argv)
        if k is not None:
            keel_t.append(k)
        if n is not None:
            native_t.append(n)
        fmt = lambda t: f"{t:.2f}" if t is not None else "failed"
        print(f"{i:>4}  {fmt(k):>8}  {fmt(n):>9}")
    if not keel_t or not native_t:
        return 1
    km, nm = statistics.median(keel_t), statistics.median(native_t)
    ratio = km / nm
    print(f"{'med':>4}  {km:8.2f}  {nm:9.2f}")
    print(f"Linux to init on Keel: {ratio:.2f}x native (goal <= {GOAL}x): "
          f"{'OK' if ratio <= GOAL else 'ABOVE GOAL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
