/*
 * The attack guest: one binary, several modes (guests/attack/main.c), each
 * trying to crash, hang, corrupt or leak the hypervisor or another domain
 * from inside a guest.  The same sources build a 64-bit guest (attack) and
 * a 32-bit one (attack32, random mode only).
 */
#ifndef ATTACK_H
#define ATTACK_H

#include "guest.h"

/* ---- Memory the modes share (main.c) -------------------------------------
 *
 * The guest itself only ever touches its image (below SPARE_START).  RAM
 * from SPARE_START up to the top is "spare": hypercalls may balloon it out,
 * populate it again, map shared_info or grant frames over it, write
 * vcpu_info and runstate areas into it; the guest never reads or writes it
 * directly, so whatever happens there cannot hurt it.
 */
#define SPARE_START    0x400000ul           /* 4 MiB */

struct attack_env {
    uint32_t domid;                 /* our own */
    uint64_t ram_top;               /* end of RAM (below 4 GiB) */
    uint64_t hole;                  /* a guest-physical page outside the memory map */
    uint16_t peers[8];              /* other domains' IDs (peers=a,b,c) */
    unsigned int nr_peers;
    struct vcpu_time_info *clock;   /* a copy taken at start (pvclock_now works on it) */
};
extern struct attack_env env;

/* System time (ns), from the pvclock copy taken at start. */
uint64_t attack_now(void);
/* "key=a,b,c" as numbers into out (at most max); how many. */
unsigned int cmdline_list(const char *key, uint16_t *out, unsigned int max);

/* ---- Modes ------------------------------------------------------------------ */
void attack_random(void);           /* random.c, both word sizes */
#ifdef __x86_64__
void attack_targeted(void);         /* targeted.c */
void attack_storm(void);            /* storm.c */
void attack_spin(bool irqs_on);     /* spin.c */
void attack_referee(void);          /* spin.c */
void attack_p2m(void);              /* p2m.c */
void attack_granter(void);          /* grants.c */
void attack_copier(void);           /* grants.c */

/*
 * A hypercall made from compatibility mode (a 32-bit code segment of this
 * long-mode guest): regs[] are RAX (number), RBX, RCX, RDX, RSI, RDI with
 * whatever their upper halves hold; the result is EAX, sign-extended.
 */
long hypercall_compat_mode(const uint64_t regs[6]);
#endif

#endif
