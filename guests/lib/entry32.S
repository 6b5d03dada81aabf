/*
 * PVH entry of a 32-bit test guest: stays in 32-bit protected mode with
 * paging off (so guest-virtual = guest-physical), loads its own flat GDT
 * and stack and calls guest_start(start_info gpa) in start.c.
 */
#include "entry_common.h"

#define SEL_CODE32      0x08
#define SEL_DATA        0x10

    PVH_ENTRY_NOTE pvh_start, 4

    .section .text.entry, "ax"
    .code32
    .globl pvh_start
pvh_start:
    cli
    cld
    mov %ebx, %esi                  /* start_info: kept until guest_start */

    CHECK_AND_CLEAR_BSS

    /* The loader's GDT is unspecified by PVH: use ours before any
     * segment register is reloaded. */
    lgdt gdt_desc
    ljmp $SEL_CODE32, $1f
1:  mov $SEL_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov $stack_top, %esp
    xor %ebp, %ebp
    push %esi
    call guest_start
1:  cli
    hlt
    jmp 1b

    .section .rodata
    .balign 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        /* 0x08: flat 32-bit code, DPL 0 */
    .quad 0x00cf92000000ffff        /* 0x10: flat data */
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

    .section .data
    .globl bss_was_dirty
    .balign 4
bss_was_dirty:
    .long 0

    .section .bss.stack, "aw", @nobits
    .balign 16
stack:  .skip 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
