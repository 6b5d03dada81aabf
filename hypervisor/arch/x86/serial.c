/*
 * 16550 UART console (COM1 by default).  Polled output: the console is for
 * logs and must work with interrupts off and in the panic path.
 */
#include <keel/cmdline.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/printk.h>
#include <asm/io.h>
#include <asm/serial.h>

#define UART_THR 0      /* transmit holding (write) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define UART_DLL 0      /* with LCR.DLAB */
#define UART_DLM 1
#define LSR_THRE 0x20
#define LSR_DATA_READY 0x01
#define UART_RBR 0      /* receive buffer (read) */
#define LCR_DLAB 0x80

static uint16_t uart_base;

static void uart_putc(char c)
{
    unsigned int spins = 0;
    /* Bounded: a UART that never drains must not hang the hypervisor. */
    while (!(inb(uart_base + UART_LSR) & LSR_THRE) && ++spins < 100000)
        ;
    outb(uart_base + UART_THR, (uint8_t)c);
}

static int uart_getc(void)
{
    if (!(inb(uart_base + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(uart_base + UART_RBR);
}

static const struct console_device uart_console = { "serial", uart_putc, uart_getc };

/* A UART answers with what was written to its scratch register. */
static bool uart_present(uint16_t base)
{
    outb(base + UART_SCR, 0x5a);
    if (inb(base + UART_SCR) != 0x5a)
        return false;
    outb(base + UART_SCR, 0xa5);
    return inb(base + UART_SCR) == 0xa5;
}

static bool uart_setup(uint16_t base)
{
    if (!uart_present(base))
        return false;
    outb(base + UART_IER, 0x00);
    outb(base + UART_LCR, LCR_DLAB);
    outb(base + UART_DLL, 1);           /* 115200 baud */
    outb(base + UART_DLM, 0);
    outb(base + UART_LCR, 0x03);        /* 8n1 */
    outb(base + UART_FCR, 0xc7);        /* FIFO on, cleared */
    outb(base + UART_MCR, 0x0b);        /* DTR, RTS, OUT2 */
    uart_base = base;
    return true;
}

void serial_early_init(void)
{
    if (uart_setup(COM1_BASE))
        console_set_device(&uart_console);
}

/* console=com1 | com2 | none */
static int parse_console(const char *val)
{
    uint16_t base;

    if (!strcmp(val, "none")) {
        console_set_device(NULL);
        return 0;
    }
    if (!strcmp(val, "com1"))
        base = COM1_BASE;
    else if (!strcmp(val, "com2"))
        base = COM2_BASE;
    else
        return -EINVAL;
    if (base == uart_base)
        return 0;
    if (!uart_setup(base)) {
        pr_warn("console=%s: no UART found there; keeping the current console\n", val);
        return 0;
    }
    console_set_device(&uart_console);
    return 0;
}
custom_param(console, parse_console);
