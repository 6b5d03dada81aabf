/*
 * A small seeded pseudo-random generator (SplitMix64) for the attack
 * guests: the same seed gives the same sequence on every run and in both
 * word sizes, so a failure can be replayed from the seed a guest prints.
 * No division: the 32-bit build has no libgcc.
 */
#include "guest.h"

static uint64_t prng_state;

void prng_seed(uint64_t seed)
{
    prng_state = seed;
}

uint64_t prng_next(void)
{
    uint64_t z = (prng_state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t prng_below(uint32_t n)
{
    /* The high half scaled to [0, n): unbiased enough for test inputs. */
    return (uint32_t)(((prng_next() >> 32) * (uint64_t)n) >> 32);
}

bool prng_percent(unsigned int percent)
{
    return prng_below(100) < percent;
}

void prng_fill(void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        uint64_t r = prng_next();
        for (unsigned int i = 0; i < 8 && len; i++, len--, r >>= 8)
            *p++ = (uint8_t)r;
    }
}
