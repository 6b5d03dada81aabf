/*
 * unsigned int hypercall_clobbers32(unsigned long nr, unsigned long a1)
 *
 * Makes hypercall nr(a1, 0, 0, 0, 0) with VMMCALL from 32-bit mode, with
 * EBP holding a known value, and returns 1 if EBP came back changed.  (The
 * 32-bit convention uses every other general register for the number and
 * the arguments.)
 */
    .section .text
    .code32
    .globl hypercall_clobbers32
hypercall_clobbers32:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov 20(%esp), %eax
    mov 24(%esp), %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %edi, %edi
    mov $0x13572468, %ebp
    vmmcall
    xor %eax, %eax
    cmp $0x13572468, %ebp
    je 1f
    mov $1, %eax
1:  pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

    .section .note.GNU-stack, "", @progbits
