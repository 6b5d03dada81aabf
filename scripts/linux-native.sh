#!/usr/bin/env bash
# Boot Debian's kernel straight on QEMU, with QEMU's own PVH loader and no
# hypervisor: the baseline `make bench` compares Keel's Linux boot against.
#
# QEMU 7.2's -kernel accepts an ELF vmlinux that has the Xen PHYS32_ENTRY
# note (type 18): it loads the PT_LOAD segments at their physical addresses
# and its pvh.bin option ROM enters the kernel at that entry in 32-bit
# protected mode with an hvm_start_info, just as Keel will.  (A bzImage
# would go through the Linux boot protocol instead; that is not what we
# want to compare.)
#
# Usage: scripts/linux-native.sh [DIR]   (DIR defaults to build/linux and
# must hold vmlinux and initramfs.cpio.gz; run `make linux` first).
# Environment:
#   RUN=poweroff      the keel.run= value (comma-separated /init commands)
#   SMP=1 MEM=512M    guest CPUs and memory
#   RUNS=1            boots to measure; with more, also prints min and median
#   TIMEOUT=180       seconds before a boot counts as failed
#   LOG=DIR/native.log  the serial log of the last boot
# Prints, per boot, one line:
#   linux-native: init after S s (QEMU exit after S s; guest clock at /init S s) kernel R
# Exits 0 when every boot printed "KEEL-INIT: reached init", else 1.
set -euo pipefail

# The default is the repository's build/linux, wherever we are run from.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${1:-${DIR:-$repo/build/linux}}
RUN=${RUN:-poweroff}
SMP=${SMP:-1}
MEM=${MEM:-512M}
RUNS=${RUNS:-1}
TIMEOUT=${TIMEOUT:-180}
LOG=${LOG:-$DIR/native.log}
QEMU=${QEMU:-qemu-system-x86_64}
MARKER="KEEL-INIT: reached init"

die() { echo "linux-native.sh: error: $*" >&2; exit 1; }
for f in vmlinux initramfs.cpio.gz; do
    [[ -s $DIR/$f ]] || die "$DIR/$f is missing; run 'make linux' first"
done
command -v "$QEMU" >/dev/null 2>&1 || die "$QEMU is missing (scripts/deps.sh installs it)"
command -v timeout >/dev/null 2>&1 || die "'timeout' (coreutils) is missing"

# The test machine of DESIGN.md, minus SVM (no hypervisor here).  -accel tcg
# is QEMU's default anyway; say it so a host with KVM measures the same thing
# Keel runs on.
qemu_cmd=("$QEMU" -machine q35 -accel tcg -cpu qemu64 -m "$MEM" -smp "$SMP"
          -nographic -no-reboot
          -kernel "$DIR/vmlinux" -initrd "$DIR/initramfs.cpio.gz"
          -append "console=ttyS0 keel.run=$RUN")

# Seconds (3 decimals) between two $EPOCHREALTIME values.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Boot once.  Lines are timestamped as they arrive on QEMU's stdout (the
# serial port; -nographic writes it unbuffered), so "init after" is wall time
# from just before QEMU starts to the marker line: it includes QEMU's start,
# SeaBIOS, the PVH option ROM, the kernel's boot and /init's first echo.
boot_once() {
    local t0 t_init='' line status='?' rel gclock
    : > "$LOG"
    t0=$EPOCHREALTIME
    # The process substitution runs QEMU, then reports timeout's exit status
    # (124 on expiry) as a last line, after a newline because the guest's
    # last line often has none; the loop reads to the end, so QEMU never
    # gets SIGPIPE.
    while IFS= read -r line; do
        line=${line%$'\r'}
        if [[ $line == KEEL-NATIVE-QEMU-STATUS:* ]]; then
            status=${line#*: }
            continue
        fi
        printf '%s\n' "$line" >> "$LOG"
        if [[ -z $t_init && $line == *"$MARKER"* ]]; then
            t_init=$EPOCHREALTIME
        fi
    done < <(rc=0  # "|| rc=$?": the subshell inherits set -e
             timeout -k 5 "$TIMEOUT" "${qemu_cmd[@]}" </dev/null 2>&1 || rc=$?
             printf '\nKEEL-NATIVE-QEMU-STATUS: %s\n' "$rc")
    local t_end=$EPOCHREALTIME
    if [[ -z $t_init ]]; then
        if [[ $status == 124 ]]; then
            echo "linux-native: no '$MARKER' within ${TIMEOUT}s (log: $LOG)"
        else
            echo "linux-native: QEMU exited ($status) without '$MARKER' (log: $LOG)"
        fi
        return 1
    fi
    rel=$(sed -n 's/^KEEL-UNAME: //p' "$LOG" | head -n1)
    # The kernel's own timestamp of "Run /init as init process": guest time
    # since the kernel started, for comparison with the wall-clock figure.
    gclock=$(sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' "$LOG" | head -n1)
    echo "linux-native: init after $(elapsed "$t0" "$t_init") s" \
         "(QEMU exit after $(elapsed "$t0" "$t_end") s; guest clock at /init ${gclock:-?} s)" \
         "kernel ${rel:-?}"
    [[ $status == 0 ]] ||
        echo "linux-native: note: QEMU exited with status $status (log: $LOG)"
    LAST_INIT=$(elapsed "$t0" "$t_init")
}

times=()
fail=0
for ((i = 1; i <= RUNS; i++)); do
    if boot_once; then times+=("$LAST_INIT"); else fail=1; fi
done
if (( RUNS > 1 && ${#times[@]} > 0 )); then
    printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "linux-native: %d boots: init after min %.3f s, median %.3f s\n", NR, v[1], m }'
fi
exit "$fail"
