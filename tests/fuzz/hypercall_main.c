/*
 * The libFuzzer entry of every hypercall target: a fresh world, then a
 * sequence of steps decoded from the input, each either one of the
 * target's calls or a common step (common_steps.c), with the world's
 * invariants checked after each; then the world is torn down and must
 * give back everything it took.
 */
#include "fuzz.h"

#define MAX_STEPS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = { data, size };

    fz_world_begin();
    for (unsigned int step = 0; step < MAX_STEPS && in.left; step++) {
        /* One byte: a common step (high bit) or the target's own call. */
        if (fz_u8(&in) & 0x80)
            fz_common_step(&in);
        else
            fuzz_target_step(&in);
        fz_check_world();
    }
    fz_world_end();
    return 0;
}
