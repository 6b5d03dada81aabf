"""SCHEDOP_* as a guest sees them without event channels: yield, poll with
a past timeout (returns), bad arguments (Xen's error codes)."""

from runner import guest_test

SCENARIO = guest_test("schedops", "schedops")
