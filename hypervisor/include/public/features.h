/*
 * Feature bits a guest reads with XENVER_get_features (public/version.h).
 * Submap 0 holds bits 0..31; there is only one submap.  Numbers are
 * Xen 4.17's; see README.md.
 */
#ifndef KEEL_PUBLIC_FEATURES_H
#define KEEL_PUBLIC_FEATURES_H

#define XENFEAT_writable_page_tables        0   /* PT updates by direct write */
#define XENFEAT_writable_descriptor_tables  1   /* GDT/LDT by direct write (PV) */
#define XENFEAT_auto_translated_physmap     2   /* hypervisor does GFN->MFN */
#define XENFEAT_supervisor_mode_kernel      3   /* guest kernel in ring 0 (PV) */
#define XENFEAT_pae_pgdir_above_4gb         4   /* PAE PDs may live above 4 GiB */
#define XENFEAT_mmu_pt_update_preserve_ad   5   /* x86 PV */
#define XENFEAT_highmem_assist              6   /* x86 PV: MMUEXT clear/copy page */
#define XENFEAT_gnttab_map_avail_bits       7   /* PV: map flags into PTE avail bits */
#define XENFEAT_hvm_callback_vector         8   /* HVM: upcall through an IDT vector */
#define XENFEAT_hvm_safe_pvclock            9   /* HVM: pvclock is safe to use */
#define XENFEAT_hvm_pirqs                  10   /* HVM: PIRQs (never for PVH) */
#define XENFEAT_dom0                       11   /* the domain may act as dom0 */
/* 12 was grant_map_identity, withdrawn. */
#define XENFEAT_memory_op_vnode_supported  13   /* XENMEMF_vnode accepted */
#define XENFEAT_ARM_SMCCC_supported        14   /* Arm only */
#define XENFEAT_linux_rsdp_unrestricted    15   /* PVH: RSDP may be above 1 MiB */
#define XENFEAT_not_direct_mapped          16   /* GFN != MFN */
#define XENFEAT_direct_mapped              17   /* GFN == MFN */

#define XENFEAT_NR_SUBMAPS 1

#endif
