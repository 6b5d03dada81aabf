/*
 * PVH entry of a 64-bit test guest.
 *
 * Entered in 32-bit protected mode, paging off, flat CS/DS/ES/SS, with
 * %ebx = guest-physical address of struct hvm_start_info.  We build
 * identity page tables for the first 4 GiB (2 MiB pages, except the first
 * 2 MiB which use 4 KiB pages so start.c can unmap page 0 as a NULL guard),
 * enable long mode, load our own GDT and stack, and call
 * guest_start(start_info gpa) in start.c.
 */
#include "entry_common.h"

#define EFER            0xc0000080
#define EFER_LME        (1 << 8)
#define CR0_PE          (1 << 0)
#define CR0_WP          (1 << 16)
#define CR0_PG          (1 << 31)
#define CR4_PSE         (1 << 4)
#define CR4_PAE         (1 << 5)
#define CR4_PGE         (1 << 7)
#define PTE_P_W         0x003
#define PDE_2M          0x083           /* present, writable, 2 MiB page */

#define SEL_CODE64      0x08
#define SEL_DATA        0x10

    PVH_ENTRY_NOTE pvh_start, 8

    .section .text.entry, "ax"
    .code32
    .globl pvh_start
pvh_start:
    cli
    cld
    mov %ebx, %esi                  /* start_info: kept until guest_start */

    CHECK_AND_CLEAR_BSS

    /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories. */
    mov $pdpt + PTE_P_W, %eax
    mov %eax, pml4
    mov $pd + PTE_P_W, %eax
    xor %ecx, %ecx
1:  mov %eax, pdpt(, %ecx, 8)
    add $4096, %eax
    inc %ecx
    cmp $4, %ecx
    jb 1b

    /* 2048 2 MiB pages: 0 .. 4 GiB. */
    mov $PDE_2M, %eax
    xor %ecx, %ecx
1:  mov %eax, pd(, %ecx, 8)
    add $0x200000, %eax
    inc %ecx
    cmp $2048, %ecx
    jb 1b

    /* The first 2 MiB through 4 KiB pages, so that page 0 can be
     * unmapped once start_info has been read (it may be there). */
    mov $pt0 + PTE_P_W, %eax
    mov %eax, pd
    mov $PTE_P_W, %eax
    xor %ecx, %ecx
1:  mov %eax, pt0(, %ecx, 8)
    add $4096, %eax
    inc %ecx
    cmp $512, %ecx
    jb 1b

    lgdt gdt_desc
    /* PSE and PGE as an OS sets them (they cost nothing here): the
     * benchmark guests then switch worlds the way Linux does. */
    mov %cr4, %eax
    or $(CR4_PAE | CR4_PSE | CR4_PGE), %eax
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP | CR0_PE), %eax
    mov %eax, %cr0
    ljmp $SEL_CODE64, $long_mode

    .code64
long_mode:
    mov $SEL_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    mov $stack_top, %rsp
    xor %ebp, %ebp
    mov %esi, %edi                  /* zero-extends: the start_info gpa */
    call guest_start
1:  cli
    hlt
    jmp 1b

    .section .rodata
    .balign 8
gdt:
    .quad 0
    .quad 0x00af9a000000ffff        /* 0x08: 64-bit code, DPL 0 */
    .quad 0x00cf92000000ffff        /* 0x10: flat data */
    /* 0x18: flat 32-bit code, for compatibility-mode stretches (the attack
     * guest makes 32-bit hypercalls from long mode through it). */
    .quad 0x00cf9a000000ffff
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

    .section .data
    .globl bss_was_dirty
    .balign 4
bss_was_dirty:
    .long 0

    /* Page tables and stack: in .bss, so part of the image (memtouch and
     * anyone else can tell them apart from free RAM). */
    .section .bss.pagetables, "aw", @nobits
    .balign 4096
    .globl pml4, pt0
pml4:   .skip 4096
pdpt:   .skip 4096
pd:     .skip 4 * 4096
pt0:    .skip 4096

    .section .bss.stack, "aw", @nobits
    .balign 16
stack:  .skip 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
