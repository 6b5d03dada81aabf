/*
 * Unit tests for PVH kernel image checking and loading (common/elf_pvh.c).
 *
 * Images are built by hand, byte by byte, in both ELF classes: a valid one
 * with two PT_LOADs (text, data + bss) and a PT_NOTE holding a GNU note, a
 * Xen GUEST_OS string note and the PHYS32_ENTRY note; then each test breaks
 * one thing.  The image always sits in an exact-size heap buffer, so ASan
 * catches any read past its end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/elf_pvh.h>
#include <keel/errno.h>
#include <public/elfnote.h>
#include "fake_gpa.h"
#include "include/harness.h"

/* ---- image layout -------------------------------------------------------- */

#define NOTES_OFF   0x0e00
#define TEXT_OFF    0x1000
#define TEXT_SIZE   0x0800
#define DATA_OFF    0x1800
#define DATA_FILESZ 0x0100
#define DATA_MEMSZ  0x3000
#define SHDR_OFF    0x1900
#define IMG_SIZE    0x1900      /* without section headers */

#define TEXT_PADDR  0x100000
#define DATA_PADDR  0x200000
#define ENTRY       0x100010
#define RAM_TOP     (64ULL << 20)

enum { P_TYPE, P_OFFSET, P_VADDR, P_PADDR, P_FILESZ, P_MEMSZ, P_FLAGS, P_ALIGN };
enum { E_TYPE, E_MACHINE, E_PHOFF, E_SHOFF, E_EHSIZE, E_PHENTSIZE, E_PHNUM,
       E_SHENTSIZE, E_SHNUM };
enum { S_TYPE, S_OFFSET, S_SIZE, S_ADDRALIGN };

struct img {
    uint8_t *p;
    size_t len;
    bool is64;
    size_t notes_len;
    size_t entry_desc_off;      /* file offset of the entry note's value */
};

struct opts {
    bool is64;
    unsigned int desc_size;     /* 4 or 8 */
    unsigned int note_align;    /* 4 or 8 */
    bool sections;              /* append a section header table */
    uint64_t entry;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }

static unsigned int ehsize(bool is64) { return is64 ? 64 : 52; }
static unsigned int phsize(bool is64) { return is64 ? 56 : 32; }
static unsigned int shsize(bool is64) { return is64 ? 64 : 40; }

/* Write a field of width 2, 4 or 8 (ELF32 fields are 4 where ELF64 has 8). */
static void put_word(uint8_t *p, bool wide, uint64_t v)
{
    if (wide)
        put64(p, v);
    else
        put32(p, (uint32_t)v);
}

static void set_eh(struct img *im, int field, uint64_t v)
{
    uint8_t *p = im->p;
    bool w = im->is64;

    switch (field) {
    case E_TYPE:      put16(p + 16, v); break;
    case E_MACHINE:   put16(p + 18, v); break;
    case E_PHOFF:     put_word(p + (w ? 32 : 28), w, v); break;
    case E_SHOFF:     put_word(p + (w ? 40 : 32), w, v); break;
    case E_EHSIZE:    put16(p + (w ? 52 : 40), v); break;
    case E_PHENTSIZE: put16(p + (w ? 54 : 42), v); break;
    case E_PHNUM:     put16(p + (w ? 56 : 44), v); break;
    case E_SHENTSIZE: put16(p + (w ? 58 : 46), v); break;
    case E_SHNUM:     put16(p + (w ? 60 : 48), v); break;
    }
}

static void set_ph(struct img *im, unsigned int i, int field, uint64_t v)
{
    bool w = im->is64;
    uint8_t *p = im->p + ehsize(w) + i * phsize(w);

    switch (field) {
    case P_TYPE:   put32(p, v); break;
    case P_FLAGS:  put32(p + (w ? 4 : 24), v); break;
    case P_OFFSET: put_word(p + (w ? 8 : 4), w, v); break;
    case P_VADDR:  put_word(p + (w ? 16 : 8), w, v); break;
    case P_PADDR:  put_word(p + (w ? 24 : 12), w, v); break;
    case P_FILESZ: put_word(p + (w ? 32 : 16), w, v); break;
    case P_MEMSZ:  put_word(p + (w ? 40 : 20), w, v); break;
    case P_ALIGN:  put_word(p + (w ? 48 : 28), w, v); break;
    }
}

static void set_sh(struct img *im, unsigned int i, int field, uint64_t v)
{
    bool w = im->is64;
    uint8_t *p = im->p + SHDR_OFF + i * shsize(w);

    switch (field) {
    case S_TYPE:      put32(p + 4, v); break;
    case S_OFFSET:    put_word(p + (w ? 24 : 16), w, v); break;
    case S_SIZE:      put_word(p + (w ? 32 : 20), w, v); break;
    case S_ADDRALIGN: put_word(p + (w ? 48 : 32), w, v); break;
    }
}

static size_t align_up(size_t x, size_t a) { return (x + a - 1) & ~(a - 1); }

/* Append one note at *pos (relative to the notes area); returns the desc offset. */
static size_t put_note(uint8_t *area, size_t *pos, unsigned int align, const char *name,
                       uint32_t type, const void *desc, uint32_t descsz)
{
    uint32_t namesz = (uint32_t)strlen(name) + 1;
    size_t desc_at = align_up(*pos + 12 + namesz, align);

    put32(area + *pos, namesz);
    put32(area + *pos + 4, descsz);
    put32(area + *pos + 8, type);
    memcpy(area + *pos + 12, name, namesz);
    memcpy(area + desc_at, desc, descsz);
    *pos = align_up(desc_at + descsz, align);
    return desc_at;
}

static struct img build(const struct opts *o)
{
    struct img im = { .is64 = o->is64 };
    unsigned int align = o->note_align ? o->note_align : 4;
    unsigned int desc_size = o->desc_size ? o->desc_size : 4;
    uint8_t gnu_id[16], entry[8];
    uint8_t *notes;
    size_t pos = 0;

    im.len = IMG_SIZE + (o->sections ? 3 * shsize(o->is64) : 0);
    im.p = calloc(1, im.len);
    assert_non_null(im.p);

    /* Identification and header. */
    memcpy(im.p, "\x7f" "ELF", 4);
    im.p[4] = o->is64 ? 2 : 1;     /* class */
    im.p[5] = 1;                   /* little-endian */
    im.p[6] = 1;                   /* EV_CURRENT */
    set_eh(&im, E_TYPE, 2);
    set_eh(&im, E_MACHINE, o->is64 ? 62 : 3);
    put32(im.p + 20, 1);
    put_word(im.p + 24, o->is64, o->is64 ? 0xffffffff81000000ULL : 0xc1000000);
    set_eh(&im, E_PHOFF, ehsize(o->is64));
    set_eh(&im, E_EHSIZE, ehsize(o->is64));
    set_eh(&im, E_PHENTSIZE, phsize(o->is64));
    set_eh(&im, E_PHNUM, 3);
    set_eh(&im, E_SHENTSIZE, shsize(o->is64));

    /* Notes: a GNU build id, a Xen string note, then the entry. */
    notes = im.p + NOTES_OFF;
    memset(gnu_id, 0xab, sizeof(gnu_id));
    put_note(notes, &pos, align, "GNU", 3, gnu_id, sizeof(gnu_id));
    put_note(notes, &pos, align, "Xen", XEN_ELFNOTE_GUEST_OS, "linux", 6);
    put64(entry, o->entry ? o->entry : ENTRY);
    im.entry_desc_off = NOTES_OFF +
        put_note(notes, &pos, align, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, entry, desc_size);
    im.notes_len = pos;
    assert_true(NOTES_OFF + pos <= TEXT_OFF);

    /* Text and data contents: recognisable patterns. */
    for (size_t i = 0; i < TEXT_SIZE; i++)
        im.p[TEXT_OFF + i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < DATA_FILESZ; i++)
        im.p[DATA_OFF + i] = (uint8_t)(0x80 ^ i);

    /* Program headers: vaddr differs from paddr, as in a real kernel. */
    set_ph(&im, 0, P_TYPE, 1);
    set_ph(&im, 0, P_OFFSET, TEXT_OFF);
    set_ph(&im, 0, P_VADDR, o->is64 ? 0xffffffff80100000ULL : 0xc0100000);
    set_ph(&im, 0, P_PADDR, TEXT_PADDR);
    set_ph(&im, 0, P_FILESZ, TEXT_SIZE);
    set_ph(&im, 0, P_MEMSZ, TEXT_SIZE);
    set_ph(&im, 0, P_FLAGS, 5);
    set_ph(&im, 0, P_ALIGN, 0x1000);

    set_ph(&im, 1, P_TYPE, 1);
    set_ph(&im, 1, P_OFFSET, DATA_OFF);
    set_ph(&im, 1, P_VADDR, 0);    /* like Linux's percpu segment */
    set_ph(&im, 1, P_PADDR, DATA_PADDR);
    set_ph(&im, 1, P_FILESZ, DATA_FILESZ);
    set_ph(&im, 1, P_MEMSZ, DATA_MEMSZ);
    set_ph(&im, 1, P_FLAGS, 6);
    set_ph(&im, 1, P_ALIGN, 0x1000);

    set_ph(&im, 2, P_TYPE, 4);
    set_ph(&im, 2, P_OFFSET, NOTES_OFF);
    set_ph(&im, 2, P_FILESZ, pos);
    set_ph(&im, 2, P_ALIGN, align);

    if (o->sections) {
        /* [0] null, [1] a PROGBITS (text), [2] the notes as SHT_NOTE. */
        set_eh(&im, E_SHOFF, SHDR_OFF);
        set_eh(&im, E_SHNUM, 3);
        set_sh(&im, 1, S_TYPE, 1);
        set_sh(&im, 1, S_OFFSET, TEXT_OFF);
        set_sh(&im, 1, S_SIZE, TEXT_SIZE);
        set_sh(&im, 2, S_TYPE, 7);
        set_sh(&im, 2, S_OFFSET, NOTES_OFF);
        set_sh(&im, 2, S_SIZE, pos);
        set_sh(&im, 2, S_ADDRALIGN, align);
    }
    return im;
}

static struct img build64(void) { struct opts o = { .is64 = true }; return build(&o); }
static struct img build32(void) { struct opts o = { .is64 = false }; return build(&o); }

/* Resize to exactly len bytes (keeping the start), so ASan sees the end. */
static void truncate_img(struct img *im, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);

    assert_non_null(p);
    memcpy(p, im->p, len < im->len ? len : im->len);
    free(im->p);
    im->p = p;
    im->len = len;
}

static char why[256];

static int parse(struct img *im, struct pvh_kernel *k)
{
    why[0] = '\0';
    return elf_pvh_parse(im->p, im->len, RAM_TOP, k, why, sizeof(why));
}

/* Expect failure rc with a reason containing 'needle'. */
#define assert_rejected(im, rc, needle) do {                                   \
        struct pvh_kernel k_;                                                  \
        memset(&k_, 0x5a, sizeof(k_));                                         \
        assert_int_equal(parse((im), &k_), (rc));                              \
        if (!strstr(why, (needle)))                                            \
            fail_msg("reason \"%s\" does not mention \"%s\"", why, (needle));  \
    } while (0)

static void free_img(struct img *im) { free(im->p); im->p = NULL; }

static void check_good(struct img *im, bool is64)
{
    struct pvh_kernel k;

    memset(&k, 0x5a, sizeof(k));
    assert_int_equal(parse(im, &k), 0);
    assert_int_equal(k.entry, ENTRY);
    assert_int_equal(k.elf64, is64);
    assert_int_equal(k.machine, is64 ? 62 : 3);
    assert_int_equal(k.nr_segments, 2);
    assert_int_equal(k.load_start, TEXT_PADDR);
    assert_int_equal(k.load_end, DATA_PADDR + DATA_MEMSZ);
    assert_int_equal(k.seg[0].paddr, TEXT_PADDR);
    assert_int_equal(k.seg[0].offset, TEXT_OFF);
    assert_int_equal(k.seg[0].filesz, TEXT_SIZE);
    assert_int_equal(k.seg[0].memsz, TEXT_SIZE);
    assert_int_equal(k.seg[1].paddr, DATA_PADDR);
    assert_int_equal(k.seg[1].offset, DATA_OFF);
    assert_int_equal(k.seg[1].filesz, DATA_FILESZ);
    assert_int_equal(k.seg[1].memsz, DATA_MEMSZ);
}

/* ---- valid images ---------------------------------------------------------- */

static void test_valid_elf64_4byte_note(void **state)
{
    struct img im = build64();

    check_good(&im, true);
    free_img(&im);
}

static void test_valid_elf64_8byte_note(void **state)
{
    struct opts o = { .is64 = true, .desc_size = 8 };
    struct img im = build(&o);

    check_good(&im, true);
    free_img(&im);
}

static void test_valid_elf32_4byte_note(void **state)
{
    struct img im = build32();

    check_good(&im, false);
    free_img(&im);
}

static void test_valid_elf32_8byte_note(void **state)
{
    struct opts o = { .is64 = false, .desc_size = 8 };
    struct img im = build(&o);

    check_good(&im, false);
    free_img(&im);
}

/* 8-aligned note segment: descriptors and notes start 8-aligned. */
static void test_valid_8_aligned_notes(void **state)
{
    struct opts o = { .is64 = true, .desc_size = 8, .note_align = 8 };
    struct img im = build(&o);

    /* "Xen\0" ends at 16 past the note start: the value is right there. */
    assert_int_equal(im.entry_desc_off % 8, 0);
    check_good(&im, true);
    free_img(&im);
}

/* Cross combinations QEMU accepts: ELF32 with EM_X86_64 and the reverse. */
static void test_valid_cross_machine(void **state)
{
    struct img a = build32(), b = build64();
    struct pvh_kernel k;

    set_eh(&a, E_MACHINE, 62);
    assert_int_equal(parse(&a, &k), 0);
    assert_int_equal(k.machine, 62);
    assert_false(k.elf64);
    set_eh(&b, E_MACHINE, 3);
    assert_int_equal(parse(&b, &k), 0);
    assert_int_equal(k.machine, 3);
    assert_true(k.elf64);
    free_img(&a);
    free_img(&b);
}

static void test_valid_et_dyn(void **state)
{
    struct img im = build64();
    struct pvh_kernel k;

    set_eh(&im, E_TYPE, 3);
    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(k.entry, ENTRY);
    free_img(&im);
}

/* Note found only through the section table, as Xen's libelf does. */
static void test_valid_note_in_section_only(void **state)
{
    struct opts o = { .is64 = true, .sections = true };
    struct img im = build(&o);
    struct pvh_kernel k;

    set_ph(&im, 2, P_TYPE, 0);      /* PT_NULL: no note segment */
    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(k.entry, ENTRY);
    free_img(&im);

    o.is64 = false;
    im = build(&o);
    set_ph(&im, 2, P_TYPE, 0);
    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(k.entry, ENTRY);
    free_img(&im);
}

/*
 * Segments with memsz 0 are skipped (QEMU does the same), even where they
 * would overlap another.  Turning the PT_NOTE into one leaves the entry
 * note to the section table.
 */
static void test_valid_empty_segment_ignored(void **state)
{
    struct opts o = { .is64 = true, .sections = true };
    struct img im = build(&o);
    struct pvh_kernel k;

    set_ph(&im, 2, P_TYPE, 1);
    set_ph(&im, 2, P_FILESZ, 0);
    set_ph(&im, 2, P_MEMSZ, 0);
    set_ph(&im, 2, P_PADDR, TEXT_PADDR);
    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(k.nr_segments, 2);
    assert_int_equal(k.entry, ENTRY);
    free_img(&im);
}

/* Page 0 may be covered by the kernel (Keel keeps only start_info off it). */
static void test_valid_segment_at_page0(void **state)
{
    struct opts o = { .is64 = true, .entry = 0x10 };
    struct img im = build(&o);
    struct pvh_kernel k;

    set_ph(&im, 0, P_PADDR, 0);
    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(k.load_start, 0);
    assert_int_equal(k.entry, 0x10);
    free_img(&im);
}

/* A segment ending exactly at the RAM top fits. */
static void test_valid_segment_up_to_ram_top(void **state)
{
    struct img im = build64();
    struct pvh_kernel k;

    set_ph(&im, 1, P_PADDR, RAM_TOP - DATA_MEMSZ);
    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(k.load_end, RAM_TOP);
    free_img(&im);
}

/* Only PHYS32_ENTRY from "Xen" counts: same type from another owner does not. */
static void test_entry_note_owner_matters(void **state)
{
    struct img im = build64();
    struct pvh_kernel k;
    size_t note = im.entry_desc_off - 16;   /* header + "Xen\0" before the value */

    assert_int_equal(im.p[note + 12], 'X');
    im.p[note + 12] = 'Q';                  /* owner "Qen" */
    assert_rejected(&im, -ENOEXEC, "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
    im.p[note + 12] = 'X';
    assert_int_equal(parse(&im, &k), 0);
    free_img(&im);
}

/* Trailing bytes shorter than a note header are padding, not an error. */
static void test_note_trailing_padding(void **state)
{
    struct img im = build64();
    struct pvh_kernel k;

    set_ph(&im, 2, P_FILESZ, im.notes_len + 8);
    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(k.entry, ENTRY);
    free_img(&im);
}

/* ---- malformed images --------------------------------------------------------- */

static void test_bad_magic(void **state)
{
    struct img im = build64();

    im.p[1] = 'e';
    assert_rejected(&im, -ENOEXEC, "not an ELF image");
    free_img(&im);
}

static void test_too_short(void **state)
{
    struct img im = build64();

    truncate_img(&im, 3);
    assert_rejected(&im, -ENOEXEC, "not an ELF image");
    free_img(&im);

    im = build64();
    truncate_img(&im, 40);          /* identification fine, header cut */
    assert_rejected(&im, -EINVAL, "shorter than a 64-bit ELF header");
    free_img(&im);

    im = build32();
    truncate_img(&im, 51);
    assert_rejected(&im, -EINVAL, "shorter than a 32-bit ELF header");
    free_img(&im);

    im = build64();
    truncate_img(&im, 0);
    assert_rejected(&im, -ENOEXEC, "not an ELF image");
    free_img(&im);
}

static void test_bad_class(void **state)
{
    struct img im = build64();

    im.p[4] = 3;
    assert_rejected(&im, -ENOEXEC, "ELF class 3");
    im.p[4] = 0;
    assert_rejected(&im, -ENOEXEC, "ELF class 0");
    free_img(&im);
}

static void test_big_endian(void **state)
{
    struct img im = build64();

    im.p[5] = 2;
    assert_rejected(&im, -ENOEXEC, "not little-endian");
    free_img(&im);
}

static void test_bad_machine(void **state)
{
    struct img im = build64();

    set_eh(&im, E_MACHINE, 183);    /* AArch64 */
    assert_rejected(&im, -ENOEXEC, "ELF machine 183 is not x86");
    free_img(&im);
}

static void test_bad_type(void **state)
{
    struct img im = build64();

    set_eh(&im, E_TYPE, 1);         /* ET_REL */
    assert_rejected(&im, -ENOEXEC, "ELF type 1 is not an executable");
    set_eh(&im, E_TYPE, 4);         /* ET_CORE */
    assert_rejected(&im, -ENOEXEC, "ELF type 4");
    free_img(&im);
}

static void test_bad_header_sizes(void **state)
{
    struct img im = build64();

    set_eh(&im, E_EHSIZE, 52);
    assert_rejected(&im, -EINVAL, "e_ehsize 52 is less than 64");
    set_eh(&im, E_EHSIZE, 64);
    set_eh(&im, E_PHENTSIZE, 32);
    assert_rejected(&im, -EINVAL, "e_phentsize 32 is not 56");
    free_img(&im);

    im = build32();
    set_eh(&im, E_PHENTSIZE, 56);
    assert_rejected(&im, -EINVAL, "e_phentsize 56 is not 32");
    free_img(&im);
}

static void test_no_program_headers(void **state)
{
    struct img im = build64();

    set_eh(&im, E_PHNUM, 0);
    assert_rejected(&im, -EINVAL, "no program headers");
    set_eh(&im, E_PHNUM, 0xffff);
    assert_rejected(&im, -EINVAL, "PN_XNUM");
    free_img(&im);
}

static void test_phdr_table_outside_file(void **state)
{
    struct img im = build64();

    set_eh(&im, E_PHOFF, IMG_SIZE - 56);    /* 3 entries from here run past */
    assert_rejected(&im, -EINVAL, "program header table");
    set_eh(&im, E_PHOFF, 0xffffffffffffffc0ULL);    /* offset + size wraps */
    assert_rejected(&im, -EINVAL, "runs past the end of the file");
    free_img(&im);

    im = build32();
    set_eh(&im, E_PHNUM, 200);              /* 200 * 32 > file */
    assert_rejected(&im, -EINVAL, "program header table");
    free_img(&im);
}

static void test_shdr_table_bad(void **state)
{
    struct opts o = { .is64 = true, .sections = true };
    struct img im = build(&o);

    set_eh(&im, E_SHENTSIZE, 40);
    assert_rejected(&im, -EINVAL, "e_shentsize 40 is not 64");
    set_eh(&im, E_SHENTSIZE, 64);
    set_eh(&im, E_SHNUM, 4);                /* one past the end */
    assert_rejected(&im, -EINVAL, "section header table");
    set_eh(&im, E_SHNUM, 3);
    set_eh(&im, E_SHOFF, 0);
    assert_rejected(&im, -EINVAL, "section header table");
    free_img(&im);
}

static void test_segment_filesz_over_memsz(void **state)
{
    struct img im = build64();

    set_ph(&im, 1, P_MEMSZ, DATA_FILESZ - 1);
    assert_rejected(&im, -EINVAL, "segment 1 has more bytes in the file");
    free_img(&im);
}

static void test_segment_past_end_of_file(void **state)
{
    struct img im = build64();

    set_ph(&im, 1, P_FILESZ, IMG_SIZE - DATA_OFF + 1);
    set_ph(&im, 1, P_MEMSZ, DATA_MEMSZ);
    assert_rejected(&im, -EINVAL, "segment 1 runs past the end of the file");
    free_img(&im);

    im = build64();
    set_ph(&im, 0, P_OFFSET, 0xfffffffffffff000ULL);    /* offset + filesz wraps */
    assert_rejected(&im, -EINVAL, "segment 0 runs past the end of the file");
    free_img(&im);

    im = build32();
    set_ph(&im, 0, P_OFFSET, IMG_SIZE);
    assert_rejected(&im, -EINVAL, "segment 0 runs past the end of the file");
    free_img(&im);
}

static void test_segment_address_wraps(void **state)
{
    struct img im = build64();

    set_ph(&im, 1, P_PADDR, 0xfffffffffffff000ULL);
    assert_rejected(&im, -EINVAL, "segment 1 (paddr 0xfffffffffffff000, 0x3000 bytes) wraps");
    free_img(&im);

    im = build32();
    set_ph(&im, 1, P_PADDR, 0xfffff000);    /* ends at 4 GiB + 0x2000 */
    assert_rejected(&im, -EINVAL, "end of the 32-bit address space");
    free_img(&im);
}

static void test_segment_beyond_ram(void **state)
{
    struct img im = build64();
    struct pvh_kernel k;

    set_ph(&im, 1, P_PADDR, RAM_TOP - DATA_MEMSZ + 1);
    assert_rejected(&im, -ENOMEM, "segment 1 [0x3ffd001-0x4000001) lies beyond guest RAM");
    /* The same image with more RAM is fine. */
    assert_int_equal(elf_pvh_parse(im.p, im.len, RAM_TOP + 4096, &k, why, sizeof(why)), 0);
    free_img(&im);
}

static void test_segments_overlap(void **state)
{
    struct img im = build64();

    set_ph(&im, 1, P_PADDR, TEXT_PADDR + TEXT_SIZE - 1);
    assert_rejected(&im, -EINVAL, "segments 0 [0x100000-0x100800) and 1 [0x1007ff-0x1037ff) overlap");
    free_img(&im);

    /* Only in the zero-filled tail: still an overlap. */
    im = build64();
    set_ph(&im, 0, P_PADDR, DATA_PADDR + DATA_MEMSZ - 1);
    assert_rejected(&im, -EINVAL, "overlap");
    free_img(&im);

    /* Touching is not overlapping. */
    im = build64();
    set_ph(&im, 1, P_PADDR, TEXT_PADDR + TEXT_SIZE);
    struct pvh_kernel k;
    assert_int_equal(parse(&im, &k), 0);
    free_img(&im);
}

static void test_no_loadable_segment(void **state)
{
    struct img im = build64();

    set_ph(&im, 0, P_TYPE, 6);      /* PT_PHDR */
    set_ph(&im, 1, P_TYPE, 0);
    assert_rejected(&im, -EINVAL, "no loadable segment");
    free_img(&im);
}

static void test_too_many_segments(void **state)
{
    /* 17 tiny PT_LOADs, one page apart, each holding the same text byte. */
    struct opts o = { .is64 = true };
    struct img im = build(&o);
    size_t phoff = TEXT_OFF + TEXT_SIZE;     /* new table in free file space */
    struct pvh_kernel k;

    /* Move the program header table where there is room for 18 entries. */
    truncate_img(&im, phoff + 18 * 56);
    set_eh(&im, E_PHOFF, phoff);
    set_eh(&im, E_PHNUM, 18);
    memset(im.p + phoff, 0, 18 * 56);
    for (unsigned int i = 0; i < 18; i++) {
        uint8_t *p = im.p + phoff + i * 56;

        if (i == 17) {              /* the note segment */
            put32(p, 4);
            put64(p + 8, NOTES_OFF);
            put64(p + 32, im.notes_len);
            put64(p + 48, 4);
            continue;
        }
        put32(p, 1);
        put64(p + 8, TEXT_OFF);
        put64(p + 24, TEXT_PADDR + i * 0x1000ULL);
        put64(p + 32, 0x100);
        put64(p + 40, 0x100);
    }
    assert_rejected(&im, -E2BIG, "more than 16 loadable segments");

    /* With 16 it is accepted. */
    put32(im.p + phoff + 16 * 56, 0);
    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(k.nr_segments, 16);
    assert_int_equal(k.load_start, TEXT_PADDR);
    assert_int_equal(k.load_end, TEXT_PADDR + 15 * 0x1000 + 0x100);
    free_img(&im);
}

static void test_no_entry_note(void **state)
{
    struct img im = build64();

    put32(im.p + im.entry_desc_off - 8, XEN_ELFNOTE_ENTRY);     /* type 18 -> 1 */
    assert_rejected(&im, -ENOEXEC, "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
    free_img(&im);

    /* No note segment and no sections at all. */
    im = build32();
    set_ph(&im, 2, P_TYPE, 0);
    assert_rejected(&im, -ENOEXEC, "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
    free_img(&im);
}

static void test_entry_note_bad_size(void **state)
{
    struct img im = build64();

    put32(im.p + im.entry_desc_off - 12, 2);    /* descsz */
    assert_rejected(&im, -EINVAL, "has a 2-byte value, not 4 or 8");
    free_img(&im);
}

static void test_entry_above_4g(void **state)
{
    struct opts o = { .is64 = true, .desc_size = 8, .entry = 0x100000010ULL };
    struct img im = build(&o);

    assert_rejected(&im, -EINVAL, "PVH entry 0x100000010 is above 4 GiB");
    free_img(&im);
}

static void test_entry_outside_segments(void **state)
{
    struct opts o = { .is64 = true, .entry = 0x300000 };
    struct img im = build(&o);

    assert_rejected(&im, -EINVAL, "PVH entry 0x300000 is not inside");
    free_img(&im);

    /* In the zero-filled part of the data segment: not code either. */
    o.entry = DATA_PADDR + DATA_FILESZ;
    im = build(&o);
    assert_rejected(&im, -EINVAL, "is not inside the file contents");
    free_img(&im);
}

static void test_note_runs_past_segment(void **state)
{
    struct img im = build64();

    /* The first note (GNU) claims a huge descriptor. */
    put32(im.p + NOTES_OFF + 4, 0xfffffff0);
    assert_rejected(&im, -EINVAL, "note at offset 0x0 of segment 2 runs past its end");
    free_img(&im);

    /* The note segment cut in the middle of the entry note's value. */
    im = build64();
    set_ph(&im, 2, P_FILESZ, im.entry_desc_off - NOTES_OFF + 2);
    assert_rejected(&im, -EINVAL, "runs past its end");
    free_img(&im);

    /* A huge namesz. */
    im = build32();
    put32(im.p + NOTES_OFF, 0xffffffff);
    assert_rejected(&im, -EINVAL, "runs past its end");
    free_img(&im);
}

static void test_note_segment_outside_file(void **state)
{
    struct img im = build64();

    set_ph(&im, 2, P_OFFSET, IMG_SIZE - 4);
    assert_rejected(&im, -EINVAL, "note segment 2 runs past the end of the file");
    free_img(&im);
}

static void test_note_section_outside_file(void **state)
{
    struct opts o = { .is64 = true, .sections = true };
    struct img im = build(&o);

    set_ph(&im, 2, P_TYPE, 0);
    set_sh(&im, 2, S_SIZE, 0x100000);
    assert_rejected(&im, -EINVAL, "note section 2 runs past the end of the file");
    free_img(&im);
}

static void test_null_image(void **state)
{
    struct pvh_kernel k;

    assert_int_equal(elf_pvh_parse(NULL, 100, RAM_TOP, &k, why, sizeof(why)), -EINVAL);
    /* why may be NULL: no crash, same answer. */
    struct img im = build64();
    im.p[0] = 0;
    assert_int_equal(elf_pvh_parse(im.p, im.len, RAM_TOP, &k, NULL, 0), -ENOEXEC);
    free_img(&im);
}

/* Every single-byte truncation of a valid image is rejected, never read past. */
static void test_every_truncation(void **state)
{
    for (int c = 0; c < 2; c++) {
        struct img full = c ? build64() : build32();
        struct pvh_kernel k;

        for (size_t len = 0; len < full.len; len += 7) {
            struct img im = { .is64 = full.is64 };

            im.p = malloc(len ? len : 1);
            assert_non_null(im.p);
            memcpy(im.p, full.p, len);
            im.len = len;
            /* Any cut loses at least the end of the data segment. */
            assert_true(parse(&im, &k) < 0);
            assert_true(why[0] != '\0');
            free_img(&im);
        }
        free_img(&full);
    }
}

/* Random corruption of header bytes never crashes and never lies. */
static void test_random_corruption(void **state)
{
    srand(12345);
    for (int iter = 0; iter < 20000; iter++) {
        struct img im = (iter & 1) ? build64() : build32();
        struct pvh_kernel k;
        int n = 1 + rand() % 4;

        for (int j = 0; j < n; j++) {
            size_t at = (size_t)rand() % (ehsize(im.is64) + 3 * phsize(im.is64));

            if (rand() % 4 == 0)
                at = NOTES_OFF + (size_t)rand() % im.notes_len;
            im.p[at] = (uint8_t)rand();
        }
        memset(&k, 0, sizeof(k));
        if (parse(&im, &k) == 0) {
            /* Whatever was accepted really is inside the file and RAM. */
            assert_true(k.nr_segments >= 1 && k.nr_segments <= PVH_MAX_SEGMENTS);
            for (unsigned int s = 0; s < k.nr_segments; s++) {
                assert_true(k.seg[s].filesz <= k.seg[s].memsz);
                assert_true(k.seg[s].offset + k.seg[s].filesz <= im.len);
                assert_true(k.seg[s].paddr + k.seg[s].memsz <= RAM_TOP);
            }
        } else {
            assert_true(why[0] != '\0');
        }
        free_img(&im);
    }
}

/* ---- loading ------------------------------------------------------------------- */

static struct domain *ram_domain(uint64_t top)
{
    struct mem_range r = { 0, top, MEM_RAM };

    return fake_domain_new(&r, 1);
}

static void check_loaded(struct domain *d, const struct img *im)
{
    uint8_t buf[DATA_MEMSZ];

    assert_true(fake_read(d, TEXT_PADDR, buf, TEXT_SIZE));
    assert_memory_equal(buf, im->p + TEXT_OFF, TEXT_SIZE);
    assert_true(fake_read(d, DATA_PADDR, buf, DATA_MEMSZ));
    assert_memory_equal(buf, im->p + DATA_OFF, DATA_FILESZ);
    for (size_t i = DATA_FILESZ; i < DATA_MEMSZ; i++)
        assert_int_equal(buf[i], 0);
    /* Nothing outside the segments was written. */
    assert_false(fake_read(d, TEXT_PADDR - 1, buf, 1));
    assert_false(fake_read(d, TEXT_PADDR + TEXT_SIZE, buf, 1));
    assert_false(fake_read(d, DATA_PADDR + DATA_MEMSZ, buf, 1));
}

static void test_load_elf64_and_elf32(void **state)
{
    for (int c = 0; c < 2; c++) {
        struct img im = c ? build64() : build32();
        struct domain *d = ram_domain(RAM_TOP);
        struct pvh_kernel k;

        assert_int_equal(parse(&im, &k), 0);
        assert_int_equal(elf_pvh_load(im.p, im.len, &k, d, why, sizeof(why)), 0);
        check_loaded(d, &im);
        assert_int_equal(fake_faults(d), 0);
        fake_domain_free(d);
        free_img(&im);
    }
}

/* p_paddr is where things go, never p_vaddr (0 for the data segment here). */
static void test_load_uses_paddr(void **state)
{
    struct img im = build64();
    struct domain *d = ram_domain(RAM_TOP);
    struct pvh_kernel k;
    uint8_t b;

    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(elf_pvh_load(im.p, im.len, &k, d, why, sizeof(why)), 0);
    assert_false(fake_read(d, 0, &b, 1));
    assert_true(fake_read(d, DATA_PADDR, &b, 1));
    assert_int_equal(b, 0x80);
    fake_domain_free(d);
    free_img(&im);
}

static void test_load_into_hole_fails(void **state)
{
    struct img im = build64();
    /* RAM with a hole where the data segment goes. */
    struct mem_range r[2] = { { 0, DATA_PADDR, MEM_RAM },
                              { DATA_PADDR + 0x1000, RAM_TOP, MEM_RAM } };
    struct domain *d = fake_domain_new(r, 2);
    struct pvh_kernel k;

    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(elf_pvh_load(im.p, im.len, &k, d, why, sizeof(why)), -EFAULT);
    assert_non_null(strstr(why, "loadable segment 1 [0x200000-0x203000) is not all guest RAM"));
    fake_domain_free(d);
    free_img(&im);
}

static void test_load_clear_failure_reported(void **state)
{
    struct img im = build64();
    struct domain *d = ram_domain(RAM_TOP);
    struct pvh_kernel k;

    assert_int_equal(parse(&im, &k), 0);
    /* calls: copy text, copy data, clear bss: make the third one fail. */
    fake_fail_call(d, 3);
    assert_int_equal(elf_pvh_load(im.p, im.len, &k, d, why, sizeof(why)), -EFAULT);
    assert_non_null(strstr(why, "loadable segment 1"));
    assert_int_equal(fake_calls(d), 3);
    fake_domain_free(d);
    free_img(&im);
}

static void test_load_mismatched_description(void **state)
{
    struct img im = build64();
    struct domain *d = ram_domain(RAM_TOP);
    struct pvh_kernel k;

    assert_int_equal(parse(&im, &k), 0);
    /* The kernel description of a longer image, loaded from a shorter one. */
    assert_int_equal(elf_pvh_load(im.p, DATA_OFF, &k, d, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "does not fit the image"));
    k.nr_segments = PVH_MAX_SEGMENTS + 1;
    assert_int_equal(elf_pvh_load(im.p, im.len, &k, d, why, sizeof(why)), -EINVAL);
    fake_domain_free(d);
    free_img(&im);
}

/* A segment with only zeroes (filesz 0) is cleared, not copied. */
static void test_load_bss_only_segment(void **state)
{
    struct img im = build64();
    struct domain *d = ram_domain(RAM_TOP);
    struct pvh_kernel k;
    uint8_t buf[DATA_MEMSZ];

    set_ph(&im, 1, P_FILESZ, 0);
    assert_int_equal(parse(&im, &k), 0);
    assert_int_equal(elf_pvh_load(im.p, im.len, &k, d, why, sizeof(why)), 0);
    assert_true(fake_read(d, DATA_PADDR, buf, DATA_MEMSZ));
    for (size_t i = 0; i < DATA_MEMSZ; i++)
        assert_int_equal(buf[i], 0);
    assert_int_equal(fake_calls(d), 2);     /* copy text, clear data */
    fake_domain_free(d);
    free_img(&im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_elf64_4byte_note),
        cmocka_unit_test(test_valid_elf64_8byte_note),
        cmocka_unit_test(test_valid_elf32_4byte_note),
        cmocka_unit_test(test_valid_elf32_8byte_note),
        cmocka_unit_test(test_valid_8_aligned_notes),
        cmocka_unit_test(test_valid_cross_machine),
        cmocka_unit_test(test_valid_et_dyn),
        cmocka_unit_test(test_valid_note_in_section_only),
        cmocka_unit_test(test_valid_empty_segment_ignored),
        cmocka_unit_test(test_valid_segment_at_page0),
        cmocka_unit_test(test_valid_segment_up_to_ram_top),
        cmocka_unit_test(test_entry_note_owner_matters),
        cmocka_unit_test(test_note_trailing_padding),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_too_short),
        cmocka_unit_test(test_bad_class),
        cmocka_unit_test(test_big_endian),
        cmocka_unit_test(test_bad_machine),
        cmocka_unit_test(test_bad_type),
        cmocka_unit_test(test_bad_header_sizes),
        cmocka_unit_test(test_no_program_headers),
        cmocka_unit_test(test_phdr_table_outside_file),
        cmocka_unit_test(test_shdr_table_bad),
        cmocka_unit_test(test_segment_filesz_over_memsz),
        cmocka_unit_test(test_segment_past_end_of_file),
        cmocka_unit_test(test_segment_address_wraps),
        cmocka_unit_test(test_segment_beyond_ram),
        cmocka_unit_test(test_segments_overlap),
        cmocka_unit_test(test_no_loadable_segment),
        cmocka_unit_test(test_too_many_segments),
        cmocka_unit_test(test_no_entry_note),
        cmocka_unit_test(test_entry_note_bad_size),
        cmocka_unit_test(test_entry_above_4g),
        cmocka_unit_test(test_entry_outside_segments),
        cmocka_unit_test(test_note_runs_past_segment),
        cmocka_unit_test(test_note_segment_outside_file),
        cmocka_unit_test(test_note_section_outside_file),
        cmocka_unit_test(test_null_image),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_random_corruption),
        cmocka_unit_test(test_load_elf64_and_elf32),
        cmocka_unit_test(test_load_uses_paddr),
        cmocka_unit_test(test_load_into_hole_fails),
        cmocka_unit_test(test_load_clear_failure_reported),
        cmocka_unit_test(test_load_mismatched_description),
        cmocka_unit_test(test_load_bss_only_segment),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
