/*
 * Interrupt and exception entry.  One 16-byte stub per vector pushes a
 * dummy error code where the CPU pushes none, then the vector number, and
 * jumps to interrupt_common, which saves every GPR as a struct cpu_regs
 * and calls do_interrupt(regs).
 */
#include <asm/desc.h>

        .altmacro
.macro VECTOR_STUB vec
        .align 16
  .if !(\vec == 8 || \vec == 10 || \vec == 11 || \vec == 12 || \vec == 13 || \vec == 14 || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
        pushq   $0
  .endif
        pushq   $\vec
        jmp     interrupt_common
.endm

        .text
        .align 16
        .globl interrupt_stubs
interrupt_stubs:
        .set vec, 0
        .rept 256
        VECTOR_STUB %vec
        .set vec, vec + 1
        .endr

interrupt_common:
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        cld
        mov     %rsp, %rdi
        call    do_interrupt
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
        add     $16, %rsp               /* vector, error code */
        iretq
