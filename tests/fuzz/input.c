/* Fields from the fuzzer's bytes, little-endian, zeros once they run out. */
#include <string.h>

#include "fuzz.h"

size_t fz_bytes(struct fuzz_input *in, void *buf, size_t len)
{
    size_t n = len < in->left ? len : in->left;

    memcpy(buf, in->p, n);
    memset((uint8_t *)buf + n, 0, len - n);
    in->p += n;
    in->left -= n;
    return n;
}

uint8_t fz_u8(struct fuzz_input *in)
{
    uint8_t v;
    fz_bytes(in, &v, sizeof(v));
    return v;
}

uint16_t fz_u16(struct fuzz_input *in)
{
    uint16_t v;
    fz_bytes(in, &v, sizeof(v));
    return v;
}

uint32_t fz_u32(struct fuzz_input *in)
{
    uint32_t v;
    fz_bytes(in, &v, sizeof(v));
    return v;
}

uint64_t fz_u64(struct fuzz_input *in)
{
    uint64_t v;
    fz_bytes(in, &v, sizeof(v));
    return v;
}

bool fz_bool(struct fuzz_input *in)
{
    return fz_u8(in) & 1;
}

unsigned int fz_below(struct fuzz_input *in, unsigned int n)
{
    return (n <= 256 ? fz_u8(in) : fz_u32(in)) % n;
}
