/*
 * Boot entry: the Multiboot1 and Multiboot2 headers, and the 32-bit entry
 * that both loaders jump to (protected mode, paging off, EAX = magic,
 * EBX = physical address of the loader's information).  It checks for a
 * 64-bit CPU, builds temporary page tables (identity map of the low 4 GiB
 * plus the image at KERNEL_VIRT), enters long mode and calls
 * start_keel(magic, info).  C code then builds the real page tables.
 */
#include <asm/page.h>
#include <asm/boot.h>

#define PHYS(sym) ((sym) - KERNEL_VIRT)

        .section .boot.header, "a"
        .align 4
mb1_header:
        .long MB1_HEADER_MAGIC
        .long MB1_HEADER_FLAGS
        .long -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)
        /* Address fields: QEMU refuses 64-bit ELF images without them. */
        .long PHYS(mb1_header)          /* header_addr */
        .long PHYS(_start)              /* load_addr */
        .long PHYS(_edata_file)         /* load_end_addr */
        .long PHYS(_end)                /* bss_end_addr */
        .long PHYS(start32)             /* entry_addr */

        .align 8
mb2_header:
        .long MB2_HEADER_MAGIC
        .long 0                         /* architecture: i386 protected mode */
        .long mb2_header_end - mb2_header
        .long -(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
        /* Entry address tag: enter at start32, not at the ELF entry. */
        .align 8
        .word 3, 0
        .long 12
        .long PHYS(start32)
        /* End tag. */
        .align 8
        .word 0, 0
        .long 8
mb2_header_end:

        .section .boot.text, "ax"
        .code32
        .globl start32
start32:
        cli
        cld
        mov     %eax, %edi              /* magic: start_keel's 1st argument */
        mov     %ebx, %esi              /* info:  start_keel's 2nd argument */
        mov     $PHYS(boot_stack_top), %esp

        /* Long mode? */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      no_long_mode
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx               /* LM */
        jnc     no_long_mode
        xor     %ebp, %ebp              /* EFER bits to set */
        bt      $20, %edx               /* NX */
        jnc     1f
        or      $EFER_NXE, %ebp
1:      or      $EFER_LME, %ebp

        /* Zero the BSS (loaders should have; be sure).  The stack is in
         * the BSS, so keep the magic in a register, not on the stack. */
        mov     %edi, %edx
        mov     $PHYS(__bss_start), %edi
        mov     $PHYS(__bss_end), %ecx
        sub     %edi, %ecx
        shr     $2, %ecx
        xor     %eax, %eax
        rep stosl
        mov     %edx, %edi

        /* Boot page tables: identity 0..4 GiB with 2 MiB pages, and the
         * first GiB again at KERNEL_VIRT (PML4 slot 511, PDPT slot 510). */
        mov     $PHYS(boot_pd), %ebx
        xor     %ecx, %ecx
2:      mov     %ecx, %eax
        shl     $21, %eax
        or      $(PTE_P | PTE_W | PTE_PS), %eax
        mov     %eax, (%ebx, %ecx, 8)
        mov     %ecx, %eax
        shr     $11, %eax               /* bits 32+ of the address */
        mov     %eax, 4(%ebx, %ecx, 8)
        inc     %ecx
        cmp     $2048, %ecx
        jb      2b

        mov     $PHYS(boot_pdpt), %ebx
        mov     $PHYS(boot_pd) + (PTE_P | PTE_W), %eax
        mov     %eax, 0(%ebx)
        add     $4096, %eax
        mov     %eax, 8(%ebx)
        add     $4096, %eax
        mov     %eax, 16(%ebx)
        add     $4096, %eax
        mov     %eax, 24(%ebx)
        movl    $PHYS(boot_pd) + (PTE_P | PTE_W), 510*8(%ebx)

        mov     $PHYS(boot_pml4), %ebx
        movl    $PHYS(boot_pdpt) + (PTE_P | PTE_W), 0(%ebx)
        movl    $PHYS(boot_pdpt) + (PTE_P | PTE_W), 511*8(%ebx)

        mov     %cr4, %eax
        or      $CR4_PAE, %eax
        mov     %eax, %cr4
        mov     $PHYS(boot_pml4), %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      %ebp, %eax
        wrmsr
        mov     %cr0, %eax
        or      $(CR0_PG | CR0_WP | CR0_PE), %eax
        mov     %eax, %cr0

        lgdt    PHYS(boot_gdt_desc)
        ljmp    $BOOT_CS, $PHYS(start64_low)

no_long_mode:
        mov     $PHYS(msg_no_lm), %esi
        call    serial_puts32
3:      hlt
        jmp     3b

/* Print the NUL-terminated string at %esi on COM1 (polled, before setup). */
serial_puts32:
        mov     $0x3fd, %dx
4:      in      %dx, %al
        test    $0x20, %al
        jz      4b
        lodsb
        test    %al, %al
        jz      5f
        mov     $0x3f8, %dx
        out     %al, %dx
        mov     $0x3fd, %dx
        jmp     4b
5:      ret

        .code64
start64_low:
        movabs  $start64_high, %rax
        jmp     *%rax

        .text
start64_high:
        mov     $BOOT_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        movabs  $boot_stack_top, %rsp
        xor     %ebp, %ebp              /* ends stack traces */
        mov     %edi, %edi
        mov     %esi, %esi
        call    start_keel
        ud2

        .section .rodata
msg_no_lm:
        .asciz  "Keel: this CPU has no 64-bit long mode; Keel cannot run here. Halted.\r\n"

        .align 8
boot_gdt:
        .quad   0
        .quad   0x00af9a000000ffff      /* BOOT_CS: 64-bit code */
        .quad   0x00cf92000000ffff      /* BOOT_DS: data */
boot_gdt_end:
boot_gdt_desc:
        .word   boot_gdt_end - boot_gdt - 1
        .long   PHYS(boot_gdt)

        .section .bss.page_aligned, "aw", @nobits
        .align 4096
        .globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt:      .skip 4096
boot_pd:        .skip 4 * 4096
        .globl boot_stack, boot_stack_top
boot_stack:     .skip BOOT_STACK_SIZE
boot_stack_top:
