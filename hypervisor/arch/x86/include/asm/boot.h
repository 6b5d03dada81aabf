/* Constants shared by the boot assembly and C. */
#ifndef ASM_BOOT_H
#define ASM_BOOT_H

#define MB1_HEADER_MAGIC   0x1BADB002
/* Page-align modules, give memory info, use the header's address fields. */
#define MB1_HEADER_FLAGS   0x00010003
#define MB1_BOOTLOADER_MAGIC 0x2BADB002
#define MB2_HEADER_MAGIC   0xE85250D6
#define MB2_BOOTLOADER_MAGIC 0x36d76289

#define BOOT_CS 0x08
#define BOOT_DS 0x10

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_U   0x004
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_A   0x020
#define PTE_D   0x040
#define PTE_PS  0x080
#define PTE_G   0x100
#define PTE_NX  (1ULL << 63)

#define CR0_PE  (1 << 0)
#define CR0_MP  (1 << 1)
#define CR0_EM  (1 << 2)
#define CR0_TS  (1 << 3)
#define CR0_NE  (1 << 5)
#define CR0_WP  (1 << 16)
#define CR0_PG  0x80000000  /* not (1 << 31): C code uses it too */
#define CR4_PSE (1 << 4)
#define CR4_PAE (1 << 5)
#define CR4_PGE (1 << 7)
#define CR4_OSFXSR (1 << 9)

#define MSR_EFER  0xc0000080
#define EFER_SCE  (1 << 0)
#define EFER_LME  (1 << 8)
#define EFER_NXE  (1 << 11)

#define BOOT_STACK_SIZE 16384

#endif
