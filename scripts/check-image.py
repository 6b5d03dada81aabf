#!/usr/bin/env python3
"""Check the linked hypervisor image before it is used.

1. Code addresses did not move between the first link (empty symbol table)
   and the final one, so the symbol table names the right functions.
2. The loadable part of the file maps linearly onto physical memory from
   the Multiboot1 header's load_addr, as QEMU's a.out-kludge loader copies
   it as one block; the Multiboot1 header is in the first 8 KiB and the
   Multiboot2 header in the first 32 KiB (8-byte aligned).
"""
import struct
import subprocess
import sys

MB1_MAGIC = 0x1BADB002
MB2_MAGIC = 0xE85250D6


def text_symbols(path):
    out = subprocess.run(["nm", "-n", path], check=True, capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if len(l.split()) == 3 and l.split()[1] in "tT"]


def load_segments(data):
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segs = []
    for i in range(phnum):
        p_type, _, p_offset, _, p_paddr, p_filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and p_filesz:
            segs.append((p_offset, p_paddr, p_filesz))
    return segs


def find_magic(data, magic, limit, align):
    for off in range(0, min(limit, len(data)) - 4, align):
        if struct.unpack_from("<I", data, off)[0] == magic:
            return off
    return None


def main(pass1, final):
    errors = []
    if text_symbols(pass1) != text_symbols(final):
        errors.append("code moved between the two links: the symbol table would be wrong")
    data = open(final, "rb").read()
    segs = load_segments(data)
    deltas = {off - paddr for off, paddr, _ in segs}
    if len(deltas) != 1:
        errors.append("PT_LOAD segments are not linear in the file: %r" % segs)
    mb1 = find_magic(data, MB1_MAGIC, 8192, 4)
    if mb1 is None:
        errors.append("no Multiboot1 header in the first 8 KiB")
    else:
        header_addr, load_addr = struct.unpack_from("<II", data, mb1 + 12)
        if segs and mb1 - (header_addr - load_addr) != segs[0][0]:
            errors.append("Multiboot1 load_addr does not match the first segment's file offset")
    if find_magic(data, MB2_MAGIC, 32768, 8) is None:
        errors.append("no Multiboot2 header in the first 32 KiB")
    for e in errors:
        print("check-image: " + e, file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
