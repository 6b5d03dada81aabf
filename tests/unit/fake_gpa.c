/* A sparse fake of a domain's memory (see fake_gpa.h). */
#include <stdlib.h>
#include <string.h>

#include <keel/errno.h>
#include <keel/guest_access.h>
#include "fake_gpa.h"

struct write_rec {
    uint64_t gpa, len;
    uint8_t *data;          /* NULL: zeros (clear_gpa) */
};

struct domain {
    struct mem_range ram[8];
    unsigned int nr_ram;
    struct write_rec *log;
    size_t nr_log, cap_log;
    unsigned int calls, faults;
    unsigned int fail_at;   /* calls + 1 == fail_at: that call fails */
};

struct domain *fake_domain_new(const struct mem_range *ram, unsigned int n)
{
    struct domain *d = calloc(1, sizeof(*d));

    if (!d || n > 8)
        abort();
    memcpy(d->ram, ram, n * sizeof(*ram));
    d->nr_ram = n;
    return d;
}

void fake_domain_free(struct domain *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nr_log; i++)
        free(d->log[i].data);
    free(d->log);
    free(d);
}

void fake_fail_call(struct domain *d, unsigned int n)
{
    d->fail_at = d->calls + n;
}

unsigned int fake_calls(const struct domain *d) { return d->calls; }
unsigned int fake_faults(const struct domain *d) { return d->faults; }

/* Is [gpa, gpa + len) inside one RAM range?  Overflow-safe. */
static bool is_ram(const struct domain *d, uint64_t gpa, uint64_t len)
{
    for (unsigned int i = 0; i < d->nr_ram; i++) {
        const struct mem_range *r = &d->ram[i];

        if (gpa >= r->start && gpa <= r->end && len <= r->end - gpa)
            return true;
    }
    return false;
}

static int record(struct domain *d, uint64_t gpa, const void *src, uint64_t len)
{
    struct write_rec *w;

    d->calls++;
    if (d->calls == d->fail_at || !is_ram(d, gpa, len)) {
        d->faults++;
        return -EFAULT;
    }
    if (len == 0)
        return 0;
    if (d->nr_log == d->cap_log) {
        d->cap_log = d->cap_log ? d->cap_log * 2 : 16;
        d->log = realloc(d->log, d->cap_log * sizeof(*d->log));
        if (!d->log)
            abort();
    }
    w = &d->log[d->nr_log++];
    w->gpa = gpa;
    w->len = len;
    w->data = NULL;
    if (src) {
        w->data = malloc(len);
        if (!w->data)
            abort();
        memcpy(w->data, src, len);
    }
    return 0;
}

int copy_to_gpa(struct domain *d, uint64_t gpa, const void *src, size_t len)
{
    return record(d, gpa, src, len);
}

int clear_gpa(struct domain *d, uint64_t gpa, size_t len)
{
    return record(d, gpa, NULL, len);
}

bool fake_read(struct domain *d, uint64_t gpa, void *buf, size_t len)
{
    uint8_t *out = buf;

    for (size_t i = 0; i < len; i++) {
        uint64_t a = gpa + i;
        size_t j = d->nr_log;
        bool found = false;

        while (j-- > 0) {
            const struct write_rec *w = &d->log[j];

            if (a >= w->gpa && a - w->gpa < w->len) {
                out[i] = w->data ? w->data[a - w->gpa] : 0;
                found = true;
                break;
            }
        }
        if (!found)
            return false;
    }
    return true;
}

int copy_from_gpa(struct domain *d, void *dst, uint64_t gpa, size_t len)
{
    d->calls++;
    if (!is_ram(d, gpa, len) || !fake_read(d, gpa, dst, len)) {
        d->faults++;
        return -EFAULT;
    }
    return 0;
}
