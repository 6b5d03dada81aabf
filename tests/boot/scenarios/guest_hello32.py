"""guests/hello32: a 32-bit PVH guest (protected mode, paging off) uses the
32-bit hypercall convention and Xen's compat structure layouts; good calls
work, bad ones get Xen's errors, then the same calls through the hypercall
page."""

from runner import guest_test

SCENARIO = guest_test("hello32", "hello32", lines=[
    r"hello32: port 0xe9 from 32-bit mode",
    r"hello32: console_io from 32-bit mode \(vmmcall\)",
    r"hello32: console_io from 32-bit mode \(hypercall page\)",
])
