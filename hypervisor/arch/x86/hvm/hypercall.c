/*
 * From a VMMCALL to hypercall_dispatch(): read the arguments with the
 * register convention of the caller's mode (64-bit: rdi rsi rdx r10 r8;
 * 32-bit: ebx ecx edx esi edi), write back the result or, for a
 * continuation, the updated arguments.  Calls from user mode (CPL > 0) get
 * -EPERM, as on Xen.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <asm/hvm.h>

bool hvm_hypercall(struct vcpu *v)
{
    struct guest_regs *r = &v->arch.regs;
    struct hypercall_args args;
    long ret;

    if (hvm->get_cpl(v) != 0) {
        r->rax = (uint64_t)-EPERM;
        return false;
    }
    args.compat = !hvm->in_64bit_mode(v);
    if (args.compat) {
        args.nr = (uint32_t)r->rax;
        args.a[0] = (uint32_t)r->rbx;
        args.a[1] = (uint32_t)r->rcx;
        args.a[2] = (uint32_t)r->rdx;
        args.a[3] = (uint32_t)r->rsi;
        args.a[4] = (uint32_t)r->rdi;
    } else {
        args.nr = r->rax;
        args.a[0] = r->rdi;
        args.a[1] = r->rsi;
        args.a[2] = r->rdx;
        args.a[3] = r->r10;
        args.a[4] = r->r8;
    }

    ret = hypercall_dispatch(&args);

    if (ret == HYPERCALL_RESTART) {
        if (args.compat) {
            r->rbx = (uint32_t)args.a[0];
            r->rcx = (uint32_t)args.a[1];
            r->rdx = (uint32_t)args.a[2];
            r->rsi = (uint32_t)args.a[3];
            r->rdi = (uint32_t)args.a[4];
        } else {
            r->rdi = args.a[0];
            r->rsi = args.a[1];
            r->rdx = args.a[2];
            r->r10 = args.a[3];
            r->r8 = args.a[4];
        }
        return true;
    }
    r->rax = args.compat ? (uint32_t)ret : (uint64_t)ret;
    return false;
}
