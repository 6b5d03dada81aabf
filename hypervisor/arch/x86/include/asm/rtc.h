#ifndef ASM_RTC_H
#define ASM_RTC_H
#include <keel/types.h>
/* Seconds since 1970-01-01 UTC from the CMOS clock (0 if it reads nonsense). */
uint64_t rtc_read_seconds(void);
#endif
