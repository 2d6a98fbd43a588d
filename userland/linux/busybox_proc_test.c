/*
 * Debian's busybox reading /proc: runs ps, top -bn1, free, uptime, df, mount, pidof and ls /proc (fork, the output
 * to a file in /tmp, execve /bin/busybox, wait4) and checks what each printed: its own pid among ps's and top's
 * processes, free's memory total, uptime's load averages, /proc in mount's list, its pid from pidof... Static
 * without a C library, like proc_test; the same binary passes on Linux with busybox installed. One line per check;
 * exits with the number of the first that failed, 0 when all held.
 */
#define CHECK_PREFIX "busybox"
#include "freestanding.h"

#define SYS_read 0
#define SYS_open 2
#define SYS_close 3
#define SYS_dup2 33
#define SYS_getpid 39
#define SYS_fork 57
#define SYS_execve 59
#define SYS_wait4 61
#define SYS_unlink 87
#define SYS_exit_group 231

#define O_RDONLY 0
#define O_WRONLY 1
#define O_CREAT 0x40
#define O_TRUNC 0x200

static char output[65536];
static char path[64];
static char **environment;

/* Runs busybox with 'arguments' (argv[0] "busybox" included), its standard output in 'output'; its wait status, or -1. */
static int run(char **arguments)
{
    i64 child = system_call3(SYS_fork, 0, 0, 0);
    if (child < 0)
        return -1;
    if (child == 0)
    {
        i64 fd = system_call3(SYS_open, (i64)path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || system_call3(SYS_dup2, fd, 1, 0) < 0)
            system_call3(SYS_exit_group, 126, 0, 0);
        system_call3(SYS_close, fd, 0, 0);
        system_call3(SYS_execve, (i64)"/bin/busybox", (i64)arguments, (i64)environment);
        system_call3(SYS_exit_group, 127, 0, 0);
    }
    int status = -1;
    if (system_call4(SYS_wait4, child, (i64)&status, 0, 0) != child)
        return -1;
    i64 fd = system_call3(SYS_open, (i64)path, O_RDONLY, 0);
    u64 total = 0;
    if (fd >= 0)
    {
        for (;;)
        {
            i64 got = system_call3(SYS_read, fd, (i64)(output + total), (i64)(sizeof output - 1 - total));
            if (got <= 0)
                break;
            total += (u64)got;
        }
        system_call3(SYS_close, fd, 0, 0);
    }
    output[total] = 0;
    put(output);
    return status;
}

/* The line of 'text' whose first word (after spaces) is 'word', or 0. */
static const char *line_starting_with_word(const char *text, const char *word)
{
    const char *line = text;
    while (*line)
    {
        const char *p = line;
        while (*p == ' ')
            p++;
        u64 n = length_of(word);
        if (starts_with(p, word) && (p[n] == ' ' || p[n] == '\n' || p[n] == '\t'))
            return line;
        line = next_line(line);
    }
    return 0;
}

/* Whether the line at 'line' contains 'text' before its end. */
static int line_has(const char *line, const char *text)
{
    for (; line && *line && *line != '\n'; line++)
        if (starts_with(line, text))
            return 1;
    return 0;
}

static int has(const char *text, const char *part)
{
    for (; *text; text++)
        if (starts_with(text, part))
            return 1;
    return 0;
}

static u64 number_after(const char *text)
{
    while (*text == ' ')
        text++;
    u64 value = 0;
    while (*text >= '0' && *text <= '9')
        value = value * 10 + (u64)(*text++ - '0');
    return value;
}

__attribute__((used)) void start_c(u64 *stack)
{
    u64 argc = stack[0];
    environment = (char **)(stack + 1 + argc + 1);
    u64 pid = (u64)system_call3(SYS_getpid, 0, 0, 0);
    char pid_text[24];
    format_number(pid_text, pid);
    const char *prefix = "/tmp/busybox_proc_test.";
    int n = 0;
    while (prefix[n]) { path[n] = prefix[n]; n++; }
    for (int i = 0; pid_text[i]; i++) path[n++] = pid_text[i];
    path[n] = 0;

    char *ps[] = { "busybox", "ps", 0 };
    check("ps runs", run(ps) == 0);
    check("ps lists me by pid and name", line_has(line_starting_with_word(output, pid_text), "busybox_proc_test"));
    check("ps lists itself (busybox ps)", has(output, "busybox ps") || has(output, " ps\n"));

    char *top[] = { "busybox", "top", "-bn1", 0 };
    check("top -bn1 runs", run(top) == 0);
    check("top shows Mem:, CPU:, Load average: and me", starts_with(output, "Mem: ") && has(output, "\nCPU:")
          && has(output, "\nLoad average: ") && line_starting_with_word(output, pid_text) != 0);

    char *free[] = { "busybox", "free", 0 };
    check("free runs", run(free) == 0);
    {
        const char *mem = line_starting_with_word(output, "Mem:");
        while (mem && *mem == ' ') mem++;
        u64 total = mem ? number_after(mem + 4) : 0;
        check("free: Mem: total above 0", total > 0);
    }

    char *uptime[] = { "busybox", "uptime", 0 };
    check("uptime runs", run(uptime) == 0);
    check("uptime says up and the load average", has(output, " up ") && has(output, "load average: "));

    char *df[] = { "busybox", "df", 0 };
    check("df runs", run(df) == 0);
    check("df has its header", starts_with(output, "Filesystem"));

    char *mount[] = { "busybox", "mount", 0 };
    check("mount runs", run(mount) == 0);
    check("mount lists proc on /proc", has(output, "proc on /proc type proc"));

    char *pidof[] = { "busybox", "pidof", "busybox_proc_test", 0 };
    check("pidof runs", run(pidof) == 0);
    check("pidof finds my pid", line_starting_with_word(output, pid_text) != 0);

    char *ls[] = { "busybox", "ls", "/proc", 0 };
    check("ls /proc runs", run(ls) == 0);
    check("ls /proc lists my pid, self and meminfo", line_starting_with_word(output, pid_text) != 0 && has(output, "\nself\n")
          && has(output, "\nmeminfo\n"));

    system_call3(SYS_unlink, (i64)path, 0, 0);
    put("busybox: done\n");
    system_call3(SYS_exit_group, failed, 0, 0);
    for (;;) { }
}
