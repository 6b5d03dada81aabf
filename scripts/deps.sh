#!/usr/bin/env bash
# Install the Debian packages that building, running and testing Keel need.
#
# Idempotent and quiet: when everything is installed it prints nothing and
# returns at once (every make target that needs the tools calls it).
# Otherwise it runs `apt-get update` once and installs only what is missing,
# through sudo when not root.  When it cannot install, it says what is
# missing and exits 1.  KEEL_SKIP_DEPS=1 skips the check (for systems that
# are not Debian, where you install the equivalents yourself).
set -euo pipefail

packages=(
    qemu-system-x86     # the test machine
    grub-pc-bin         # GRUB's BIOS modules, for make iso
    grub-common         # grub-mkrescue
    xorriso             # grub-mkrescue writes the ISO with it
    mtools              # grub-mkrescue builds its EFI image with it
    libcmocka-dev       # unit tests
    clang               # fuzz targets (make fuzz, make check-fuzz)
    libclang-rt-14-dev  # libFuzzer and clang's sanitizer runtimes (not pulled in by clang)
    python3             # test driver, boot-test runner, benchmarks
    gcc
    make
    binutils
)

say() { echo "deps.sh: $*" >&2; }

# Print the packages of "$@" that dpkg does not list as installed.
missing_packages() {
    local installed
    # One dpkg-query call for all of them keeps the fast path fast.  It exits
    # non-zero when it has never heard of a package: that one is missing.
    installed=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
                awk '$NF == "installed" { print $1 }') || true
    local p
    for p in "$@"; do
        grep -qxF -- "$p" <<<"$installed" || echo "$p"
    done
}

cannot_install() {
    say "cannot install the missing packages: $1."
    say "missing: ${missing[*]}"
    say "install them with: apt-get install --no-install-recommends ${missing[*]}"
    exit 1
}

[[ ${KEEL_SKIP_DEPS:-0} == 1 ]] && exit 0

if ! command -v dpkg-query >/dev/null 2>&1; then
    say "this is not a Debian system (no dpkg-query), so I cannot check for"
    say "or install: ${packages[*]}."
    say "Install their equivalents yourself, then set KEEL_SKIP_DEPS=1."
    exit 1
fi

mapfile -t missing < <(missing_packages "${packages[@]}")
[[ ${#missing[@]} -eq 0 ]] && exit 0

command -v apt-get >/dev/null 2>&1 || cannot_install "there is no apt-get"
if [[ $(id -u) -eq 0 ]]; then
    as_root=(env)
elif command -v sudo >/dev/null 2>&1; then
    # Without a terminal sudo cannot ask for a password: fail, do not hang.
    if [[ -t 0 ]]; then as_root=(sudo env); else as_root=(sudo -n env); fi
else
    cannot_install "not root and there is no sudo"
fi

say "installing: ${missing[*]}"
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    cannot_install "apt-get update failed"
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    cannot_install "apt-get install failed"

mapfile -t missing < <(missing_packages "${missing[@]}")
[[ ${#missing[@]} -eq 0 ]] || cannot_install "apt-get did not install them all"
say "done"
