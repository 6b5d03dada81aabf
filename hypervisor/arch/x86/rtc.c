/*
 * The CMOS real-time clock, read once at boot for the guests' wallclock
 * (shared_info wc_sec/wc_nsec).  Times are UTC as the PC RTC keeps them on
 * machines Keel targets (QEMU's default).
 */
#include <keel/printk.h>
#include <keel/time.h>
#include <asm/io.h>
#include <asm/rtc.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static unsigned int from_bcd(uint8_t v, bool bcd)
{
    return bcd ? (v & 0x0f) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned int yoe = (unsigned int)(y - era * 400);
    unsigned int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

uint64_t rtc_read_seconds(void)
{
    uint8_t sec, min, hour, day, mon, year, b;

    /* Wait (bounded) for a moment with no update in progress, then read. */
    for (int i = 0; i < 100000 && (cmos_read(0x0a) & 0x80); i++)
        ;
    sec = cmos_read(0x00);
    min = cmos_read(0x02);
    hour = cmos_read(0x04);
    day = cmos_read(0x07);
    mon = cmos_read(0x08);
    year = cmos_read(0x09);
    b = cmos_read(0x0b);

    bool bcd = !(b & 0x04), h12 = !(b & 0x02);
    unsigned int h = from_bcd(hour & 0x7f, bcd);
    if (h12 && (hour & 0x80))
        h = (h % 12) + 12;
    unsigned int y = 2000 + from_bcd(year, bcd);
    unsigned int m = from_bcd(mon, bcd), dd = from_bcd(day, bcd);
    if (m < 1 || m > 12 || dd < 1 || dd > 31) {
        pr_warn("RTC: implausible date %u-%u-%u; guests get 1970 as their wallclock\n", y, m, dd);
        return 0;
    }
    return (uint64_t)days_from_civil(y, m, dd) * 86400 + h * 3600 +
           from_bcd(min, bcd) * 60 + from_bcd(sec, bcd);
}
