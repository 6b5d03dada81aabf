/* Function names for addresses in the hypervisor image (stack traces). */
#ifndef KEEL_SYMBOLS_H
#define KEEL_SYMBOLS_H

#include <keel/types.h>

/*
 * Name of the function containing addr, or NULL.  *offset is set to addr's
 * distance from the function's start, *size to the function's length as
 * far as the table knows it (up to the next symbol).
 */
const char *symbol_lookup(uintptr_t addr, uintptr_t *offset, uintptr_t *size);

#endif
