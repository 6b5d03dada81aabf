/*
 * In-place heap sort: O(n log n) in the worst case, no allocation and no
 * recursion, which is what early boot code (memory maps) needs.  Not stable.
 */
#include <keel/lib.h>

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
    while (size--) {
        unsigned char t = *a;

        *a++ = *b;
        *b++ = t;
    }
}

/* Let element i sink until the max-heap property holds below it. */
static void sift_down(unsigned char *base, size_t i, size_t n, size_t size,
                      int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t largest = i;
        size_t left = 2 * i + 1;
        size_t right = left + 1;

        if (left < n && cmp(base + left * size, base + largest * size) > 0)
            largest = left;
        if (right < n && cmp(base + right * size, base + largest * size) > 0)
            largest = right;
        if (largest == i)
            return;
        swap_bytes(base + i * size, base + largest * size, size);
        i = largest;
    }
}

void sort(void *base, size_t n, size_t size,
          int (*cmp)(const void *, const void *))
{
    unsigned char *b = base;

    if (n < 2 || size == 0)
        return;

    for (size_t i = n / 2; i-- > 0;)
        sift_down(b, i, n, size, cmp);

    for (size_t end = n - 1; end > 0; end--) {
        swap_bytes(b, b + end * size, size);
        sift_down(b, 0, end, size, cmp);
    }
}
