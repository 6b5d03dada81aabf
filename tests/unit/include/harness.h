/* Host stand-ins for the hypervisor services unit tests need. */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>
#include <stddef.h>

/* Every printk line since the last harness_log_clear(), '\n'-separated. */
const char *harness_log(void);
void harness_log_clear(void);
bool harness_log_contains(const char *needle);

/* A page-aligned buffer that plays the direct map for frames 0 .. nr-1. */
void harness_directmap_init(size_t nr_frames);
void harness_directmap_free(void);

/*
 * Run fn in a forked child and say whether it panicked (the harness's
 * panic() aborts), so tests can check that a bug is caught without dying.
 */
bool harness_panics(void (*fn)(void));

#endif
