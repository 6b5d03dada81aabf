/*
 * The guest's i8254 counters and port 0x61 (see asm/pit.h).  A counter's
 * value is computed from the time its count was loaded, so nothing runs
 * between accesses.  Modes 0/4 count down once (then wrap), 1/5 likewise
 * after a gate edge, 2/3 reload periodically (mode 3 counts by twos);
 * BCD counting is not modelled (binary is used).
 */
#include <keel/lib.h>
#include <asm/pit.h>

#define PORT_CH0     0x40
#define PORT_CONTROL 0x43
#define PORT_61      0x61

#define RW_LATCH 0
#define RW_LSB   1
#define RW_MSB   2
#define RW_WORD  3

bool pit_handles(uint16_t port)
{
    return (port >= PORT_CH0 && port <= PORT_CONTROL) || port == PORT_61;
}

void pit_init(struct pit *p)
{
    memset(p, 0, sizeof(*p));
    spin_lock_init(&p->lock);
    for (int i = 0; i < 3; i++) {
        p->ch[i].rw = RW_WORD;
        p->ch[i].gate = i != 2;     /* counter 2's gate is port 0x61 bit 0 */
    }
}

static uint32_t period(const struct pit_channel *c)
{
    return c->reload ? c->reload : 0x10000;
}

static uint64_t ticks_since(uint64_t start_ns, uint64_t now_ns)
{
    if (now_ns <= start_ns)
        return 0;
    uint64_t ns = now_ns - start_ns;
    /* In two parts: ns * PIT_HZ would overflow after four hours. */
    return ns / 1000000000u * PIT_HZ + ns % 1000000000u * PIT_HZ / 1000000000u;
}

/* Modes in which a low gate stops counting (in 1 and 5 it only triggers). */
static bool gate_stops(const struct pit_channel *c)
{
    return c->mode != 1 && c->mode != 5;
}

static uint16_t count_now(const struct pit_channel *c, uint64_t now_ns)
{
    if (!c->counting || (!c->gate && gate_stops(c)))
        return (uint16_t)c->frozen;
    uint64_t t = ticks_since(c->start_ns, now_ns);
    uint32_t n = period(c);
    switch (c->mode) {
    case 2:
        return (uint16_t)(n - t % n);
    case 3: {
        /* Two half periods, each counting n down to 0 by twos. */
        uint64_t half = n / 2 ? n / 2 : 1;
        return (uint16_t)((n & ~1u) - 2 * (t % half));
    }
    default:                        /* 0, 1, 4, 5: once, then wrap */
        return (uint16_t)((n - t) & 0xffff);
    }
}

static bool out_now(const struct pit_channel *c, uint64_t now_ns)
{
    if (!c->counting)
        return c->mode != 0;        /* mode 0 drives OUT low once programmed */
    uint64_t t = (!c->gate && gate_stops(c)) ? 0 : ticks_since(c->start_ns, now_ns);
    uint32_t n = period(c);
    switch (c->mode) {
    case 0:
        return (!c->gate && gate_stops(c)) ? c->frozen == 0 : t >= n;
    case 1:
        return t >= n;
    case 3:
        return t % n < (n + 1) / 2;
    default:                        /* 2, 4, 5: high but for one-tick pulses */
        return true;
    }
}

static void load(struct pit_channel *c, uint32_t count, uint64_t now_ns)
{
    c->reload = count & 0xffff;
    c->counting = true;
    c->start_ns = now_ns;
    c->frozen = c->reload;
}

static void set_gate(struct pit_channel *c, bool gate, uint64_t now_ns)
{
    if (gate == c->gate)
        return;
    if (!gate) {
        c->frozen = count_now(c, now_ns);
    } else if (c->counting) {
        /* Rising edge: 1, 2, 3, 5 start over; 0 and 4 go on from where they stopped. */
        if (c->mode == 0 || c->mode == 4) {
            uint32_t left = c->frozen ? c->frozen : 0x10000;
            c->start_ns = now_ns - (uint64_t)(period(c) - MIN(left, period(c))) * 1000000000u / PIT_HZ;
        } else {
            c->start_ns = now_ns;
        }
    }
    c->gate = gate;
}

static void latch_count(struct pit_channel *c, uint64_t now_ns)
{
    if (c->latched)
        return;                     /* the first latch holds until read */
    c->latch = count_now(c, now_ns);
    c->latched = true;
    c->read_msb = false;
}

static void latch_status(struct pit_channel *c, uint64_t now_ns)
{
    if (c->status_latched)
        return;
    c->status = (uint8_t)((out_now(c, now_ns) ? 0x80 : 0) | (c->counting ? 0 : 0x40) |
                          (c->rw << 4) | (c->mode << 1));
    c->status_latched = true;
}

static void control(struct pit *p, uint8_t val, uint64_t now_ns)
{
    unsigned int sel = val >> 6, rw = (val >> 4) & 3;

    if (sel == 3) {                 /* read-back: bits 5/4 low = latch count/status */
        for (int i = 0; i < 3; i++) {
            if (!(val & (2u << i)))
                continue;
            if (!(val & 0x20))
                latch_count(&p->ch[i], now_ns);
            if (!(val & 0x10))
                latch_status(&p->ch[i], now_ns);
        }
        return;
    }
    struct pit_channel *c = &p->ch[sel];
    if (rw == RW_LATCH) {
        latch_count(c, now_ns);
        return;
    }
    c->rw = (uint8_t)rw;
    c->mode = (val >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4;               /* 6 and 7 are 2 and 3 */
    c->counting = false;
    c->latched = c->status_latched = false;
    c->read_msb = c->write_msb = false;
}

static uint8_t read_counter(struct pit_channel *c, uint64_t now_ns)
{
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v = c->latched ? c->latch : count_now(c, now_ns);
    uint8_t b;
    switch (c->rw) {
    case RW_LSB:
        b = (uint8_t)v;
        c->latched = false;
        break;
    case RW_MSB:
        b = (uint8_t)(v >> 8);
        c->latched = false;
        break;
    default:
        b = c->read_msb ? (uint8_t)(v >> 8) : (uint8_t)v;
        if (c->read_msb)
            c->latched = false;
        c->read_msb = !c->read_msb;
        break;
    }
    return b;
}

static void write_counter(struct pit_channel *c, uint8_t val, uint64_t now_ns)
{
    switch (c->rw) {
    case RW_LSB:
        load(c, val, now_ns);
        break;
    case RW_MSB:
        load(c, (uint32_t)val << 8, now_ns);
        break;
    default:
        if (!c->write_msb) {
            c->write_lsb = val;
            c->write_msb = true;
        } else {
            load(c, c->write_lsb | ((uint32_t)val << 8), now_ns);
            c->write_msb = false;
        }
        break;
    }
}

uint8_t pit_read(struct pit *p, uint16_t port, uint64_t now_ns)
{
    unsigned long flags;
    uint8_t v;

    spin_lock_irqsave(&p->lock, flags);
    if (port == PORT_61) {
        /* Bit 4 toggles with DRAM refresh (every 15 us); bit 5 is OUT2. */
        v = (uint8_t)((p->port61 & 0x0f) | (((now_ns / 15085) & 1) << 4) |
                      (out_now(&p->ch[2], now_ns) ? 0x20 : 0));
    } else if (port == PORT_CONTROL) {
        v = 0xff;                   /* write-only */
    } else {
        v = read_counter(&p->ch[port - PORT_CH0], now_ns);
    }
    spin_unlock_irqrestore(&p->lock, flags);
    return v;
}

void pit_write(struct pit *p, uint16_t port, uint8_t val, uint64_t now_ns)
{
    unsigned long flags;

    spin_lock_irqsave(&p->lock, flags);
    if (port == PORT_61) {
        p->port61 = val & 0x0f;
        set_gate(&p->ch[2], val & 1, now_ns);
    } else if (port == PORT_CONTROL) {
        control(p, val, now_ns);
    } else {
        write_counter(&p->ch[port - PORT_CH0], val, now_ns);
    }
    spin_unlock_irqrestore(&p->lock, flags);
}
