/*
 * void svm_vmrun(struct guest_regs *regs, paddr_t vmcb_pa, paddr_t host_vmcb_pa)
 *
 * Enter the guest once.  Called with interrupts off; returns with them on.
 * GIF is cleared first, so no interrupt is taken between here and VMRUN
 * even though IF is set early (IF must be 1 in the guest for physical
 * interrupts to cause exits, and an STI right before VMRUN would leak its
 * interrupt shadow into the guest on QEMU).  VMLOAD/VMSAVE switch the state
 * VMRUN leaves alone (FS/GS/TR/LDTR bases, KERNEL_GS_BASE, syscall MSRs):
 * %gs is the guest's from the first VMLOAD until the host VMLOAD.
 */
#include <asm/domain.h>

        .text
        .globl svm_vmrun
svm_vmrun:
        push    %rbp
        mov     %rsp, %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        push    %rdi                    /* regs */
        push    %rdx                    /* host VMCB */
        mov     %rsi, %rax              /* guest VMCB: VMLOAD/VMRUN/VMSAVE use %rax */

        clgi
        sti
        vmload  %rax
        mov     GREGS_RBX(%rdi), %rbx
        mov     GREGS_RCX(%rdi), %rcx
        mov     GREGS_RDX(%rdi), %rdx
        mov     GREGS_RSI(%rdi), %rsi
        mov     GREGS_RBP(%rdi), %rbp
        mov     GREGS_R8(%rdi), %r8
        mov     GREGS_R9(%rdi), %r9
        mov     GREGS_R10(%rdi), %r10
        mov     GREGS_R11(%rdi), %r11
        mov     GREGS_R12(%rdi), %r12
        mov     GREGS_R13(%rdi), %r13
        mov     GREGS_R14(%rdi), %r14
        mov     GREGS_R15(%rdi), %r15
        mov     GREGS_RDI(%rdi), %rdi
        vmrun   %rax
        .globl svm_vmrun_exit
svm_vmrun_exit:
        /* #VMEXIT: %rax and %rsp are the host's again, GIF is 0. */
        push    %rdi
        mov     16(%rsp), %rdi          /* regs */
        mov     %rbx, GREGS_RBX(%rdi)
        mov     %rcx, GREGS_RCX(%rdi)
        mov     %rdx, GREGS_RDX(%rdi)
        mov     %rsi, GREGS_RSI(%rdi)
        mov     %rbp, GREGS_RBP(%rdi)
        mov     %r8, GREGS_R8(%rdi)
        mov     %r9, GREGS_R9(%rdi)
        mov     %r10, GREGS_R10(%rdi)
        mov     %r11, GREGS_R11(%rdi)
        mov     %r12, GREGS_R12(%rdi)
        mov     %r13, GREGS_R13(%rdi)
        mov     %r14, GREGS_R14(%rdi)
        mov     %r15, GREGS_R15(%rdi)
        popq    GREGS_RDI(%rdi)
        vmsave  %rax
        pop     %rax                    /* host VMCB */
        vmload  %rax
        add     $8, %rsp                /* regs */
        stgi                            /* pending interrupts are taken here */
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret
