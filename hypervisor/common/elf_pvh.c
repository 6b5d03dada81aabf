/*
 * PVH kernel images: validation and loading (see keel/elf_pvh.h).
 *
 * Every field is read with explicit little-endian byte loads at offsets
 * checked against the image length, never through a struct pointer into
 * the image: the image may be truncated, misaligned or lying, and its
 * ELF class decides the layout anyway.  All arithmetic on file offsets and
 * addresses is done in 64 bits with explicit overflow checks.
 */
#include <keel/elf_pvh.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <public/elfnote.h>

/* ELF constants (System V gABI and the x86 psABIs). */
#define EI_NIDENT       16
#define EI_CLASS        4
#define EI_DATA         5
#define ELFCLASS32      1
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define ET_EXEC         2
#define ET_DYN          3
#define EM_386          3
#define EM_X86_64       62
#define PT_LOAD         1
#define PT_NOTE         4
#define PN_XNUM         0xffff
#define SHT_NOTE        7

/* Sizes of the headers, per class. */
#define EHDR32_SIZE     52
#define EHDR64_SIZE     64
#define PHDR32_SIZE     32
#define PHDR64_SIZE     56
#define SHDR32_SIZE     40
#define SHDR64_SIZE     64
#define NOTE_HDR_SIZE   12      /* namesz, descsz, type: u32 in both classes */

/* A checked view of the image. */
struct elf_img {
    const uint8_t *p;
    size_t len;
    bool is64;
    uint64_t phoff, shoff;
    unsigned int phnum, shnum;
    char *why;
    size_t whylen;
};

/* One program header or section header, whichever class it came from. */
struct phdr {
    uint32_t type;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct shdr {
    uint32_t type;
    uint64_t offset, size, addralign;
};

static __printf(3, 4) void say(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    if (!why || !whylen)
        return;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
           (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Does [off, off + size) lie inside the image?  Overflow-safe. */
static bool in_file(const struct elf_img *e, uint64_t off, uint64_t size)
{
    return off <= e->len && size <= e->len - off;
}

/* Program header i; the table was checked to lie inside the file. */
static void read_phdr(const struct elf_img *e, unsigned int i, struct phdr *ph)
{
    const uint8_t *p;

    if (e->is64) {
        p = e->p + e->phoff + (uint64_t)i * PHDR64_SIZE;
        ph->type = get32(p + 0);
        ph->offset = get64(p + 8);
        ph->vaddr = get64(p + 16);
        ph->paddr = get64(p + 24);
        ph->filesz = get64(p + 32);
        ph->memsz = get64(p + 40);
        ph->align = get64(p + 48);
    } else {
        p = e->p + e->phoff + (uint64_t)i * PHDR32_SIZE;
        ph->type = get32(p + 0);
        ph->offset = get32(p + 4);
        ph->vaddr = get32(p + 8);
        ph->paddr = get32(p + 12);
        ph->filesz = get32(p + 16);
        ph->memsz = get32(p + 20);
        ph->align = get32(p + 28);
    }
}

static void read_shdr(const struct elf_img *e, unsigned int i, struct shdr *sh)
{
    const uint8_t *p;

    if (e->is64) {
        p = e->p + e->shoff + (uint64_t)i * SHDR64_SIZE;
        sh->type = get32(p + 4);
        sh->offset = get64(p + 24);
        sh->size = get64(p + 32);
        sh->addralign = get64(p + 48);
    } else {
        p = e->p + e->shoff + (uint64_t)i * SHDR32_SIZE;
        sh->type = get32(p + 4);
        sh->offset = get32(p + 16);
        sh->size = get32(p + 20);
        sh->addralign = get32(p + 32);
    }
}

/* The ELF header: identification, type, machine and the two tables. */
static int check_header(struct elf_img *e, uint16_t *machine)
{
    const uint8_t *p = e->p;
    size_t ehsize;
    unsigned int phentsize, shentsize, ehsize_field;
    uint16_t type;

    if (e->len < EI_NIDENT || p[0] != 0x7f || p[1] != 'E' || p[2] != 'L' || p[3] != 'F') {
        say(e->why, e->whylen, "not an ELF image (no \\x7fELF magic)");
        return -ENOEXEC;
    }
    if (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64) {
        say(e->why, e->whylen, "ELF class %u is neither 32-bit (1) nor 64-bit (2)",
            p[EI_CLASS]);
        return -ENOEXEC;
    }
    if (p[EI_DATA] != ELFDATA2LSB) {
        say(e->why, e->whylen, "ELF data encoding %u is not little-endian (1), as x86 needs",
            p[EI_DATA]);
        return -ENOEXEC;
    }
    e->is64 = p[EI_CLASS] == ELFCLASS64;
    ehsize = e->is64 ? EHDR64_SIZE : EHDR32_SIZE;
    if (e->len < ehsize) {
        say(e->why, e->whylen, "image is %zu bytes, shorter than a %d-bit ELF header (%zu bytes)",
            e->len, e->is64 ? 64 : 32, ehsize);
        return -EINVAL;
    }

    type = get16(p + 16);
    *machine = get16(p + 18);
    if (*machine != EM_386 && *machine != EM_X86_64) {
        say(e->why, e->whylen, "ELF machine %u is not x86 (EM_386 = 3 or EM_X86_64 = 62)",
            *machine);
        return -ENOEXEC;
    }
    if (type != ET_EXEC && type != ET_DYN) {
        say(e->why, e->whylen, "ELF type %u is not an executable (ET_EXEC = 2 or ET_DYN = 3)",
            type);
        return -ENOEXEC;
    }

    if (e->is64) {
        e->phoff = get64(p + 32);
        e->shoff = get64(p + 40);
        ehsize_field = get16(p + 52);
        phentsize = get16(p + 54);
        e->phnum = get16(p + 56);
        shentsize = get16(p + 58);
        e->shnum = get16(p + 60);
    } else {
        e->phoff = get32(p + 28);
        e->shoff = get32(p + 32);
        ehsize_field = get16(p + 40);
        phentsize = get16(p + 42);
        e->phnum = get16(p + 44);
        shentsize = get16(p + 46);
        e->shnum = get16(p + 48);
    }

    if (ehsize_field < ehsize) {
        say(e->why, e->whylen, "ELF header size e_ehsize %u is less than %zu",
            ehsize_field, ehsize);
        return -EINVAL;
    }

    if (e->phnum == 0) {
        say(e->why, e->whylen, "ELF image has no program headers");
        return -EINVAL;
    }
    if (e->phnum == PN_XNUM) {
        say(e->why, e->whylen, "ELF image uses extended program header numbering (PN_XNUM), "
            "which a kernel never needs");
        return -EINVAL;
    }
    if (phentsize != (e->is64 ? PHDR64_SIZE : PHDR32_SIZE)) {
        say(e->why, e->whylen, "program header size e_phentsize %u is not %u",
            phentsize, e->is64 ? PHDR64_SIZE : PHDR32_SIZE);
        return -EINVAL;
    }
    if (!in_file(e, e->phoff, (uint64_t)e->phnum * phentsize)) {
        say(e->why, e->whylen, "program header table (offset 0x%llx, %u entries) "
            "runs past the end of the file (%zu bytes)",
            (unsigned long long)e->phoff, e->phnum, e->len);
        return -EINVAL;
    }

    /* e_shnum == 0: no sections (extended section numbering is not used). */
    if (e->shnum) {
        if (shentsize != (e->is64 ? SHDR64_SIZE : SHDR32_SIZE)) {
            say(e->why, e->whylen, "section header size e_shentsize %u is not %u",
                shentsize, e->is64 ? SHDR64_SIZE : SHDR32_SIZE);
            return -EINVAL;
        }
        if (e->shoff == 0 || !in_file(e, e->shoff, (uint64_t)e->shnum * shentsize)) {
            say(e->why, e->whylen, "section header table (offset 0x%llx, %u entries) "
                "runs past the end of the file (%zu bytes)",
                (unsigned long long)e->shoff, e->shnum, e->len);
            return -EINVAL;
        }
    }
    return 0;
}

/* Collect the PT_LOAD segments and check each one and each pair. */
static int check_segments(struct elf_img *e, uint64_t ram_top, struct pvh_kernel *k)
{
    struct phdr ph;
    unsigned int idx[PVH_MAX_SEGMENTS];     /* program header index of seg[n] */
    unsigned int n = 0;

    for (unsigned int i = 0; i < e->phnum; i++) {
        uint64_t end;

        read_phdr(e, i, &ph);
        if (ph.type != PT_LOAD)
            continue;
        if (ph.filesz > ph.memsz) {
            say(e->why, e->whylen, "segment %u has more bytes in the file (0x%llx) "
                "than in memory (0x%llx)", i,
                (unsigned long long)ph.filesz, (unsigned long long)ph.memsz);
            return -EINVAL;
        }
        if (!in_file(e, ph.offset, ph.filesz)) {
            say(e->why, e->whylen, "segment %u runs past the end of the file "
                "(offset 0x%llx + 0x%llx bytes, file is 0x%zx bytes)", i,
                (unsigned long long)ph.offset, (unsigned long long)ph.filesz, e->len);
            return -EINVAL;
        }
        if (ph.memsz == 0)
            continue;       /* nothing to load; QEMU skips these too */

        end = ph.paddr + ph.memsz;
        if (end < ph.paddr || (!e->is64 && end > (1ULL << 32))) {
            say(e->why, e->whylen, "segment %u (paddr 0x%llx, 0x%llx bytes) wraps around "
                "the end of the %d-bit address space", i,
                (unsigned long long)ph.paddr, (unsigned long long)ph.memsz,
                e->is64 ? 64 : 32);
            return -EINVAL;
        }
        if (end > ram_top) {
            say(e->why, e->whylen, "segment %u [0x%llx-0x%llx) lies beyond guest RAM "
                "(which ends at 0x%llx, %llu MiB)", i,
                (unsigned long long)ph.paddr, (unsigned long long)end,
                (unsigned long long)ram_top, (unsigned long long)(ram_top >> 20));
            return -ENOMEM;
        }
        if (n == PVH_MAX_SEGMENTS) {
            say(e->why, e->whylen, "more than %d loadable segments", PVH_MAX_SEGMENTS);
            return -E2BIG;
        }
        idx[n] = i;
        k->seg[n].paddr = ph.paddr;
        k->seg[n].memsz = ph.memsz;
        k->seg[n].offset = ph.offset;
        k->seg[n].filesz = ph.filesz;
        n++;
    }

    if (n == 0) {
        say(e->why, e->whylen, "ELF image has no loadable segment (PT_LOAD with memsz > 0)");
        return -EINVAL;
    }

    /* At most 16 segments: the quadratic check costs nothing. */
    for (unsigned int a = 0; a < n; a++) {
        for (unsigned int b = a + 1; b < n; b++) {
            const struct pvh_segment *sa = &k->seg[a], *sb = &k->seg[b];

            if (sa->paddr < sb->paddr + sb->memsz && sb->paddr < sa->paddr + sa->memsz) {
                say(e->why, e->whylen, "segments %u [0x%llx-0x%llx) and %u [0x%llx-0x%llx) "
                    "overlap", idx[a],
                    (unsigned long long)sa->paddr, (unsigned long long)(sa->paddr + sa->memsz),
                    idx[b],
                    (unsigned long long)sb->paddr, (unsigned long long)(sb->paddr + sb->memsz));
                return -EINVAL;
            }
        }
    }

    k->nr_segments = n;
    k->load_start = UINT64_MAX;
    k->load_end = 0;
    for (unsigned int a = 0; a < n; a++) {
        k->load_start = MIN(k->load_start, k->seg[a].paddr);
        k->load_end = MAX(k->load_end, k->seg[a].paddr + k->seg[a].memsz);
    }
    return 0;
}

/*
 * Walk the notes in file bytes [off, off + size) (already checked to be in
 * the file), whose container is aligned to 'align'.  Returns 1 and sets *entry when the PVH
 * entry note is there, 0 when it is not, or -EINVAL for a malformed note.
 * 'what' and 'num' name the container in messages ("segment 3").
 */
static int find_entry_note(struct elf_img *e, uint64_t off, uint64_t size, uint64_t align,
                           const char *what, unsigned int num, uint64_t *entry)
{
    const uint8_t *base = e->p + off;
    uint64_t pos = 0;
    /* readelf's rule: 8-byte padding only when the container says 8. */
    uint64_t a = align == 8 ? 8 : 4;

    while (size - pos >= NOTE_HDR_SIZE) {
        uint32_t namesz = get32(base + pos);
        uint32_t descsz = get32(base + pos + 4);
        uint32_t type = get32(base + pos + 8);
        uint64_t name_at = pos + NOTE_HDR_SIZE;
        /* As readelf: the descriptor and the next note start aligned. */
        uint64_t desc_at = ROUNDUP(name_at + namesz, a);
        uint64_t next = ROUNDUP(desc_at + descsz, a);

        if (desc_at > size || descsz > size - desc_at) {
            say(e->why, e->whylen, "note at offset 0x%llx of %s %u runs past its end "
                "(namesz %u, descsz %u, %s is 0x%llx bytes)",
                (unsigned long long)pos, what, num, namesz, descsz, what,
                (unsigned long long)size);
            return -EINVAL;
        }
        if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
            memcmp(base + name_at, XEN_ELFNOTE_NAME, 4) == 0) {
            if (descsz == 4) {
                *entry = get32(base + desc_at);
            } else if (descsz == 8) {
                *entry = get64(base + desc_at);
            } else {
                say(e->why, e->whylen, "PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY) in %s %u "
                    "has a %u-byte value, not 4 or 8", what, num, descsz);
                return -EINVAL;
            }
            return 1;
        }
        if (next >= size)
            break;          /* the last note's padding may be cut off */
        pos = next;
    }
    return 0;
}

static int find_entry(struct elf_img *e, uint64_t *entry)
{
    struct phdr ph;
    struct shdr sh;
    int rc;

    for (unsigned int i = 0; i < e->phnum; i++) {
        read_phdr(e, i, &ph);
        if (ph.type != PT_NOTE)
            continue;
        if (!in_file(e, ph.offset, ph.filesz)) {
            say(e->why, e->whylen, "note segment %u runs past the end of the file "
                "(offset 0x%llx + 0x%llx bytes, file is 0x%zx bytes)", i,
                (unsigned long long)ph.offset, (unsigned long long)ph.filesz, e->len);
            return -EINVAL;
        }
        rc = find_entry_note(e, ph.offset, ph.filesz, ph.align, "segment", i, entry);
        if (rc)
            return rc;
    }

    /* Not in a PT_NOTE: look where Xen's libelf also looks, in the sections. */
    for (unsigned int i = 0; i < e->shnum; i++) {
        read_shdr(e, i, &sh);
        if (sh.type != SHT_NOTE)
            continue;
        if (!in_file(e, sh.offset, sh.size)) {
            say(e->why, e->whylen, "note section %u runs past the end of the file "
                "(offset 0x%llx + 0x%llx bytes, file is 0x%zx bytes)", i,
                (unsigned long long)sh.offset, (unsigned long long)sh.size, e->len);
            return -EINVAL;
        }
        rc = find_entry_note(e, sh.offset, sh.size, sh.addralign, "section", i, entry);
        if (rc)
            return rc;
    }

    say(e->why, e->whylen, "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
    return -ENOEXEC;
}

int elf_pvh_parse(const void *img, size_t len, uint64_t guest_ram_top,
                  struct pvh_kernel *out, char *why, size_t whylen)
{
    struct elf_img e = { .p = img, .len = len, .why = why, .whylen = whylen };
    struct pvh_kernel k;
    uint64_t entry = 0;
    bool entry_loaded = false;
    int rc;

    memset(&k, 0, sizeof(k));
    if (!img) {
        say(why, whylen, "no image");
        return -EINVAL;
    }
    rc = check_header(&e, &k.machine);
    if (rc)
        return rc;
    k.elf64 = e.is64;
    rc = check_segments(&e, guest_ram_top, &k);
    if (rc)
        return rc;
    rc = find_entry(&e, &entry);
    if (rc < 0)
        return rc;

    if (entry > UINT32_MAX) {
        say(why, whylen, "PVH entry 0x%llx is above 4 GiB (the entry runs in 32-bit mode)",
            (unsigned long long)entry);
        return -EINVAL;
    }
    for (unsigned int i = 0; i < k.nr_segments; i++) {
        if (entry >= k.seg[i].paddr && entry - k.seg[i].paddr < k.seg[i].filesz)
            entry_loaded = true;
    }
    if (!entry_loaded) {
        say(why, whylen, "PVH entry 0x%llx is not inside the file contents of any "
            "loaded segment", (unsigned long long)entry);
        return -EINVAL;
    }
    k.entry = (uint32_t)entry;
    *out = k;
    return 0;
}

int elf_pvh_load(const void *img, size_t len, const struct pvh_kernel *k,
                 struct domain *d, char *why, size_t whylen)
{
    const uint8_t *p = img;
    int rc;

    if (!img || k->nr_segments > PVH_MAX_SEGMENTS) {
        say(why, whylen, "kernel description does not match the image");
        return -EINVAL;
    }
    for (unsigned int i = 0; i < k->nr_segments; i++) {
        const struct pvh_segment *s = &k->seg[i];

        /* Cheap insurance that k really came from this image. */
        if (s->offset > len || s->filesz > len - s->offset || s->filesz > s->memsz) {
            say(why, whylen, "loadable segment %u does not fit the image", i);
            return -EINVAL;
        }
        rc = s->filesz ? copy_to_gpa(d, s->paddr, p + s->offset, s->filesz) : 0;
        if (!rc && s->memsz > s->filesz)
            rc = clear_gpa(d, s->paddr + s->filesz, s->memsz - s->filesz);
        if (rc) {
            say(why, whylen, "loadable segment %u [0x%llx-0x%llx) is not all guest RAM "
                "(error %d)", i, (unsigned long long)s->paddr,
                (unsigned long long)(s->paddr + s->memsz), rc);
            return rc;
        }
    }
    return 0;
}
