/*
 * 64-bit exception entry: 256 stubs that push (error code, vector) the same
 * way for every vector, a common path that saves the registers as struct
 * trap_frame (traps64.c) and calls trap_handler(frame).  Also the
 * fault-tolerant helpers whose (instruction, fixup) pairs sit in .ex_table.
 */

    .section .text
    .code64

    .balign 16
    .globl trap_stubs
trap_stubs:
    vector = 0
    .rept 256
    .balign 16
    /* The CPU pushes an error code for 8, 10-14, 17, 21, 29 and 30 only. */
    .if !(vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || \
          vector == 21 || vector == 29 || vector == 30)
    pushq $0
    .endif
    pushq $vector
    jmp trap_common
    vector = vector + 1
    .endr

trap_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    cld
    call trap_handler           /* returns only for a fixed-up fault */
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp               /* vector, error code */
    iretq

/* An instruction at label 1 that may fault; its fixup at label 2. */
#define EX_ENTRY(insn, fixup)   \
    .pushsection .ex_table, "a"; \
    .balign 8;                  \
    .quad insn, fixup;          \
    .popsection

/* int wrmsr_safe(uint32_t msr, uint64_t val) */
    .globl wrmsr_safe
wrmsr_safe:
    mov %edi, %ecx
    mov %esi, %eax
    mov %rsi, %rdx
    shr $32, %rdx
1:  wrmsr
    xor %eax, %eax
2:  ret                         /* the fixup lands here with EAX set */
    EX_ENTRY(1b, 2b)

/* int rdmsr_safe(uint32_t msr, uint64_t *val) */
    .globl rdmsr_safe
rdmsr_safe:
    mov %edi, %ecx
1:  rdmsr
    mov %eax, (%rsi)
    mov %edx, 4(%rsi)
    xor %eax, %eax
2:  ret
    EX_ENTRY(1b, 2b)

/* int write_byte_safe(volatile uint8_t *p, uint8_t v) */
    .globl write_byte_safe
write_byte_safe:
1:  mov %sil, (%rdi)
    xor %eax, %eax
2:  ret
    EX_ENTRY(1b, 2b)

    .section .note.GNU-stack, "", @progbits
