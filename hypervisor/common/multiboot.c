/*
 * Multiboot 1 and Multiboot 2 boot information parsers.
 *
 * The loader's structures are read only through the phys_reader_t callback,
 * with the exact length of what we are about to look at, and copied into
 * local variables before use: nothing here follows a pointer or a length
 * that has not been checked against the structure that contains it.  A
 * damaged part (a truncated memory map, an unreadable module string) is
 * reported and skipped; what was valid is kept.
 *
 * Layouts, as the two specifications define them (all fields little-endian):
 *
 * Multiboot 1 info: u32 flags; mem_lower, mem_upper (KiB, flags bit 0);
 * boot_device; cmdline (bit 2); mods_count, mods_addr (bit 3); 16 bytes of
 * symbol info; mmap_length, mmap_addr (bit 6); drives_length, drives_addr;
 * config_table; boot_loader_name (bit 9); then APM, VBE and framebuffer
 * fields up to byte 116.  Modules are 16-byte records {start, end, string,
 * reserved}.  Memory map entries are {u32 size; u64 base, len; u32 type}
 * where size counts the bytes after itself.
 *
 * Multiboot 2 info: u32 total_size, reserved; then tags {u32 type, size;
 * data}, each starting 8-byte aligned, size counting the 8-byte header but
 * not the padding; type 0 ends the list.
 */
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/printk.h>

/* Multiboot 1 ---------------------------------------------------------- */

#define MB1_FLAG_MEM     (1u << 0)
#define MB1_FLAG_CMDLINE (1u << 2)
#define MB1_FLAG_MODS    (1u << 3)
#define MB1_FLAG_MMAP    (1u << 6)
#define MB1_FLAG_LOADER  (1u << 9)

/* The fields we use: the info structure up to and including boot_loader_name. */
struct mb1_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
};
STATIC_ASSERT(sizeof(struct mb1_info) == 68);

/* The whole fixed structure (through the framebuffer fields): what
 * info_end covers, so that nothing allocated early lands on top of it. */
#define MB1_INFO_SIZE 116

struct mb1_module {
    uint32_t start, end, string, reserved;
};

/* A memory map entry after its leading size field; unaligned in memory. */
struct mb1_mmap_entry {
    uint64_t base, len;
    uint32_t type;
} __packed;
STATIC_ASSERT(sizeof(struct mb1_mmap_entry) == 20);

/* Multiboot 2 ---------------------------------------------------------- */

enum {
    MB2_TAG_END = 0,
    MB2_TAG_CMDLINE = 1,
    MB2_TAG_LOADER = 2,
    MB2_TAG_MODULE = 3,
    MB2_TAG_MEMINFO = 4,
    MB2_TAG_MMAP = 6,
    MB2_TAG_ACPI_OLD = 14,
    MB2_TAG_ACPI_NEW = 15,
};

struct mb2_tag {
    uint32_t type, size;
};

struct mb2_module {
    struct mb2_tag hdr;
    uint32_t start, end;
    /* NUL-terminated string follows */
};

struct mb2_meminfo {
    struct mb2_tag hdr;
    uint32_t mem_lower, mem_upper;
};

struct mb2_mmap {
    struct mb2_tag hdr;
    uint32_t entry_size, entry_version;
    /* entries follow, entry_size bytes apart */
};

struct mb2_mmap_entry {
    uint64_t base, len;
    uint32_t type, reserved;
};
STATIC_ASSERT(sizeof(struct mb2_mmap_entry) == 24);

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

/* Limits on hostile structures, far above anything a real loader builds,
 * so that a huge length over readable memory cannot stall the boot. */
#define MMAP_ENTRIES_MAX 1024
#define MB2_TAGS_MAX     1024

/* Parser state ---------------------------------------------------------- */

struct mb {
    struct boot_info *bi;
    phys_reader_t read;
    void *ctx;
    bool mem_full;          /* memory map overflow already reported */
    bool mods_full;         /* module overflow already reported */
    bool have_meminfo;      /* mem_lower/mem_upper given */
    uint32_t mem_lower, mem_upper;
};

#define mb_warn(m, fmt, ...) do {                               \
        pr_warn("multiboot: " fmt "\n", ##__VA_ARGS__);         \
        (m)->bi->warnings++;                                    \
    } while (0)

/* Copy len bytes of loader memory at pa into dst; false if unreadable. */
static bool mb_copy(struct mb *m, paddr_t pa, void *dst, size_t len)
{
    const void *src;

    if (len == 0)
        return true;
    if (pa + (len - 1) < pa)
        return false;           /* wraps around the address space */
    src = m->read(m->ctx, pa, len);
    if (!src)
        return false;
    memcpy(dst, src, len);
    return true;
}

/*
 * Copy up to len readable bytes at pa: the whole range if the reader gives
 * it, else byte by byte up to the first unreadable one.  Returns the count.
 */
static size_t mb_copy_some(struct mb *m, paddr_t pa, char *dst, size_t len)
{
    size_t n;

    if (mb_copy(m, pa, dst, len))
        return len;
    for (n = 0; n < len; n++) {
        if (!mb_copy(m, pa + n, dst + n, 1))
            break;
    }
    return n;
}

static const char *find_nul(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!s[i])
            return &s[i];
    }
    return NULL;
}

/* Strings ---------------------------------------------------------------- */

enum str_result {
    STR_OK,
    STR_TRUNCATED,      /* longer than the buffer */
    STR_CUT,            /* ran into unreadable memory */
    STR_NO_NUL,         /* no NUL before the end of its tag */
    STR_UNREADABLE,     /* not one byte of it could be read */
};

/*
 * Copy the NUL-terminated string at pa into dst[size] (size >= 1), reading
 * no more than size bytes, a page at most at a time so that a string that
 * ends just before unreadable memory is still read whole.
 */
static enum str_result read_cstring(struct mb *m, paddr_t pa, char *dst, size_t size)
{
    size_t got = 0;

    while (got < size) {
        paddr_t at = pa + got;
        size_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
        size_t n;

        if (chunk > size - got)
            chunk = size - got;
        n = at < pa ? 0 : mb_copy_some(m, at, dst + got, chunk);  /* no wrapping */
        if (find_nul(dst + got, n))
            return STR_OK;
        got += n;
        if (n < chunk) {
            dst[got] = '\0';
            return got ? STR_CUT : STR_UNREADABLE;
        }
    }
    dst[size - 1] = '\0';
    return STR_TRUNCATED;
}

/* Copy a string that must end within avail bytes at pa (inside a tag). */
static enum str_result read_bounded_string(struct mb *m, paddr_t pa, uint64_t avail,
                                           char *dst, size_t size)
{
    size_t n = avail < size ? (size_t)avail : size;

    dst[0] = '\0';
    if (n == 0)
        return STR_NO_NUL;
    if (!mb_copy(m, pa, dst, n)) {
        dst[0] = '\0';
        return STR_UNREADABLE;
    }
    if (find_nul(dst, n))
        return STR_OK;
    if (avail > size) {
        dst[size - 1] = '\0';
        return STR_TRUNCATED;
    }
    dst[n < size ? n : size - 1] = '\0';
    return STR_NO_NUL;
}

/* Report a string that was not read whole; idx >= 0 names a module. */
static void report_string(struct mb *m, enum str_result res, const char *what,
                          int idx, paddr_t pa, size_t size)
{
    char name[48];

    if (idx >= 0)
        snprintf(name, sizeof(name), "%s %d string", what, idx);
    else
        snprintf(name, sizeof(name), "%s", what);
    switch (res) {
    case STR_OK:
        break;
    case STR_TRUNCATED:
        mb_warn(m, "%s at 0x%llx is longer than %zu characters, truncated",
                name, (unsigned long long)pa, size - 1);
        break;
    case STR_CUT:
        mb_warn(m, "%s at 0x%llx is not NUL-terminated within readable memory, cut short",
                name, (unsigned long long)pa);
        break;
    case STR_NO_NUL:
        mb_warn(m, "%s at 0x%llx has no NUL within its tag, cut short",
                name, (unsigned long long)pa);
        break;
    case STR_UNREADABLE:
        mb_warn(m, "%s at 0x%llx cannot be read, ignored", name, (unsigned long long)pa);
        break;
    }
}

/* GRUB 2 names itself "GRUB 2.xx"; unlike GRUB legacy ("GNU GRUB 0.9x")
 * and QEMU, it does not put the image's path in front of the strings. */
static bool loader_omits_path(const char *loader)
{
    return strncmp(loader, "GRUB ", 5) == 0 && loader[5] != '0' && loader[5] != '\0';
}

/* Remove the first word (the image path) and the blanks around it. */
static void strip_first_word(char *s)
{
    size_t i = 0;

    while (s[i] == ' ' || s[i] == '\t')
        i++;
    while (s[i] && s[i] != ' ' && s[i] != '\t')
        i++;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    memmove(s, s + i, strlen(s + i) + 1);
}

/* Memory map ------------------------------------------------------------- */

/*
 * The map is full even after merging what can be merged.  Leaving out a RAM
 * range is safe (less memory to use), but leaving out a reserved range could
 * leave RAM beneath it in use: so cut its span out of the RAM ranges we have,
 * dropping whatever part of a RAM range a split would have needed.
 */
static void mem_overflow(struct mb *m, uint64_t start, uint64_t end, uint32_t type)
{
    struct boot_info *bi = m->bi;

    if (!m->mem_full) {
        mb_warn(m, "memory map has more than %d distinct ranges, later ones left out",
                BOOT_MEM_MAX);
        m->mem_full = true;
    }
    if (type == MEM_RAM)
        return;
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        struct mem_range *r = &bi->mem[i];

        if (r->type != MEM_RAM || r->end <= start || r->start >= end)
            continue;
        if (r->start < start)
            r->end = start;
        else if (r->end > end)
            r->start = end;
        else
            r->end = r->start;  /* empty: sanitize drops it */
    }
}

static void mem_add(struct mb *m, uint64_t base, uint64_t len, uint32_t type)
{
    struct boot_info *bi = m->bi;
    uint64_t end = base + len;

    if (len == 0)
        return;
    if (end < base) {
        mb_warn(m, "memory range 0x%llx+0x%llx wraps past the top of the address space, clipped",
                (unsigned long long)base, (unsigned long long)len);
        end = UINT64_MAX;
    }
    if (bi->nr_mem == BOOT_MEM_MAX)
        bi->nr_mem = memmap_sanitize(bi->mem, bi->nr_mem, BOOT_MEM_MAX);
    if (bi->nr_mem == BOOT_MEM_MAX) {
        mem_overflow(m, base, end, type);
        return;
    }
    bi->mem[bi->nr_mem++] = (struct mem_range){ base, end, type };
}

/* No usable memory map: make one from the basic sizes, as old loaders meant. */
static void mem_from_meminfo(struct mb *m)
{
    uint32_t lower = m->mem_lower;

    mb_warn(m, "no usable memory map; using mem_lower=%u KiB, mem_upper=%u KiB instead",
            m->mem_lower, m->mem_upper);
    if (lower > 640) {
        mb_warn(m, "mem_lower=%u KiB is impossible (at most 640), using 640", lower);
        lower = 640;
    }
    mem_add(m, 0, KiB(lower), MEM_RAM);
    mem_add(m, MiB(1), KiB(m->mem_upper), MEM_RAM);
}

static void finish_memmap(struct mb *m)
{
    struct boot_info *bi = m->bi;

    if (bi->nr_mem == 0 && m->have_meminfo)
        mem_from_meminfo(m);
    bi->nr_mem = memmap_sanitize(bi->mem, bi->nr_mem, BOOT_MEM_MAX);
    if (bi->nr_mem == 0)
        mb_warn(m, "the loader gave neither a memory map nor memory sizes");
}

/* Modules ---------------------------------------------------------------- */

/* Reserve the next module slot for [start, end), or NULL if it is skipped. */
static struct boot_module *mod_add(struct mb *m, unsigned int idx,
                                   uint32_t start, uint32_t end)
{
    struct boot_info *bi = m->bi;
    struct boot_module *mod;

    if (end < start) {
        mb_warn(m, "module %u ends (0x%x) before it starts (0x%x), ignored",
                idx, end, start);
        return NULL;
    }
    if (bi->nr_mods == BOOT_MOD_MAX) {
        if (!m->mods_full)
            mb_warn(m, "more than %d modules, module %u and later ignored",
                    BOOT_MOD_MAX, idx);
        m->mods_full = true;
        return NULL;
    }
    mod = &bi->mods[bi->nr_mods++];
    mod->start = start;
    mod->end = end;
    mod->cmdline[0] = '\0';
    return mod;
}

/* Multiboot 1 ------------------------------------------------------------ */

static void mb1_parse_mods(struct mb *m, uint32_t addr, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        paddr_t pa = (paddr_t)addr + (paddr_t)i * sizeof(struct mb1_module);
        struct mb1_module rec;
        struct boot_module *mod;

        if (!mb_copy(m, pa, &rec, sizeof(rec))) {
            mb_warn(m, "module %u: entry at 0x%llx cannot be read, it and later modules ignored",
                    i, (unsigned long long)pa);
            return;
        }
        mod = mod_add(m, i, rec.start, rec.end);
        if (!mod)
            continue;
        if (!rec.string) {
            mb_warn(m, "module %u has no string", i);
            continue;
        }
        report_string(m, read_cstring(m, rec.string, mod->cmdline, sizeof(mod->cmdline)),
                      "module", (int)i, rec.string, sizeof(mod->cmdline));
    }
}

static void mb1_parse_mmap(struct mb *m, uint32_t addr, uint32_t length)
{
    uint64_t off = 0;
    unsigned int idx;

    for (idx = 0; off + sizeof(uint32_t) <= length; idx++) {
        paddr_t pa = (paddr_t)addr + off;
        struct mb1_mmap_entry e;
        uint32_t size;

        if (idx == MMAP_ENTRIES_MAX) {
            mb_warn(m, "memory map has more than %d entries, the rest ignored",
                    MMAP_ENTRIES_MAX);
            return;
        }
        if (!mb_copy(m, pa, &size, sizeof(size))) {
            mb_warn(m, "memory map entry %u at 0x%llx cannot be read, map cut short",
                    idx, (unsigned long long)pa);
            return;
        }
        if (size < sizeof(e)) {
            mb_warn(m, "memory map entry %u has size %u (at least %zu), map cut short",
                    idx, size, sizeof(e));
            return;
        }
        if (off + sizeof(size) + size > length) {
            mb_warn(m, "memory map entry %u (size %u) runs past mmap_length %u, map cut short",
                    idx, size, length);
            return;
        }
        if (!mb_copy(m, pa + sizeof(size), &e, sizeof(e))) {
            mb_warn(m, "memory map entry %u at 0x%llx cannot be read, map cut short",
                    idx, (unsigned long long)pa);
            return;
        }
        mem_add(m, e.base, e.len, e.type);
        off += sizeof(size) + (uint64_t)size;
    }
    if (off != length)
        mb_warn(m, "memory map has %llu stray bytes at its end, ignored",
                (unsigned long long)(length - off));
}

int multiboot1_parse(struct boot_info *bi, paddr_t info_pa,
                     phys_reader_t read, void *ctx)
{
    struct mb m = { .bi = bi, .read = read, .ctx = ctx };
    struct mb1_info info;

    memset(bi, 0, sizeof(*bi));
    bi->protocol = 1;
    if (!mb_copy(&m, info_pa, &info, sizeof(info))) {
        pr_err("multiboot: information structure at 0x%llx cannot be read\n",
               (unsigned long long)info_pa);
        return -EINVAL;
    }
    bi->info_start = info_pa;
    bi->info_end = info_pa + MB1_INFO_SIZE;

    if (info.flags & MB1_FLAG_LOADER)
        report_string(&m, read_cstring(&m, info.boot_loader_name, bi->loader, sizeof(bi->loader)),
                      "boot loader name", -1, info.boot_loader_name, sizeof(bi->loader));

    bi->mod_path_first = !loader_omits_path(bi->loader);
    if (info.flags & MB1_FLAG_CMDLINE) {
        report_string(&m, read_cstring(&m, info.cmdline, bi->cmdline, sizeof(bi->cmdline)),
                      "command line", -1, info.cmdline, sizeof(bi->cmdline));
        if (bi->mod_path_first)
            strip_first_word(bi->cmdline);
    }

    if (info.flags & MB1_FLAG_MODS) {
        if (info.mods_count > BOOT_MOD_MAX)
            mb_warn(&m, "%u modules given, only the first %d are used",
                    info.mods_count, BOOT_MOD_MAX);
        mb1_parse_mods(&m, info.mods_addr,
                       info.mods_count > BOOT_MOD_MAX ? BOOT_MOD_MAX : info.mods_count);
    }

    if (info.flags & MB1_FLAG_MEM) {
        m.have_meminfo = true;
        m.mem_lower = info.mem_lower;
        m.mem_upper = info.mem_upper;
    }
    if (info.flags & MB1_FLAG_MMAP)
        mb1_parse_mmap(&m, info.mmap_addr, info.mmap_length);
    finish_memmap(&m);
    return 0;
}

/* Multiboot 2 ------------------------------------------------------------ */

struct mb2_state {
    bool seen_cmdline, seen_loader, seen_mmap, have_new_rsdp;
    unsigned int mod_tags;      /* module tags seen, to name them in messages */
};

static void mb2_string_tag(struct mb *m, paddr_t pa, const struct mb2_tag *t,
                           bool *seen, char *dst, size_t size, const char *what)
{
    if (*seen) {
        mb_warn(m, "second %s tag ignored", what);
        return;
    }
    *seen = true;
    report_string(m, read_bounded_string(m, pa + sizeof(*t), t->size - sizeof(*t), dst, size),
                  what, -1, pa + sizeof(*t), size);
}

static void mb2_module(struct mb *m, paddr_t pa, const struct mb2_tag *t,
                       struct mb2_state *st)
{
    unsigned int idx = st->mod_tags++;
    struct mb2_module rec;
    struct boot_module *mod;

    if (t->size < sizeof(rec)) {
        mb_warn(m, "module tag at 0x%llx too small (%u bytes), ignored",
                (unsigned long long)pa, t->size);
        return;
    }
    if (!mb_copy(m, pa, &rec, sizeof(rec))) {
        mb_warn(m, "module tag at 0x%llx cannot be read, ignored", (unsigned long long)pa);
        return;
    }
    mod = mod_add(m, idx, rec.start, rec.end);
    if (!mod)
        return;
    report_string(m, read_bounded_string(m, pa + sizeof(rec), t->size - sizeof(rec),
                                         mod->cmdline, sizeof(mod->cmdline)),
                  "module", (int)idx, pa + sizeof(rec), sizeof(mod->cmdline));
}

static void mb2_meminfo(struct mb *m, paddr_t pa, const struct mb2_tag *t)
{
    struct mb2_meminfo rec;

    if (t->size < sizeof(rec) || !mb_copy(m, pa, &rec, sizeof(rec))) {
        mb_warn(m, "basic memory information tag at 0x%llx is bad (%u bytes), ignored",
                (unsigned long long)pa, t->size);
        return;
    }
    m->have_meminfo = true;
    m->mem_lower = rec.mem_lower;
    m->mem_upper = rec.mem_upper;
}

static void mb2_mmap(struct mb *m, paddr_t pa, const struct mb2_tag *t,
                     struct mb2_state *st)
{
    struct mb2_mmap rec;
    uint32_t count;

    if (st->seen_mmap) {
        mb_warn(m, "second memory map tag ignored");
        return;
    }
    st->seen_mmap = true;
    if (t->size < sizeof(rec) || !mb_copy(m, pa, &rec, sizeof(rec))) {
        mb_warn(m, "memory map tag at 0x%llx is bad (%u bytes), ignored",
                (unsigned long long)pa, t->size);
        return;
    }
    /* Later versions may grow entries, but never shrink them. */
    if (rec.entry_size < sizeof(struct mb2_mmap_entry)) {
        mb_warn(m, "memory map entry size %u (at least %zu), map ignored",
                rec.entry_size, sizeof(struct mb2_mmap_entry));
        return;
    }
    count = (t->size - sizeof(rec)) / rec.entry_size;
    if ((t->size - sizeof(rec)) % rec.entry_size)
        mb_warn(m, "memory map tag ends with a partial entry, ignored");
    if (count > MMAP_ENTRIES_MAX) {
        mb_warn(m, "memory map has %u entries, only the first %d used", count, MMAP_ENTRIES_MAX);
        count = MMAP_ENTRIES_MAX;
    }
    for (uint32_t i = 0; i < count; i++) {
        paddr_t epa = pa + sizeof(rec) + (paddr_t)i * rec.entry_size;
        struct mb2_mmap_entry e;

        if (!mb_copy(m, epa, &e, sizeof(e))) {
            mb_warn(m, "memory map entry %u at 0x%llx cannot be read, map cut short",
                    i, (unsigned long long)epa);
            return;
        }
        mem_add(m, e.base, e.len, e.type);
    }
}

static void mb2_rsdp(struct mb *m, paddr_t pa, const struct mb2_tag *t,
                     struct mb2_state *st)
{
    bool is_new = t->type == MB2_TAG_ACPI_NEW;
    size_t len = is_new ? RSDP_V2_LEN : RSDP_V1_LEN;
    struct boot_info *bi = m->bi;
    uint8_t copy[RSDP_V2_LEN];

    if (t->size - sizeof(*t) < len || !mb_copy(m, pa + sizeof(*t), copy, len)) {
        mb_warn(m, "ACPI RSDP tag (type %u) at 0x%llx is bad (%u bytes), ignored",
                t->type, (unsigned long long)pa, t->size);
        return;
    }
    /* An ACPI 2.0 RSDP describes more (the XSDT): it wins over a 1.0 one. */
    if (!is_new && st->have_new_rsdp)
        return;
    memset(bi->rsdp, 0, sizeof(bi->rsdp));
    memcpy(bi->rsdp, copy, len);
    bi->have_rsdp = true;
    st->have_new_rsdp = st->have_new_rsdp || is_new;
}

static void mb2_tag(struct mb *m, paddr_t pa, const struct mb2_tag *t,
                    struct mb2_state *st)
{
    struct boot_info *bi = m->bi;

    switch (t->type) {
    case MB2_TAG_CMDLINE:
        mb2_string_tag(m, pa, t, &st->seen_cmdline, bi->cmdline, sizeof(bi->cmdline),
                       "command line");
        break;
    case MB2_TAG_LOADER:
        mb2_string_tag(m, pa, t, &st->seen_loader, bi->loader, sizeof(bi->loader),
                       "boot loader name");
        break;
    case MB2_TAG_MODULE:
        mb2_module(m, pa, t, st);
        break;
    case MB2_TAG_MEMINFO:
        mb2_meminfo(m, pa, t);
        break;
    case MB2_TAG_MMAP:
        mb2_mmap(m, pa, t, st);
        break;
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
        mb2_rsdp(m, pa, t, st);
        break;
    default:
        break;      /* framebuffer, ELF sections, EFI, ...: not used */
    }
}

static void mb2_walk(struct mb *m, paddr_t info_pa, uint32_t total)
{
    struct mb2_state st = { 0 };
    uint64_t off = 2 * sizeof(uint32_t);
    unsigned int ntags = 0;

    for (;;) {
        paddr_t pa = info_pa + off;
        struct mb2_tag t;

        if (off + sizeof(t) > total) {
            mb_warn(m, "no end tag within total_size %u", total);
            return;
        }
        if (ntags++ == MB2_TAGS_MAX) {
            mb_warn(m, "more than %d tags, the rest ignored", MB2_TAGS_MAX);
            return;
        }
        if (!mb_copy(m, pa, &t, sizeof(t))) {
            mb_warn(m, "tag at 0x%llx cannot be read, the rest ignored",
                    (unsigned long long)pa);
            return;
        }
        if (t.type == MB2_TAG_END)
            return;
        if (t.size < sizeof(t)) {
            mb_warn(m, "tag type %u at offset %llu has size %u, the rest ignored",
                    t.type, (unsigned long long)off, t.size);
            return;
        }
        if (off + t.size > total) {
            mb_warn(m, "tag type %u at offset %llu (size %u) runs past total_size %u, the rest ignored",
                    t.type, (unsigned long long)off, t.size, total);
            return;
        }
        mb2_tag(m, pa, &t, &st);
        off += ROUNDUP((uint64_t)t.size, 8);
    }
}

int multiboot2_parse(struct boot_info *bi, paddr_t info_pa,
                     phys_reader_t read, void *ctx)
{
    struct mb m = { .bi = bi, .read = read, .ctx = ctx };
    uint32_t hdr[2];

    memset(bi, 0, sizeof(*bi));
    bi->protocol = 2;
    if (!mb_copy(&m, info_pa, hdr, sizeof(hdr))) {
        pr_err("multiboot: information structure at 0x%llx cannot be read\n",
               (unsigned long long)info_pa);
        return -EINVAL;
    }
    /* The smallest valid structure is the header plus an end tag. */
    if (hdr[0] < sizeof(hdr) + sizeof(struct mb2_tag) || info_pa + hdr[0] < info_pa) {
        pr_err("multiboot: information structure at 0x%llx has bad total_size %u\n",
               (unsigned long long)info_pa, hdr[0]);
        return -EINVAL;
    }
    bi->info_start = info_pa;
    bi->info_end = info_pa + hdr[0];

    mb2_walk(&m, info_pa, hdr[0]);
    /* GRUB 2 passes strings without the image path (see loader_omits_path). */
    bi->mod_path_first = false;
    finish_memmap(&m);
    return 0;
}
