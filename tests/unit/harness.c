/* Host stand-ins for printk, panic and the direct map (see harness.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <keel/printk.h>
#include "include/harness.h"

unsigned char *host_directmap;
int console_loglevel = LOG_DEBUG;

static char logbuf[1 << 16];
static size_t loglen;

const char *harness_log(void) { return logbuf; }
void harness_log_clear(void) { loglen = 0; logbuf[0] = '\0'; }
bool harness_log_contains(const char *needle) { return strstr(logbuf, needle) != NULL; }

void vprintk_level(enum log_level lvl, const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, ap);
    if (getenv("UNIT_VERBOSE"))
        fprintf(stderr, "[printk %d] %s", (int)lvl, line);
    size_t n = strlen(line);
    if (loglen + n + 1 < sizeof(logbuf)) {
        memcpy(logbuf + loglen, line, n + 1);
        loglen += n;
    }
}

void printk_level(enum log_level lvl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk_level(lvl, fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "panic: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    abort();
}

void harness_directmap_init(size_t nr_frames)
{
    host_directmap = aligned_alloc(4096, nr_frames * 4096);
    if (!host_directmap)
        abort();
    memset(host_directmap, 0xa5, nr_frames * 4096);
}

void harness_directmap_free(void)
{
    free(host_directmap);
    host_directmap = NULL;
}
unsigned int host_cpu_id;

bool harness_panics(void (*fn)(void))
{
    int status;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(2);
        fn();
        _exit(0);
    }
    if (waitpid(pid, &status, 0) != pid)
        abort();
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}
