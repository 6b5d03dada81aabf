#!/usr/bin/env bash
# Build a tiny initramfs for Linux guests: Debian's static busybox plus an
# /init that prints markers tests and benchmarks look for, then does what
# the kernel command line asks (keel.run=...).
#
# Usage: scripts/mkinitramfs.sh [OUT]   (OUT defaults to build/linux; the
# environment variable OUT works too).  Writes OUT/initramfs.cpio.gz.
# Idempotent: rebuilds only when this script is newer than the archive
# (the /init text lives here) or FORCE=1.
#
# /init prints, on the console:
#   KEEL-INIT: reached init
#   KEEL-UNAME: <uname -r>
#   KEEL-HYPERVISOR: <contents of /sys/hypervisor/type, or none>
# then runs each word of keel.run= (comma-separated, in order):
#   shell      exec sh on the console (interactive)
#   poweroff   poweroff -f
#   reboot     reboot -f
#   sleeptest  time `sleep 1` with /proc/uptime: "KEEL-SLEEP: <seconds>"
#   cpus       "KEEL-CPUS: N", the processors in /proc/cpuinfo
#   date       "KEEL-DATE: <seconds since 1970> <date -u>": the guest's clock
#   smpwork    a busy loop pinned to each online CPU at once, each reporting
#              the CPU it ran on: "KEEL-RAN-ON: 0 1 2 3" (sorted)
# Unknown words print "KEEL-RUN: unknown command <word>".  With no keel.run=
# it starts a shell.  Whatever happens, init never exits (that would panic
# the kernel): after the last word it powers off.
set -euo pipefail

# The default is the repository's build/linux, wherever we are run from.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-${OUT:-$repo/build/linux}}
ARCHIVE="$OUT/initramfs.cpio.gz"
say() { echo "mkinitramfs.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

if [[ ${FORCE:-0} != 1 && -s $ARCHIVE && $ARCHIVE -nt ${BASH_SOURCE[0]} ]]; then
    exit 0
fi

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
    else return 1; fi
}

# cpio is not in a minimal Debian install.  Install it the way deps.sh
# installs its packages: as root directly, else via password-less sudo.
if ! command -v cpio >/dev/null 2>&1; then
    say "installing cpio"
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends cpio >/dev/null ||
    { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      as_root env DEBIAN_FRONTEND=noninteractive \
          apt-get install -y -qq --no-install-recommends cpio >/dev/null; } ||
        die "cannot install cpio; run: apt-get install --no-install-recommends cpio"
fi
for tool in apt-get dpkg-deb gzip; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing"
done

mkdir -p "$OUT"
work="$OUT/initramfs.work"
rm -rf "$work"
mkdir -p "$work/deb"
# As root apt downloads as user _apt, which must be able to write here.
chmod 777 "$work/deb"

# busybox-static, not busybox: the initramfs has no libc to link against.
if ! (cd "$work/deb" && apt-get download -qq busybox-static 2>/dev/null); then
    say "apt-get download busybox-static failed; running apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
        die "apt-get update failed; run it as root, then retry"
    (cd "$work/deb" && apt-get download -qq busybox-static) ||
        die "apt-get download busybox-static failed"
fi
debs=("$work"/deb/busybox-static_*.deb)
deb=${debs[0]}
[[ -f $deb ]] || die "apt-get download left no busybox-static .deb"
dpkg-deb -x "$deb" "$work/pkg"
[[ -x $work/pkg/bin/busybox ]] || die "$deb has no /bin/busybox"

root="$work/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc}
cp "$work/pkg/bin/busybox" "$root/bin/busybox"
# Make the applet links now rather than with `busybox --install` at boot:
# /init then runs in a ready-made tree, and every boot does less work.
# (`busybox --list` runs on the host; the binary is static x86-64.)
for applet in $("$root/bin/busybox" --list); do
    [[ $applet == busybox ]] && continue
    [[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
done
# The kernel may open /dev/console before devtmpfs is mounted; a static node
# guarantees init has a console.  mknod needs root; cpio -R below can't make
# device nodes, so without root we rely on CONFIG_DEVTMPFS_MOUNT instead.
if [[ $(id -u) -eq 0 ]]; then
    mknod -m 600 "$root/dev/console" c 5 1
    mknod -m 666 "$root/dev/null" c 1 3
fi

cat > "$root/init" <<'INIT'
#!/bin/sh
# Keel test init: mount the pseudo file systems, print markers, run keel.run=.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1

echo "KEEL-INIT: reached init"
echo "KEEL-UNAME: $(uname -r)"
echo "KEEL-HYPERVISOR: $(cat /sys/hypervisor/type 2>/dev/null || echo none)"

# Uptime in hundredths of a second, from /proc/uptime ("123.45 ...").
# awk, not string surgery: "0.08" would become 008, which sh reads as octal.
centis() { awk '{ printf "%d\n", $1 * 100 + 0.5 }' /proc/uptime; }

run=
for word in $(cat /proc/cmdline); do
    case "$word" in keel.run=*) run="${word#keel.run=}" ;; esac
done
[ -n "$run" ] || run=shell

for cmd in $(echo "$run" | tr ',' ' '); do
    case "$cmd" in
    shell)
        echo "KEEL-RUN: shell"
        # setsid + cttyhack give the shell a controlling terminal, so ^C works.
        exec setsid cttyhack sh ;;
    poweroff)
        echo "KEEL-RUN: poweroff"
        poweroff -f ;;
    reboot)
        echo "KEEL-RUN: reboot"
        reboot -f ;;
    sleeptest)
        t0=$(centis); sleep 1; t1=$(centis)
        d=$((t1 - t0))
        printf 'KEEL-SLEEP: %d.%02d\n' $((d / 100)) $((d % 100)) ;;
    cpus)
        echo "KEEL-CPUS: $(grep -c '^processor' /proc/cpuinfo)" ;;
    date)
        echo "KEEL-DATE: $(date -u +%s) $(date -u)" ;;
    smpwork)
        # Field 39 of /proc/self/stat is the CPU the reader last ran on.
        n=$(grep -c '^processor' /proc/cpuinfo)
        for cpu in $(seq 0 $((n - 1))); do
            taskset -c "$cpu" sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done
                awk "{ print \$39 }" /proc/self/stat' > "/tmp/ran.$cpu" &
        done
        wait
        echo "KEEL-RAN-ON: $(cat /tmp/ran.* | sort -n | tr '\n' ' ' | sed 's/ $//')" ;;
    *)
        echo "KEEL-RUN: unknown command $cmd" ;;
    esac
done

# init must never exit: the kernel would panic.  Nothing asked to stop, so
# power off; if even that fails, wait forever.
poweroff -f
while :; do sleep 3600; done
INIT
chmod 755 "$root/init"

# newc is the format the kernel's initramfs unpacker reads.  -R 0:0 makes
# every file root's even when we are not root.  Sorted names, fixed mtimes,
# --reproducible (no inode numbers) and gzip -n make the archive depend only
# on its inputs.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n > "$ARCHIVE.tmp" ||
    die "cpio/gzip failed"
mv "$ARCHIVE.tmp" "$ARCHIVE"
say "wrote $ARCHIVE ($(stat -c %s "$ARCHIVE") bytes, busybox-static $(dpkg-deb -f "$deb" Version))"
rm -rf "$work"
