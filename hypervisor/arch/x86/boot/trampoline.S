/*
 * Secondary-CPU start-up code.  smp.c copies this blob to a page below
 * 1 MiB and fills in the fields marked "patched"; the CPU starts at its
 * first byte in real mode (CS = page >> 4, IP = 0).  It enters protected
 * mode, then long mode on the trampoline page tables (which map this page
 * 1:1 and the hypervisor at its usual address), and jumps to ap_entry64.
 * The blob is position independent: real-mode code addresses it through
 * CS, and %ebp holds its physical base after that.
 */
#include <asm/boot.h>

#define OFF(sym) ((sym) - trampoline_start)

        .section .rodata.trampoline, "a"
        .code16
        .globl trampoline_start, trampoline_end
        .globl tramp_gdt_desc, tramp_pm_jump, tramp_lm_jump, tramp_cr3, tramp_efer
trampoline_start:
        cli
        cld
        mov     %cs, %ax
        mov     %ax, %ds
        xor     %ebp, %ebp
        mov     %ax, %bp
        shl     $4, %ebp                /* physical base of this page */
        lgdtl   OFF(tramp_gdt_desc)
        mov     %cr0, %eax
        or      $CR0_PE, %eax
        mov     %eax, %cr0
        ljmpl   *OFF(tramp_pm_jump)

        .code32
tramp32:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %cr4, %eax
        or      $CR4_PAE, %eax
        mov     %eax, %cr4
        mov     OFF(tramp_cr3)(%ebp), %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      OFF(tramp_efer)(%ebp), %eax
        wrmsr
        mov     %cr0, %eax
        or      $(CR0_PG | CR0_WP | CR0_PE), %eax
        mov     %eax, %cr0
        ljmpl   *OFF(tramp_lm_jump)(%ebp)

        .code64
tramp64:
        movabs  $ap_entry64, %rax
        jmp     *%rax

        .align 8
tramp_gdt:
        .quad   0
        .quad   0x00af9a000000ffff      /* 0x08: 64-bit code */
        .quad   0x00cf92000000ffff      /* 0x10: data */
        .quad   0x00cf9a000000ffff      /* 0x18: 32-bit code */
tramp_gdt_end:
tramp_gdt_desc:                         /* patched: base */
        .word   tramp_gdt_end - tramp_gdt - 1
        .long   OFF(tramp_gdt)
tramp_pm_jump:                          /* patched: offset = base + OFF(tramp32) */
        .long   OFF(tramp32)
        .word   0x18
tramp_lm_jump:                          /* patched: offset = base + OFF(tramp64) */
        .long   OFF(tramp64)
        .word   0x08
tramp_cr3:      .long 0                 /* patched */
tramp_efer:     .long 0                 /* patched */
trampoline_end:

        .text
        .code64
/* Long mode on the trampoline tables; continue in C on this CPU's stack. */
        .globl ap_entry64
ap_entry64:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     ap_boot_stack(%rip), %rsp
        xor     %ebp, %ebp
        call    start_secondary
        ud2
