/*
 * keel/xmalloc.h on the host's malloc, so that the sanitizers see every
 * object on its own (an overrun of an xmalloc'd object is an ASan report,
 * not a silent write into a slab page), with a count of live objects and
 * a switch that makes allocations fail.
 */
#ifndef FAKE_XMALLOC_H
#define FAKE_XMALLOC_H

#include <stdint.h>

/* Objects handed out and not freed. */
extern long fake_xmalloc_live;
/* Allocations that still succeed (then every one fails); -1: no limit. */
extern long fake_xmalloc_budget;

#endif
