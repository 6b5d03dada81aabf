/*
 * long hypercall_compat_mode(const uint64_t regs[6])
 *
 * A hypercall from compatibility mode: far-return into the 32-bit code
 * segment 0x18 of the guest's GDT (lib/entry64.S), VMMCALL there, far-return
 * to 64-bit code.  regs[] = RAX, RBX, RCX, RDX, RSI, RDI, loaded whole in
 * long mode: their upper halves survive into compatibility mode (nothing
 * there writes them), so the hypervisor sees whatever garbage they hold
 * and must use the low halves only.  Interrupts must be off (they are in
 * the attack guest); the stack is below 4 GiB (identity mapped image).
 * Only in the 64-bit build.
 */
#ifdef __x86_64__

#define SEL_CODE64  0x08
#define SEL_CODE32  0x18

    .section .text
    .code64
    .globl hypercall_compat_mode
hypercall_compat_mode:
    push %rbx
    push %rbp
    mov %rsp, %rbp
    mov 0(%rdi), %rax
    mov 8(%rdi), %rbx
    mov 16(%rdi), %rcx
    mov 24(%rdi), %rdx
    mov 32(%rdi), %rsi
    mov 40(%rdi), %rdi
    pushq $SEL_CODE32
    pushq $1f                       /* the image is below 4 GiB */
    lretq

    .code32
1:  vmmcall
    pushl $SEL_CODE64
    pushl $2f
    lret

    .code64
2:  mov %rbp, %rsp                  /* RSP's upper half: whatever compat mode left */
    movslq %eax, %rax               /* EAX is the result */
    pop %rbp
    pop %rbx
    ret

#endif
    .section .note.GNU-stack, "", @progbits
