/*
 * The test-guest library: what a guest's guest_main() can use.
 *
 * Start of day (entry64.S / entry32.S, then start.c): the PVH entry checks
 * nothing but sets up a stack (and, for 64-bit guests, identity paging of
 * the first 4 GiB and long mode); guest_start() checks the start_info
 * magic, copies what the guest may need from start_info (command line,
 * memory map) into `boot`, looks for Xen's CPUID leaves and calls
 * guest_main().  When guest_main() returns, test_finish() reports.
 *
 * Without Xen's CPUID leaves (QEMU's own PVH loader, no hypervisor) the
 * guest runs in "bare" mode: console output goes to port 0xe9 only and a
 * shutdown writes to QEMU's isa-debug-exit port (0xf4) and halts, so the
 * entry paths can be tested before Keel runs guests.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/xen.h>
#include <public/hvm/start_info.h>

#include "arch.h"
#include "hypercall.h"

#define noreturn __attribute__((noreturn))
#define printf_like(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define PAGE_SIZE 4096ul

/* Xen's errno values (Linux's x86 numbering), as hypercalls return them. */
#define XEN_EPERM   1
#define XEN_ENOENT  2
#define XEN_ESRCH   3
#define XEN_E2BIG   7
#define XEN_EFAULT  14
#define XEN_EEXIST  17
#define XEN_EINVAL  22
#define XEN_ENOSPC  28
#define XEN_ENOSYS  38
#define XEN_ETIME   62

/* ---- Start of day ------------------------------------------------------ */

#define GUEST_CMDLINE_MAX 1024
#define GUEST_MEMMAP_MAX  64

/* Copied from start_info before guest_main() runs, so a guest may
 * overwrite the original (memtouch does). */
struct guest_boot {
    uint32_t start_info_gpa;
    uint32_t version, flags;
    char cmdline[GUEST_CMDLINE_MAX];
    struct hvm_memmap_table_entry memmap[GUEST_MEMMAP_MAX];
    unsigned int nr_memmap;
    unsigned int memmap_given;      /* entries start_info had (may be more) */
};
extern struct guest_boot boot;

/* What guest_start() learnt about the hypervisor. */
struct xen_info {
    bool present;                   /* "XenVMMXenVMM" found */
    uint32_t base;                  /* leaf base, e.g. 0x40000000 */
    uint32_t max_leaf;              /* EAX of the base leaf */
};
extern struct xen_info xen;

/* Every guest defines this.  si is the loader's start_info; prefer `boot`:
 * 64-bit guests unmap page 0 before guest_main(), and a loader may have put
 * start_info (or what it points to) there. */
void guest_main(const struct hvm_start_info *si);

/* The image as linked (linker script): text, data, bss, stack, tables. */
extern char __image_start[], __image_end[];

/* Scan 0x40000000..0x4000ff00 (step 0x100) for Xen's signature with at
 * least leaves base..base+2, as Linux does; 0 when absent. */
uint32_t xen_cpuid_base(void);

struct shared_info;
/* XENMEM_add_to_physmap(shared_info) over the last RAM page; TEST FAIL if refused. */
struct shared_info *map_shared_info(void);

/* Guest TSC frequency from leaf base+3 (sub-leaf 0, ECX), else 0. */
uint32_t xen_tsc_khz(void);
/* xen_tsc_khz(), or a 2 GHz guess when the hypervisor does not say. */
uint64_t tsc_khz_or_guess(void);
/* Busy-wait on the TSC. */
void delay_ms(uint64_t ms);

struct vcpu_time_info;
/* System time (ns) from a vCPU's pvclock, with the version protocol (a
 * copy taken once keeps working as long as the TSC rate holds). */
uint64_t pvclock_now(const volatile struct vcpu_time_info *t);
/* The calling domain's ID (CPUID leaf base+4, ECX). */
uint32_t xen_domid(void);

/* ---- Command line (boot.cmdline: space-separated words) ---------------- */

/* The value of key=VALUE, copied into val (NUL-terminated); false if absent. */
bool cmdline_get(const char *key, char *val, size_t len);
/* key=NUMBER (decimal or 0x hex), or dflt. */
uint64_t cmdline_u64(const char *key, uint64_t dflt);
/* A bare word (or key=...) is present. */
bool cmdline_has(const char *word);

/* ---- Memory map (boot.memmap) ------------------------------------------ */

/* End of the highest RAM entry below 4 GiB. */
uint64_t ram_top(void);
/* The first page-aligned address >= from that no memmap entry covers. */
uint64_t gpa_outside_memmap(uint64_t from);
bool memmap_covers(uint64_t gpa);

/* ---- Output ------------------------------------------------------------ */

/* console_io(CONSOLEIO_write); port 0xe9 in bare mode or if it fails. */
void con_write(const char *s, size_t len);
/* Port 0xe9, one OUTB per byte (Keel shows it as the domain's console). */
void e9_write(const char *s, size_t len);
void printf(const char *fmt, ...) printf_like(1, 2);
void vprintf(const char *fmt, va_list ap);
void e9_printf(const char *fmt, ...) printf_like(1, 2);
int snprintf(char *buf, size_t size, const char *fmt, ...) printf_like(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* ---- Shutdown and test reports ----------------------------------------- */

const char *shutdown_reason_name(unsigned int reason);
/* SCHEDOP_shutdown(reason); never returns (halts if the call does). */
noreturn void guest_shutdown(unsigned int reason);

/* Print exactly "TEST PASS" as its own line, then power off. */
noreturn void test_pass(void);
/* Print "TEST FAIL: why", then power off. */
noreturn void test_fail(const char *fmt, ...) printf_like(1, 2);
/* Print "TEST FAIL: why", then shut down with reason crash. */
noreturn void guest_crash(const char *fmt, ...) printf_like(1, 2);

/* Record one check: prints "ok: what" or "MISMATCH: what"; counted. */
bool check(bool ok, const char *fmt, ...) printf_like(2, 3);
/* check() that a hypercall returned want; prints what it got. */
bool check_ret(long got, long want, const char *fmt, ...) printf_like(3, 4);
/* Silent unless got != want: then TEST FAIL at once (loops, soak runs). */
void require_ret(long got, long want, const char *fmt, ...) printf_like(3, 4);
/* PASS if every check passed, else FAIL naming the first mismatch. */
noreturn void test_finish(void);

/* ---- 64-bit only: exceptions and paging -------------------------------- */
#ifdef __x86_64__
/* WRMSR/RDMSR that survive a #GP: 0, or 0x100 | the vector that hit. */
int wrmsr_safe(uint32_t msr, uint64_t val);
int rdmsr_safe(uint32_t msr, uint64_t *val);
/* Store/load one byte, surviving a fault: 0, or 0x100 | vector. */
int write_byte_safe(volatile uint8_t *p, uint8_t v);

/*
 * The upcall's work, as Linux's 2-level handler does it: clear vCPU vcpu's
 * upcall_pending, take its selector, then clear each selected word's
 * pending-and-unmasked bits, calling fn(port) for each (lib/events.c).
 */
struct shared_info;
void evtchn_upcall_scan(struct shared_info *si, unsigned int vcpu, void (*fn)(unsigned int port));
/* HVM_PARAM_CALLBACK_IRQ = vector (type 2): upcalls as that interrupt. */
long set_callback_vector(uint8_t vector);


#define PTE_P  0x001ul
#define PTE_W  0x002ul
#define PTE_U  0x004ul
#define PTE_PS 0x080ul

/* Map the 4 KiB page at va to gpa with flags (0: unmap).  Works for va
 * outside the identity-mapped first 4 GiB and inside its first 2 MiB
 * (kept as 4 KiB pages).  0, or -1 if va sits in a 2 MiB page or the
 * table pool is used up. */
int pt_map_4k(uint64_t va, uint64_t gpa, uint64_t flags);
/* guest_start() unmaps page 0 so NULL dereferences fault; memtouch maps
 * it back. */
void pt_null_guard(bool on);
#endif

/* ---- Pseudo-random numbers (lib/rand.c; attack guests) ------------------ */
/* SplitMix64: one seed, one sequence, in both word sizes. */
void prng_seed(uint64_t seed);
uint64_t prng_next(void);
/* Uniform in [0, n); n > 0. */
uint32_t prng_below(uint32_t n);
/* True with the given chance in percent. */
bool prng_percent(unsigned int percent);
void prng_fill(void *buf, size_t len);

/* ---- Strings ------------------------------------------------------------ */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
/* Sort a small array in place (insertion sort; for benchmark medians). */
void sort_u64(uint64_t *a, unsigned int n);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy_z(char *d, const char *s, size_t size);   /* always NUL-terminates */

#endif
