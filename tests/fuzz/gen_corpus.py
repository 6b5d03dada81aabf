#!/usr/bin/env python3
"""Write the seed inputs of tests/fuzz/corpus/ (a few meaningful calls per
target, in the byte encoding the targets decode; see tests/fuzz/README.md).

    python3 tests/fuzz/gen_corpus.py     # rewrites the generated seeds

Seeds named seed-* are generated here; other files in a corpus directory
(crash-* regression inputs, interesting finds) are kept as they are.
"""
from __future__ import annotations

import struct
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"

u8 = lambda v: struct.pack("<B", v & 0xff)
u16 = lambda v: struct.pack("<H", v & 0xffff)
u32 = lambda v: struct.pack("<I", v & 0xffffffff)
u64 = lambda v: struct.pack("<Q", v & 0xffffffffffffffff)

# ---- the hypercall targets' common encoding (hypercall_main.c) -------------------

VCPUS = {0: 2, 1: 2, 2: 33}         # fake_world.c's domains


def who(dom: int, vcpu: int = 0, compat: bool = False, legacy: bool = False) -> bytes:
    """The caller byte b: domain b % 3, vCPU (b >> 2) mod its count,
    0x40 legacy (event channels), 0x80 a 32-bit caller."""
    for b in range(256):
        if (b % 3 == dom and (b >> 2) % VCPUS[dom] == vcpu and
                bool(b & 0x40) == legacy and bool(b & 0x80) == compat):
            return u8(b)
    raise ValueError((dom, vcpu))


def step(body: bytes) -> bytes:
    return u8(0x00) + body          # a target step


def common(op: int, body: bytes) -> bytes:
    return u8(0x80) + u8(op) + body


GVA = u8(0x00)                      # fz_gva: the usual place
GVA_PLUS = lambda off: u8(off & 0x38)
SELF, D0, D1, D2, NODOM = u8(0), u8(1), u8(2), u8(3), u8(4)


def gfn_in_ram(n: int) -> bytes:    # fz_gfn: case 3, u16 % RAM
    return u8(3) + u16(n)


def gfn_aligned(second: bool) -> bytes:
    return u8(4 | (0x10 if second else 0))


def gfn_grant(i: int) -> bytes:           # fz_gfn case 7: 0x100 + (sel >> 4)
    return u8(next(b for b in range(256) if b % 10 == 7 and b >> 4 == i))


def time_passes(us: int) -> bytes:
    return common(2, u32(us))


def guest_write(dom: int, data: bytes, off: int = 0) -> bytes:
    return common(0, u8(dom) + GVA_PLUS(off) + u8(len(data)) + data)


def destroy(dom: int) -> bytes:
    return common(5 | 0x80, u8(dom))


def crash(dom: int) -> bytes:
    return common(5, u8(dom))


def pause(dom: int) -> bytes:
    return common(4 | 0x80, u8(dom))


def hog(keep: int) -> bytes:
    return common(7, u8(keep))


def fail_allocs(n: int) -> bytes:
    return common(6, u8(n))


def virq(dom: int, vcpu: int, v: int) -> bytes:
    return common(3, u8(dom) + u8(0 | (v << 2)) + u8(vcpu))

# ---- event_channel_op ------------------------------------------------------------

EV = dict(bind_interdomain=0, bind_virq=1, bind_pirq=2, close=3, send=4, status=5,
          alloc_unbound=6, bind_ipi=7, bind_vcpu=8, unmask=9, reset=10, init_control=11)


def ev(d: int, cmd: str, fields: bytes, vcpu: int = 0, compat=False, legacy=False) -> bytes:
    return step(who(d, vcpu, compat, legacy) + u8(EV[cmd]) + fields + GVA)


def ev_seeds() -> dict[str, bytes]:
    port = lambda p: u8(p)
    connect = (ev(1, "alloc_unbound", SELF + D2) +              # d1 port 2, for d2
               ev(2, "bind_interdomain", D1 + port(2)) +        # d2 port 2 <-> d1 port 2
               ev(2, "send", port(2)) + ev(1, "send", port(2)))
    return {
        "interdomain": connect + ev(1, "status", SELF + port(2)) + ev(2, "close", port(2)) +
                       ev(1, "send", port(2)) + ev(1, "close", port(2)),
        "destroy-connected": connect + destroy(2) + ev(1, "status", SELF + port(2)) +
                             ev(1, "send", port(2)),
        "virq-ipi": ev(1, "bind_virq", u8(0) + u8(0)) + ev(1, "bind_virq", u8(3) + u8(0)) +
                    ev(1, "bind_virq", u8(1) + u8(1), vcpu=1) + ev(1, "bind_ipi", u8(1)) +
                    virq(1, 0, 0) + virq(1, 1, 1) + ev(1, "bind_vcpu", port(3) + u8(1)) +
                    ev(1, "unmask", port(3)) + ev(1, "close", port(2)) +
                    ev(1, "bind_virq", u8(0) + u8(0)),
        "control-domain": ev(0, "alloc_unbound", D1 + D2) + ev(2, "bind_interdomain", D1 + port(2)) +
                          ev(0, "status", D2 + port(2)) + pause(2) + ev(0, "reset", D2) +
                          ev(1, "status", SELF + port(2)),
        "d2-ports": b"".join(ev(2, "bind_ipi", u8(i % 3), vcpu=0) for i in range(72)) +
                    ev(2, "close", port(69)) + ev(2, "bind_ipi", u8(32)),
        "legacy-compat": ev(1, "alloc_unbound", SELF + D1, legacy=True) +
                         ev(1, "send", port(2), compat=True) +
                         ev(1, "bind_virq", u8(0) + u8(0), legacy=True, compat=True) +
                         ev(1, "reset", SELF, legacy=True) + ev(1, "init_control", b"", ),
        "loopback-oom": fail_allocs(0) + ev(1, "alloc_unbound", SELF + SELF) +
                        ev(1, "bind_interdomain", SELF + port(2)) + ev(1, "send", port(3)) +
                        ev(1, "close", port(2)) + ev(1, "bind_ipi", u8(0)),
    }

# ---- memory_op ---------------------------------------------------------------------

MEM_CMDS = [0, 1, 6, 3, 4, 9, 7, 1, 6]    # fuzz_memory_op.c's cmds[]
MEM = lambda cmd: u8(MEM_CMDS.index(cmd))


def reservation(d: int, cmd: int, gfns: list[bytes], order: int = 0, domid: bytes = SELF,
                compat=False, vcpu=0) -> bytes:
    order_b = {0: u8(0), 9: u8(4), 18: u8(6)}.get(order, u8(5 | ((order - 1) << 3)))
    return step(who(d, vcpu, compat) + MEM(cmd) + u8(len(gfns)) + order_b + GVA + GVA +
                u8(0) + u8(0) + domid + u8(0) + b"".join(gfns))


def add_to_physmap(d: int, space: int, idx: int, gfn: bytes, domid: bytes = SELF,
                   compat=False) -> bytes:
    return step(who(d, 0, compat) + MEM(7) + GVA + domid + u8(space) + u8(0) + u8(idx) + gfn)


def mem_seeds() -> dict[str, bytes]:
    return {
        "balloon-4k": reservation(1, 1, [gfn_in_ram(n) for n in (8, 9, 600, 601)]) +
                      reservation(1, 6, [gfn_in_ram(n) for n in (8, 9, 600)]) +
                      reservation(1, 0, [gfn_in_ram(0)] * 3),
        "balloon-2m": reservation(1, 1, [gfn_aligned(False)], order=9) +
                      reservation(1, 6, [gfn_aligned(False)], order=9) +
                      reservation(1, 1, [gfn_in_ram(5)]) +
                      reservation(1, 6, [gfn_aligned(False)], order=9),
        "shared-info": add_to_physmap(1, 0, 0, gfn_in_ram(20)) +
                       add_to_physmap(1, 0, 0, gfn_in_ram(21)) +
                       reservation(1, 1, [gfn_in_ram(21)]) +
                       add_to_physmap(1, 1, 0, gfn_in_ram(21)),
        "grant-frames": add_to_physmap(2, 1, 0, gfn_grant(0)) + add_to_physmap(2, 1, 3, gfn_grant(1)) +
                        add_to_physmap(2, 0, 0, gfn_grant(0)) +
                        reservation(2, 1, [gfn_grant(1), gfn_grant(0)]),
        "control-domain": reservation(0, 1, [gfn_in_ram(30)], domid=D2) +
                          reservation(0, 6, [gfn_in_ram(30)], domid=D2, order=18) +
                          step(who(0) + MEM(3) + GVA + D1) + step(who(1) + MEM(4) + GVA + D2),
        "compat-pressure": hog(8) + reservation(1, 1, [gfn_in_ram(40)], compat=True) +
                           reservation(1, 6, [gfn_in_ram(40), gfn_in_ram(41)], compat=True) +
                           step(who(1, 0, True) + MEM(9) + GVA + GVA + u8(2)),
    }

# ---- grant_table_op ----------------------------------------------------------------


def gt(d: int, sel: int, body: bytes, compat=False) -> bytes:
    return step(who(d, 0, compat) + u8(sel) + GVA + body)


def gt_raw(d: int, cmd: int, raw: bytes) -> bytes:     # sel % 16 >= 11: cmd = sel >> 4
    return gt(d, (cmd << 4) | 11, raw + u8(1))


def gt_map(d: int, idx: int) -> bytes:
    return gt(d, 0, u8(idx) + GVA)


def gt_grant(d: int, ref: int, to: bytes, gfn: bytes, readonly=False) -> bytes:
    return gt(d, 2, u8(ref) + u8(4 if readonly else 0) + to + gfn)


def gt_copy(d: int, ops: list[bytes], compat=False) -> bytes:
    return gt(d, 5, u8(len(ops)) + u8(0) + b"".join(ops), compat)


def copy_op(sref: bool, src: bytes, sdom: bytes, dref: bool, dst: bytes, ddom: bytes,
            length: int, soff=0, doff=0) -> bytes:
    flags = (1 if sref else 0) | (2 if dref else 0)
    return (u8(flags) + src + sdom + u8(0) + u8(soff) + dst + ddom + u8(0) + u8(doff) +
            u8(0) + u8(length))


def gt_seeds() -> dict[str, bytes]:
    grant = gt_map(1, 0) + gt_grant(1, 8, D2, gfn_in_ram(50))       # d1 grants gfn 50 to d2
    return {
        "copy-from-grant": grant + gt_copy(2, [copy_op(True, u8(8), D1, False, gfn_in_ram(60), SELF, 100)]),
        "copy-to-grant": grant + gt_copy(2, [copy_op(False, gfn_in_ram(61), SELF, True, u8(8), D1, 200, 3, 5)]),
        "copy-many": grant + gt_grant(1, 9, D2, gfn_in_ram(51), readonly=True) +
                     gt_copy(2, [copy_op(True, u8(8), D1, True, u8(9), D1, 16),
                                 copy_op(True, u8(9), D1, True, u8(8), D1, 16),
                                 copy_op(True, u8(8), D1, False, gfn_in_ram(62), SELF, 255),
                                 copy_op(True, u8(7), D1, False, gfn_in_ram(62), SELF, 1)]),
        "copy-dying": grant + destroy(1) + gt_copy(2, [copy_op(True, u8(8), D1, False, gfn_in_ram(60), SELF, 8)]),
        "setup-query": gt(1, 9, SELF + u8(4) + GVA + u8(1)) + gt(0, 9, D2 + u8(65) + GVA + u8(1)) +
                       gt(1, 10, SELF + u8(1)) + gt(2, 10, D1 + u8(1)) +
                       gt(1, 9, SELF + u8(2) + GVA + u8(1), compat=True),
        "versions": gt_raw(1, 8, u32(2) + bytes(20)) + gt_raw(1, 8, u32(1) + bytes(20)) +
                    gt_raw(0, 10, u16(2) + bytes(22)) + gt_raw(1, 10, u16(0x7ff0) + bytes(22)) +
                    gt_raw(1, 0, bytes(24)) + gt_raw(1, 12, bytes(24)),
        "compat-copy": grant + gt_copy(2, [copy_op(True, u8(8), D1, False, gfn_in_ram(63), SELF, 4)], compat=True),
    }

# ---- vcpu_op, sched_op, hvm_op, console_io, xen_version ----------------------------


def vcpu_seeds() -> dict[str, bytes]:
    def op(d, cmd, vcpu, body, caller=0, compat=False):
        if cmd not in (5, 8, 10):
            body = bytes(16)            # the raw argument of the other sub-ops
        return step(who(d, caller, compat) + u8(cmd) + u8(vcpu) + GVA + body)
    vi = lambda gfn, off: u8(3) + u16(gfn) + u8(0) + u8(off)
    return {
        "vcpu-info": op(1, 10, 0, vi(100, 1)) + op(1, 10, 1, vi(100, 2)) + op(1, 10, 0, vi(101, 0)) +
                     common(0, u8(1) + u8(0) + u8(0)) + op(1, 3, 1, b""),
        "vcpu-info-high": op(2, 10, 32, vi(200, 4)) + op(2, 10, 31, vi(200, 8)) +
                          virq(2, 32, 0) + destroy(2),
        "timers": op(1, 8, 0, u8(0) + u8(0) + u32(5000)) + time_passes(10) +
                  op(1, 8, 0, u8(1) + u8(0) + u32(0)) + op(1, 9, 0, b"") + op(1, 7, 1, b""),
        "runstate": op(1, 5, 0, GVA) + op(1, 4, 1, b"") + op(1, 5, 1, u8(0xc8)) + op(1, 2, 0, b""),
    }


def sched_seeds() -> dict[str, bytes]:
    def op(d, cmd, body, vcpu=0, compat=False, reason=0):
        if cmd not in (2, 3, 4, 5):
            body = bytes(24)            # the raw argument of the other sub-ops
        return step(who(d, vcpu, compat) + u8(cmd) + GVA + u8(0) + u8(reason) + body)
    poll = lambda ports, timeout: (u8(len(ports)) + GVA + u8(0) +
                                   (u8(0x80) + u32(timeout) if timeout else u8(0)) +
                                   b"".join(u8(0) + u8(p) for p in ports))
    return {
        "poll": op(1, 3, poll([1], 1000), vcpu=1) + time_passes(5) + op(1, 3, poll([1, 2, 3], 0)) +
                common(3, u8(1) + u8(2) + u8(1)) + op(1, 1, b"", vcpu=1),
        "shutdown": op(1, 5, b"", reason=1) + op(1, 2, b"", reason=0) + op(1, 0, b""),
        "remote": op(0, 4, D2, reason=3) + op(2, 4, D1, reason=2) + op(0, 7, b""),
        "compat": op(1, 3, poll([], 100), compat=True) + op(1, 6, b"", compat=True) +
                  op(2, 2, b"", reason=4, compat=True),
    }


def hvm_seeds() -> dict[str, bytes]:
    op = lambda d, sel, domid, index, value, compat=False: step(
        who(d, 0, compat) + u8(sel) + GVA + domid + u8(index) + value)
    return {
        "params": op(1, 0, SELF, 0, u8(0x80) + u8(0xf3)) + op(1, 1, SELF, 0, u8(0)) +
                  op(1, 0, SELF, 1, u8(3)) + op(1, 1, SELF, 1, u8(0)) + op(1, 0, SELF, 2, u8(5)),
        "toolstack": op(0, 0, D2, 9, u8(1)) + op(0, 0, D2, 9, u8(2)) + op(0, 1, D2, 17, u8(0)) +
                     op(1, 0, D2, 2, u8(1)) + op(0, 0, D1, 22, u8(0xc0) + u64(7)),
        "others": op(1, 3, SELF, 0, u8(0), compat=True) + op(1, 7, SELF, 0, u8(0)) +
                  op(1, 0, SELF, 41, u8(1)),
    }


def console_seeds() -> dict[str, bytes]:
    op = lambda d, cmd, count, text, gva=GVA, compat=False: step(
        who(d, 0, compat) + u8(cmd) + u8(count) + gva + u8(len(text)) + text)
    typed = b"".join(common(3, u8(0) + u8(3) + u8(c)) for c in b"ls\n")
    return {
        "write": op(1, 0, 13, b"hello, world\n") + op(2, 0, 6, b"\x1b[2Jx\n") +
                 op(1, 0, 20, b"no newline yet") + op(1, 0, 1, b"\n"),
        "write-long": step(who(1) + u8(0) + u8(0xc0) + GVA + u16(3000) + u8(4) + b"abcd"),
        "write-edges": op(1, 0, 30, b"x" * 30, gva=u8(0xc1)) + op(1, 0, 30, b"y" * 30, gva=u8(0xc5), compat=True) +
                       op(1, 0, 30, b"z" * 30, gva=u8(0xc6)) + op(1, 0, 10, b"", gva=u8(0xc2)),
        "read": typed + op(0, 1, 2, b"") + op(0, 1, 10, b"") + op(1, 1, 10, b"") + op(0, 2, 0, b""),
    }


def version_seeds() -> dict[str, bytes]:
    op = lambda d, cmd, pre=bytes(16), gva=GVA, compat=False: step(
        who(d, 0, compat) + u8(cmd) + gva + pre)
    return {
        "all": b"".join(op(1, c) for c in range(13)) + b"".join(op(0, c) for c in (9, 10)),
        "compat-edges": b"".join(op(2, c, gva=u8(0xc5), compat=True) for c in (1, 2, 4, 5, 6)) +
                        op(1, 10, gva=u8(0xc6)) + op(0, 10, pre=bytes(16)),
    }

# ---- parsers -----------------------------------------------------------------------


def elf64(entry: int = 0x100000, paddr: int = 0x100000, filesz: int = 0x40,
          memsz: int = 0x1000, bits64: bool = True, note: bool = True) -> bytes:
    """A small PVH kernel: one PT_LOAD, and a PT_NOTE with
    XEN_ELFNOTE_PHYS32_ENTRY (type 18)."""
    desc = u32(entry)
    notes = u32(4) + u32(len(desc)) + u32(18) + b"Xen\0" + desc
    if bits64:
        ehsize, phentsize = 64, 56
    else:
        ehsize, phentsize = 52, 32
    phnum = 2 if note else 1
    phoff = ehsize
    data_off = phoff + phnum * phentsize
    note_off = data_off
    load_off = (note_off + len(notes) + 15) & ~15
    body = bytearray(load_off + filesz)
    body[note_off:note_off + len(notes)] = notes
    body[load_off:load_off + filesz] = bytes((i * 7) & 0xff for i in range(filesz))
    ident = b"\x7fELF" + u8(2 if bits64 else 1) + u8(1) + u8(1) + bytes(9)
    if bits64:
        hdr = ident + u16(2) + u16(62) + u32(1) + u64(entry) + u64(phoff) + u64(0) + u32(0) + \
            u16(ehsize) + u16(phentsize) + u16(phnum) + u16(64) + u16(0) + u16(0)
        ph = u32(1) + u32(7) + u64(load_off) + u64(paddr) + u64(paddr) + u64(filesz) + u64(memsz) + u64(0x1000)
        if note:
            ph += u32(4) + u32(4) + u64(note_off) + u64(0) + u64(0) + u64(len(notes)) + u64(len(notes)) + u64(4)
    else:
        hdr = ident + u16(2) + u16(3) + u32(1) + u32(entry) + u32(phoff) + u32(0) + u32(0) + \
            u16(ehsize) + u16(phentsize) + u16(phnum) + u16(40) + u16(0) + u16(0)
        ph = u32(1) + u32(load_off) + u32(paddr) + u32(paddr) + u32(filesz) + u32(memsz) + u32(7) + u32(0x1000)
        if note:
            ph += u32(4) + u32(note_off) + u32(0) + u32(0) + u32(len(notes)) + u32(len(notes)) + u32(4) + u32(4)
    body[0:len(hdr)] = hdr
    body[phoff:phoff + len(ph)] = ph
    return bytes(body)


def elf_seeds() -> dict[str, bytes]:
    pre = lambda mem, flags, ramdisk, cmd: u8(mem) + u8(flags) + u16(ramdisk) + u8(len(cmd)) + cmd
    return {
        "elf64": pre(2, 1, 3000, b"console=hvc0 root=/dev/xvda") + elf64(),
        "elf32": pre(1, 7, 0, b"") + elf64(bits64=False),
        "elf64-big-bss": pre(3, 1, 60000, b"x") + elf64(memsz=0x800000, paddr=0x1000000, entry=0x1000000),
        "elf64-no-note": pre(2, 0, 0, b"") + elf64(note=False),
        "elf64-high": pre(4, 1, 100, b"a b c") + elf64(paddr=0xbff00000, entry=0xbff00000),
    }


def boot_domain_seeds() -> dict[str, bytes]:
    return {
        "domain": u8(0x80) + b"/boot/vmlinux domain name=linux memory=256 vcpus=2 dom0 -- console=hvc0\0",
        "domain-all": u8(0x80) + b"k domain name=a.b-c_1 memory=2G vcpus=64 weight=65535 cap=6400 "
                      b"on_poweroff=restart on_reboot=preserve on_crash=destroy restart_limit=1000000\0",
        "ramdisk": u8(0) + b"/boot/initrd.img ramdisk\0",
        "args": u8(1) + b"domain name=x memory=0x10 --  spaced   args \0",
        "bad": u8(0x80) + b"k domain name=x memory=0 vcpus=65 bogus\0",
        "cmdline": u8(2) + b"b u32=1000 u8=256 u64=18446744073709551615 s=abcdefgh c=xx b=off u32=0x10K\0",
    }


def mb1(info_off: int, cmdline: bytes, mmap: list[tuple[int, int, int]], mods: list[bytes]) -> bytes:
    base = 0x100000
    mem = bytearray(0x2000)
    flags = 0x4 | 0x40 | 0x8 | 0x200
    cmd_at = 0x400
    mem[cmd_at:cmd_at + len(cmdline) + 1] = cmdline + b"\0"
    mm_at = 0x600
    mm = b"".join(u32(20) + u64(a) + u64(l) + u32(t) for a, l, t in mmap)
    mem[mm_at:mm_at + len(mm)] = mm
    mod_at = 0x800
    name = b"GRUB\0"
    mem[0x900:0x900 + len(name)] = name
    for i, s in enumerate(mods):
        sat = 0xa00 + i * 0x100
        mem[sat:sat + len(s) + 1] = s + b"\0"
        mem[mod_at + i * 16:mod_at + i * 16 + 16] = u32(0x200000 + i * 0x1000) + u32(0x200800 + i * 0x1000) + u32(base + sat) + u32(0)
    info = u32(flags) + u32(640) + u32(0x7fc00) + u32(0) + u32(base + cmd_at) + u32(len(mods)) + \
        u32(base + mod_at) + bytes(16) + u32(len(mm)) + u32(base + mm_at) + bytes(16) + u32(base + 0x900)
    mem[info_off:info_off + len(info)] = info
    return bytes(mem)


def mb2(cmdline: bytes, mmap: list[tuple[int, int, int]], mods: list[bytes]) -> bytes:
    def tag(t: int, payload: bytes) -> bytes:
        b = u32(t) + u32(8 + len(payload)) + payload
        return b + bytes((-len(b)) % 8)
    tags = tag(1, cmdline + b"\0") + tag(2, b"GRUB 2.06\0")
    for i, s in enumerate(mods):
        tags += tag(3, u32(0x200000 + i * 0x1000) + u32(0x200800 + i * 0x1000) + s + b"\0")
    tags += tag(6, u32(24) + u32(0) + b"".join(u64(a) + u64(l) + u32(t) + u32(0) for a, l, t in mmap))
    tags += tag(14, b"RSD PTR " + bytes(12))
    tags += tag(0, b"")
    return u32(8 + len(tags)) + u32(0) + tags


def multiboot_seeds() -> dict[str, bytes]:
    mmap = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0x100000, 0x7ff00000, 1),
            (0xfec00000, 0x1000, 2), (0x100000000, 0x40000000, 1), (0x7fff0000, 0x20000, 3)]
    mods = [b"/boot/k domain name=a", b"/boot/i ramdisk"]
    return {
        "mb1": u8(0) + u16(0x100) + mb1(0x100, b"console=com1 loglvl=all", mmap, mods),
        "mb1-overlaps": u8(0) + u16(0) + mb1(0, b"x", mmap + [(0x80000, 0x100000, 1)], []),
        "mb2": u8(1) + u16(0) + mb2(b"keel.elf console=com1", mmap, mods),
        "mb2-holes": u8(1 | 4) + u16(0) + mb2(b"", mmap, mods * 3),
    }

# ---- main --------------------------------------------------------------------------

SEEDS = {
    "event_channel_op": ev_seeds, "memory_op": mem_seeds, "grant_table_op": gt_seeds,
    "vcpu_op": vcpu_seeds, "sched_op": sched_seeds, "hvm_op": hvm_seeds,
    "console_io": console_seeds, "xen_version": version_seeds, "elf_pvh": elf_seeds,
    "boot_domain": boot_domain_seeds, "multiboot": multiboot_seeds,
}


def main() -> None:
    for target, make in SEEDS.items():
        d = CORPUS / target
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("seed-*"):
            old.unlink()
        for name, data in make().items():
            (d / f"seed-{name}").write_bytes(data)


if __name__ == "__main__":
    main()
