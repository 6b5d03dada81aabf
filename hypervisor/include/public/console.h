/*
 * The PV console ring (io/console.h in Xen): one page shared between the
 * guest (frontend) and its console backend, which for boot domains is Keel.
 */
#ifndef PUBLIC_CONSOLE_H
#define PUBLIC_CONSOLE_H

#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;
#define XENCONS_IN_SIZE   1024
#define XENCONS_OUT_SIZE  2048

struct xencons_interface {
    char in[XENCONS_IN_SIZE];       /* backend -> guest */
    char out[XENCONS_OUT_SIZE];     /* guest -> backend */
    XENCONS_RING_IDX in_cons, in_prod;
    XENCONS_RING_IDX out_cons, out_prod;
};
_Static_assert(__builtin_offsetof(struct xencons_interface, in_cons) == 3072 &&
               __builtin_offsetof(struct xencons_interface, out_prod) == 3084,
               "xencons_interface");

#endif
