#ifndef ASM_SERIAL_H
#define ASM_SERIAL_H

#define COM1_BASE 0x3f8
#define COM2_BASE 0x2f8

/* Set up COM1 as the console before anything else prints. */
void serial_early_init(void);

#endif
