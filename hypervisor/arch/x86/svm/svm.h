/* Private to the SVM backend. */
#ifndef SVM_SVM_H
#define SVM_SVM_H

#include <keel/types.h>

struct vcpu;
struct vmcb;
struct hvm_ops;

struct svm_features {
    uint32_t nr_asids;
    bool nrips;             /* next RIP saved on exits */
    bool flush_by_asid;
};
extern struct svm_features svm_features;

#define CR0_ET_BIT (1u << 4)

bool svm_probe(void);
const struct hvm_ops *svm_backend(void);
void svm_exit_dispatch(struct vcpu *v, struct vmcb *vmcb);
void svm_exit_vintr(struct vcpu *v, struct vmcb *vmcb);
bool vmcb_holds_host_state(const struct vmcb *vmcb);
void svm_crash_host_state(struct vcpu *v, const struct vmcb *vmcb);

void svm_format_exit_stats(const struct vcpu *v, char *buf, size_t size);

#endif
