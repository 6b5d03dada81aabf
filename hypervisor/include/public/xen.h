/*
 * Keel's description of the Xen guest ABI: hypercall numbers, reserved
 * domain ids, the console_io sub-ops, VIRQ numbers and the CPUID leaves a
 * guest uses to find the hypervisor.  The numbers are Xen's (Xen 4.17);
 * the text is Keel's own.  See README.md in this directory for the rules:
 * nothing here may change value or layout.
 *
 * Layout convention for every public header in this directory:
 *   struct foo         the layout a 64-bit guest uses (Xen's x86_64 ABI),
 *                      identical whether this header is built -m64 or -m32;
 *   struct compat_foo  the layout a 32-bit guest uses (Xen's x86_32
 *                      "compat" ABI), identical in both builds too;
 * defined only where the two differ (a guest handle, an unsigned long or
 * a uint64_t that i386 aligns to 4).  The hypervisor picks one by the
 * caller's mode; a guest picks the one for the mode it runs in.
 */
#ifndef KEEL_PUBLIC_XEN_H
#define KEEL_PUBLIC_XEN_H

#include <stdint.h>

/* ---- Scalar types --------------------------------------------------------
 *
 * In the 64-bit ABI, a guest handle (a pointer into the guest's own virtual
 * address space), an unsigned long and a frame number are all 8 bytes,
 * 8-aligned; in the compat ABI they are 4 bytes and a uint64_t is 4-aligned.
 * The aligned() typedefs make each layout come out the same however the
 * header is compiled.
 */
typedef uint64_t uint64_aligned_t __attribute__((aligned(8)));
typedef int64_t int64_aligned_t __attribute__((aligned(8)));
typedef uint64_t uint64_compat_t __attribute__((aligned(4)));

typedef uint64_aligned_t xen_guest_handle_t;    /* guest-virtual address */
typedef uint64_aligned_t xen_ulong_t;           /* unsigned long, 64-bit ABI */
typedef uint64_aligned_t xen_pfn_t;             /* frame number, 64-bit ABI */
typedef uint32_t compat_guest_handle_t;
typedef uint32_t compat_ulong_t;
typedef uint32_t compat_pfn_t;

typedef uint16_t domid_t;
typedef uint32_t evtchn_port_t;

/* A domain's 16-byte handle (the toolstack puts its UUID there). */
typedef uint8_t xen_domain_handle_t[16];

/* ---- Hypercall numbers (RAX / EAX) ---------------------------------------
 *
 * Gaps are numbers Xen never assigned (11) or retired; they, and anything
 * Keel does not implement, answer -ENOSYS.
 */
#define __HYPERVISOR_set_trap_table                 0
#define __HYPERVISOR_mmu_update                     1
#define __HYPERVISOR_set_gdt                        2
#define __HYPERVISOR_stack_switch                   3
#define __HYPERVISOR_set_callbacks                  4
#define __HYPERVISOR_fpu_taskswitch                 5
#define __HYPERVISOR_sched_op_compat                6   /* pre-3.0.2 sched_op */
#define __HYPERVISOR_platform_op                    7
#define __HYPERVISOR_set_debugreg                   8
#define __HYPERVISOR_get_debugreg                   9
#define __HYPERVISOR_update_descriptor             10
#define __HYPERVISOR_memory_op                     12
#define __HYPERVISOR_multicall                     13
#define __HYPERVISOR_update_va_mapping             14
#define __HYPERVISOR_set_timer_op                  15
#define __HYPERVISOR_event_channel_op_compat       16   /* pre-3.0.2 */
#define __HYPERVISOR_xen_version                   17
#define __HYPERVISOR_console_io                    18
#define __HYPERVISOR_physdev_op_compat             19   /* pre-3.0.2 */
#define __HYPERVISOR_grant_table_op                20
#define __HYPERVISOR_vm_assist                     21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                          23   /* x86 PV only */
#define __HYPERVISOR_vcpu_op                       24
#define __HYPERVISOR_set_segment_base              25   /* x86-64 PV only */
#define __HYPERVISOR_mmuext_op                     26
#define __HYPERVISOR_xsm_op                        27
#define __HYPERVISOR_nmi_op                        28
#define __HYPERVISOR_sched_op                      29
#define __HYPERVISOR_callback_op                   30
#define __HYPERVISOR_xenoprof_op                   31
#define __HYPERVISOR_event_channel_op              32
#define __HYPERVISOR_physdev_op                    33
#define __HYPERVISOR_hvm_op                        34
#define __HYPERVISOR_sysctl                        35
#define __HYPERVISOR_domctl                        36
#define __HYPERVISOR_kexec_op                      37
#define __HYPERVISOR_tmem_op                       38
#define __HYPERVISOR_argo_op                       39
#define __HYPERVISOR_xenpmu_op                     40
#define __HYPERVISOR_dm_op                         41
#define __HYPERVISOR_hypfs_op                      42
/* Eight numbers reserved for the architecture; x86 uses arch_0 for MCA. */
#define __HYPERVISOR_arch_0                        48
#define __HYPERVISOR_arch_1                        49
#define __HYPERVISOR_arch_2                        50
#define __HYPERVISOR_arch_3                        51
#define __HYPERVISOR_arch_4                        52
#define __HYPERVISOR_arch_5                        53
#define __HYPERVISOR_arch_6                        54
#define __HYPERVISOR_arch_7                        55
#define __HYPERVISOR_mca                           __HYPERVISOR_arch_0

/* Size of the hypercall-number space a hypercall page covers. */
#define XEN_HYPERCALL_PAGE_STUBS                  128
#define XEN_HYPERCALL_STUB_SIZE                    32   /* page + nr * 32 */

/* ---- console_io (hypercall 18): (cmd, count, buffer) ---------------------
 * write: count bytes at buffer go to the hypervisor console; 0 on success.
 * read:  up to count bytes of console input into buffer; returns the
 *        number read.  Control domain only.
 */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* ---- Domain ids ----------------------------------------------------------
 * Ids from DOMID_FIRST_RESERVED up name something other than a real domain.
 * (Spelled exactly as keel/domain.h spells the two it also defines, so both
 * headers can be included together.)
 */
#define DOMID_FIRST_RESERVED 0x7ff0
#define DOMID_SELF           0x7ff0     /* the calling domain */
#define DOMID_IO             0x7ff1     /* owner of I/O memory */
#define DOMID_XEN            0x7ff2     /* the hypervisor itself */
#define DOMID_COW            0x7ff3     /* owner of copy-on-write pages */
#define DOMID_INVALID        0x7ff4     /* no domain */
#define DOMID_IDLE           0x7fff     /* the idle domain */
#define DOMID_MASK           0x7fff

/* ---- Virtual IRQs (bound with EVTCHNOP_bind_virq) ------------------------
 * Per-vCPU ones are bound on each vCPU; global ones once, by dom0.
 */
#define VIRQ_TIMER       0   /* per vCPU: the one-shot/periodic timer */
#define VIRQ_DEBUG       1   /* per vCPU: dump debug state */
#define VIRQ_CONSOLE     2   /* global, dom0: console input arrived */
#define VIRQ_DOM_EXC     3   /* global, dom0: a domain shut down/crashed */
#define VIRQ_TBUF        4   /* global, dom0: trace buffer records */
#define VIRQ_DEBUGGER    6   /* global, dom0: a domain paused for debug */
#define VIRQ_XENOPROF    7   /* per vCPU */
#define VIRQ_CON_RING    8   /* global, dom0: console ring has bytes */
#define VIRQ_PCPU_STATE  9   /* global, dom0 */
#define VIRQ_MEM_EVENT  10   /* global, dom0 */
#define VIRQ_ARGO       11   /* global */
#define VIRQ_ENOMEM     12   /* global, dom0: hypervisor heap low */
#define VIRQ_XENPMU     13   /* per vCPU */
#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

/* ---- CPUID: the hypervisor leaves ----------------------------------------
 * A guest scans bases 0x40000000, 0x40000100, ... 0x4000ff00 for the
 * signature; leaf numbers below are offsets from the base it found.
 */
#define XEN_CPUID_LEAF_BASE         0x40000000u
#define XEN_CPUID_LEAF_BASE_STEP    0x100u
#define XEN_CPUID_LEAF_BASE_LAST    0x4000ff00u
#define XEN_CPUID_LEAF(base, idx)   ((base) + (idx))

/* base+0: EAX = highest leaf (base + XEN_CPUID_MAX_NUM_LEAVES), EBX:ECX:EDX
 * = "XenVMMXenVMM" as little-endian dwords. */
#define XEN_CPUID_LEAF_SIGNATURE    0
#define XEN_CPUID_SIGNATURE_EBX     0x566e6558u     /* "XenV" */
#define XEN_CPUID_SIGNATURE_ECX     0x65584d4du     /* "MMXe" */
#define XEN_CPUID_SIGNATURE_EDX     0x4d4d566eu     /* "nVMM" */
#define XEN_CPUID_MAX_NUM_LEAVES    5

/* base+1: EAX = major << 16 | minor.  EBX..EDX zero. */
#define XEN_CPUID_LEAF_VERSION      1
#define XEN_CPUID_VERSION(major, minor) (((uint32_t)(major) << 16) | (minor))

/* base+2: EAX = number of hypercall pages (always 1), EBX = the MSR a guest
 * writes the page's guest-physical address to, ECX = feature bits. */
#define XEN_CPUID_LEAF_HYPERCALL    2
#define XEN_CPUID_HYPERCALL_PAGES   1
#define XEN_MSR_HYPERCALL_PAGE      0x40000000u     /* non-Viridian domains */
#define XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD (1u << 0)    /* PV only */
/* The MSR value: bits 63:12 the page's GFN, bits 11:0 the page index (0). */
#define XEN_MSR_HYPERCALL_INDEX_MASK 0xfffu

/* base+3: time.  Sub-leaf 0: EAX bit 0 TSC emulated, bit 1 host TSC
 * reliable, bit 2 RDTSCP available; EBX tsc_mode; ECX guest TSC kHz; EDX
 * incarnation.  Sub-leaf 1: EAX/EBX TSC offset low/high, ECX mul_frac,
 * EDX shift.  Sub-leaf 2: EAX host TSC kHz. */
#define XEN_CPUID_LEAF_TIME         3
#define XEN_CPUID_TSC_EMULATED      (1u << 0)
#define XEN_CPUID_HOST_TSC_RELIABLE (1u << 1)
#define XEN_CPUID_RDTSCP_INSTR      (1u << 2)

/* base+4: HVM features (sub-leaf 0): EAX bits below; EBX = vCPU id when
 * VCPU_ID_PRESENT; ECX = domain id when DOMID_PRESENT. */
#define XEN_CPUID_LEAF_HVM          4
#define XEN_HVM_CPUID_APIC_ACCESS_VIRT (1u << 0)   /* APIC registers virtualised */
#define XEN_HVM_CPUID_X2APIC_VIRT      (1u << 1)   /* x2APIC accesses virtualised */
#define XEN_HVM_CPUID_IOMMU_MAPPINGS   (1u << 2)   /* foreign maps are in the IOMMU */
#define XEN_HVM_CPUID_VCPU_ID_PRESENT  (1u << 3)   /* EBX holds the vCPU id */
#define XEN_HVM_CPUID_DOMID_PRESENT    (1u << 4)   /* ECX holds the domain id */
#define XEN_HVM_CPUID_EXT_DEST_ID      (1u << 5)   /* 15-bit MSI/IO-APIC dest ids */
#define XEN_HVM_CPUID_UPCALL_VECTOR    (1u << 6)   /* per-vCPU upcall vectors */

/* base+5: PV parameters: EAX = highest sub-leaf; EBX bits 7:0 = machine
 * address width. */
#define XEN_CPUID_LEAF_PV           5
#define XEN_CPUID_MACHINE_ADDRESS_WIDTH_MASK 0xffu

/* ---- Layout checks ------------------------------------------------------- */
_Static_assert(sizeof(xen_guest_handle_t) == 8 && _Alignof(xen_guest_handle_t) == 8,
               "64-bit guest handle");
_Static_assert(sizeof(xen_ulong_t) == 8 && _Alignof(xen_ulong_t) == 8,
               "64-bit unsigned long");
_Static_assert(sizeof(uint64_compat_t) == 8 && _Alignof(uint64_compat_t) == 4,
               "compat uint64_t");
_Static_assert(sizeof(xen_domain_handle_t) == 16, "domain handle");
_Static_assert(sizeof(domid_t) == 2, "domid_t");

#endif
