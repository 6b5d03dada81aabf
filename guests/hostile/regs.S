/*
 * unsigned int hypercall_clobbers(unsigned long nr, unsigned long a1)
 *
 * Makes hypercall nr(a1, 0, 0, 0, 0) with VMMCALL, every register that is
 * not an argument register or RAX holding a known value, and returns a
 * mask of the ones that came back changed: bit 0 RBX, 1 RCX, 2 RBP, 3 R9,
 * 4 R11, 5 R12, 6 R13, 7 R14, 8 R15.  Linux's hypercall wrappers let the
 * hypervisor clobber only RAX, RDI, RSI, RDX, R10 and R8.
 */
    .section .text
    .code64
    .globl hypercall_clobbers
hypercall_clobbers:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rdi, %rax
    mov %rsi, %rdi
    xor %esi, %esi
    xor %edx, %edx
    xor %r10d, %r10d
    xor %r8d, %r8d
    movabs $0x1111111111111111, %rbx
    movabs $0x2222222222222222, %rcx
    movabs $0x3333333333333333, %rbp
    movabs $0x4444444444444444, %r9
    movabs $0x5555555555555555, %r11
    movabs $0x6666666666666666, %r12
    movabs $0x7777777777777777, %r13
    movabs $0x8888888888888888, %r14
    movabs $0x9999999999999999, %r15
    vmmcall
    xor %eax, %eax

    .macro EXPECT reg, value, bit
    movabs $\value, %rdx
    cmp %rdx, \reg
    je 1f
    or $(1 << \bit), %eax
1:
    .endm

    EXPECT %rbx, 0x1111111111111111, 0
    EXPECT %rcx, 0x2222222222222222, 1
    EXPECT %rbp, 0x3333333333333333, 2
    EXPECT %r9,  0x4444444444444444, 3
    EXPECT %r11, 0x5555555555555555, 4
    EXPECT %r12, 0x6666666666666666, 5
    EXPECT %r13, 0x7777777777777777, 6
    EXPECT %r14, 0x8888888888888888, 7
    EXPECT %r15, 0x9999999999999999, 8

    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

    .section .note.GNU-stack, "", @progbits
