"""guests/hostile: hypercalls with bad numbers, sub-ops, pointers and
lengths get Xen's errors (-ENOSYS, -EFAULT, -EINVAL) and Keel goes on;
pointers are followed through the guest's own page tables; non-argument
registers survive a hypercall.  The guest prints each check; any
MISMATCH line fails it."""

from runner import guest_test

SCENARIO = guest_test("hostile", "hostile")
