#!/usr/bin/env bash
# Fetch Debian 12's current amd64 kernel and extract the ELF vmlinux from it.
#
# Keel boots Linux as a PVH guest, which needs the ELF image (its PT_NOTE
# holds the PVH entry point, Xen note type 18), not the bzImage Debian ships.
# The bzImage's payload is that ELF, XZ-compressed; we extract it here on the
# host so the hypervisor never needs an XZ decoder.
#
# Usage: scripts/fetch-linux.sh [OUT]     (OUT defaults to build/linux; the
# environment variable OUT works too).  Writes:
#   OUT/vmlinux   the uncompressed ELF kernel
#   OUT/VERSION   key=value lines: package, version, kernel release, entry
# Idempotent: when OUT/vmlinux and OUT/VERSION exist it prints one line and
# returns at once, without asking apt anything.  FORCE=1 refetches.
# The kernel is never committed: build/ is gitignored.
set -euo pipefail

# The default is the repository's build/linux, wherever we are run from.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-${OUT:-$repo/build/linux}}
say() { echo "fetch-linux.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

if [[ ${FORCE:-0} != 1 && -s $OUT/vmlinux && -s $OUT/VERSION ]]; then
    echo "fetch-linux.sh: $OUT/vmlinux is present ($(sed -n 's/^release=//p' "$OUT/VERSION"))"
    exit 0
fi

for tool in apt-cache apt-get dpkg-deb xz readelf od dd; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "'$tool' is missing (this script needs a Debian system with binutils and xz-utils)"
done

# apt-cache knows nothing until the package lists exist; run apt-get update
# once if we can (root or password-less sudo), otherwise say what to do.
as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
    else return 1; fi
}
if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
    say "apt knows no linux-image-amd64; running apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
        die "apt-get update failed; run it as root, then retry"
fi

# linux-image-amd64 is a metapackage: the kernel lives in the versioned
# package it depends on (linux-image-6.1.0-NN-amd64).  Resolve that name from
# the candidate version, so we follow Debian's security updates.
meta_ver=$(apt-cache policy linux-image-amd64 | awk '/Candidate:/ { print $2 }')
[[ -n $meta_ver && $meta_ver != "(none)" ]] ||
    die "linux-image-amd64 has no installation candidate"
pkg=$(apt-cache show "linux-image-amd64=$meta_ver" |
      sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | head -n1)
[[ -n $pkg ]] || die "cannot find the kernel package linux-image-amd64=$meta_ver depends on"

mkdir -p "$OUT"
work="$OUT/pkg"
rm -rf "$work"
mkdir -p "$work"

# apt-get download writes into the current directory; it needs no root.
say "downloading $pkg (linux-image-amd64 $meta_ver)"
# As root, apt fetches as user _apt and warns when _apt cannot write the
# directory; let it (the directory is ours and temporary).
chmod 777 "$work"
(cd "$work" && apt-get download -qq "$pkg") || die "apt-get download $pkg failed"
debs=("$work"/*.deb)
deb=${debs[0]}
[[ -f $deb ]] || die "apt-get download left no .deb in $work"
pkg_ver=$(dpkg-deb -f "$deb" Version)

dpkg-deb -x "$deb" "$work/root"
bzs=("$work"/root/boot/vmlinuz-*)
bz=${bzs[0]}
[[ -f $bz ]] || die "$deb has no /boot/vmlinuz-*"
release=${bz##*/vmlinuz-}

# Read a little-endian unsigned integer of $2 bytes at offset $1 of the bzImage.
le() { od -An -t "u$2" -j "$(( $1 ))" -N "$2" --endian=little "$bz" | tr -d ' '; }

# The bzImage header (Documentation/arch/x86/boot.rst): "HdrS" at 0x202, the
# protocol version at 0x206, setup_sects at 0x1F1 (0 means 4), and from
# protocol 2.08 the compressed payload's offset (0x248) and length (0x24C),
# the offset counted from the start of the protected-mode code, which comes
# after the boot sector and the setup sectors.
magic=$(dd if="$bz" bs=1 skip=$((0x202)) count=4 status=none)
[[ $magic == HdrS ]] || die "$bz is not a bzImage (no HdrS at 0x202)"
proto=$(le 0x206 2)
(( proto >= 0x208 )) || die "$bz uses boot protocol $(printf %#x "$proto"); need >= 2.08 for payload_offset"
setup_sects=$(le 0x1F1 1)
(( setup_sects == 0 )) && setup_sects=4
payload_off=$(le 0x248 4)
payload_len=$(le 0x24C 4)
start=$(( (setup_sects + 1) * 512 + payload_off ))

# Debian builds with CONFIG_KERNEL_XZ; check the XZ magic (FD 37 7A 58 5A 00)
# so a change of compressor gives a clear message, not an xz error.
xzmagic=$(od -An -tx1 -j "$start" -N 6 "$bz" | tr -d ' \n')
[[ $xzmagic == fd377a585a00 ]] ||
    die "payload at $start is not XZ (magic $xzmagic); Debian changed the kernel compressor?"

# dd cuts out exactly the payload (tail | head would die of SIGPIPE, which
# pipefail reports as a failure).  The kernel build appends the decompressed
# size (4 bytes, little-endian) to the XZ stream, inside payload_length;
# plain `xz -dc` rejects that as trailing garbage, so --single-stream tells
# it to stop after the one XZ stream.
tmp="$OUT/vmlinux.tmp"
dd if="$bz" iflag=skip_bytes,count_bytes skip="$start" count="$payload_len" \
   bs=1M status=none | xz -dc --single-stream > "$tmp" ||
    die "xz could not decompress the payload of $bz"

# It must be an ELF whose notes carry the PVH entry (owner Xen, type 18,
# XEN_ELFNOTE_PHYS32_ENTRY); without it a PVH loader has nothing to jump to.
[[ $(head -c 4 "$tmp" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]] ||
    die "the decompressed payload is not an ELF file"
notes=$(readelf -n "$tmp") || die "readelf -n failed on the extracted vmlinux"
pvh_line=$(awk '$1 == "Xen" && /Unknown note type: \(0x00000012\)|PHYS32_ENTRY/ { print NR; exit }' <<<"$notes")
[[ -n $pvh_line ]] || die "the vmlinux has no Xen note type 18 (PHYS32_ENTRY): not PVH-bootable"
# readelf prints an unknown note's descriptor as "description data: xx xx ..."
# on the next line; decode the little-endian entry address for VERSION.
entry=$(awk -v n="$pvh_line" 'NR == n + 1 { sub(/.*data: */, ""); s = ""
          for (i = NF; i >= 1; i--) s = s $i; print s; exit }' <<<"$notes" |
        sed 's/^0*//')
entry=0x${entry:-0}

mv "$tmp" "$OUT/vmlinux"
cat > "$OUT/VERSION" <<EOF
package=$pkg
version=$pkg_ver
release=$release
bzimage_protocol=$(printf '%#x' "$proto")
setup_sects=$setup_sects
payload_length=$payload_len
vmlinux_size=$(stat -c %s "$OUT/vmlinux")
pvh_entry=$entry
EOF
# Keep the bzImage too (handy for comparing with QEMU's Linux loader); drop
# the rest of the unpacked package, which is mostly modules we do not use.
cp "$bz" "$OUT/bzImage"
rm -rf "$work"
say "wrote $OUT/vmlinux ($release, PVH entry $entry)"
