/*
 * A fake domain memory for host tests of the domain builder: it provides
 * copy_to_gpa / copy_from_gpa / clear_gpa (keel/guest_access.h) over a set
 * of RAM ranges with holes between them.  Only what is written is stored
 * (a log of writes, newest last), so a guest of many GiB costs nothing.
 * A range that is not entirely inside one RAM range fails with -EFAULT and
 * stores nothing, like the real thing.  copy_from_gpa also fails on bytes
 * never written: a test reading those has a bug worth seeing.
 */
#ifndef FAKE_GPA_H
#define FAKE_GPA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/bootinfo.h>

struct domain;

/* A domain whose RAM is ram[0..n-1]. */
struct domain *fake_domain_new(const struct mem_range *ram, unsigned int n);
void fake_domain_free(struct domain *d);

/*
 * Read back what the builder wrote: true if every byte of [gpa, gpa+len)
 * was written (copied or cleared), false if any was never touched.
 */
bool fake_read(struct domain *d, uint64_t gpa, void *buf, size_t len);

/* Make the n-th copy/clear call from now (1 = the next) fail with -EFAULT. */
void fake_fail_call(struct domain *d, unsigned int n);

/* Calls made and calls refused (out of RAM or injected). */
unsigned int fake_calls(const struct domain *d);
unsigned int fake_faults(const struct domain *d);

#endif
