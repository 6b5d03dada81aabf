/*
 * Pieces shared by entry64.S and entry32.S (32-bit code, paging off).
 */
#ifndef GUEST_ENTRY_COMMON_H
#define GUEST_ENTRY_COMMON_H

#include <public/elfnote.h>

/*
 * The PVH entry note: owner "Xen", type PHYS32_ENTRY, the physical entry
 * address as a 4- or 8-byte value.  The section stays 4-aligned: QEMU's own
 * PVH loader finds the value by rounding the name size up to the PT_NOTE
 * alignment, so an 8-aligned note would be misread there.
 */
.macro PVH_ENTRY_NOTE entry, size
    .pushsection .note.Xen, "a", @note
    .balign 4
    .long 2f - 1f                   /* namesz */
    .long 4f - 3f                   /* descsz */
    .long XEN_ELFNOTE_PHYS32_ENTRY
1:  .asciz XEN_ELFNOTE_NAME
2:  .balign 4
3:  .if \size == 8
    .quad \entry
    .else
    .long \entry
    .endif
4:  .balign 4
    .popsection
.endm

/*
 * The loader must zero .bss (memsz beyond filesz).  Check it did, noting a
 * dirty .bss in bss_was_dirty (start.c reports it), then zero it anyway so
 * the guest can run.  Clobbers EAX, ECX, EDI.
 */
.macro CHECK_AND_CLEAR_BSS
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    shr $2, %ecx
    jz 2f
    xor %eax, %eax
    repe scasl
    je 1f
    movl $1, bss_was_dirty
1:  mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl
2:
.endm

#endif
