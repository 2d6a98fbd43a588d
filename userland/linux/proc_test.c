/*
 * A Linux x86-64 program, static without a C library (like linux_start_test), that reads /proc as ps, top, free, df
 * and programs that look at /proc/self do, and checks what it reads: its own pid in /proc/self/stat with 52 fields,
 * its name and pid in status, a [stack] line in maps that holds its stack, MemTotal above 0 in meminfo, an uptime
 * with two decimals, its pid and "self" in a listing of /proc, its descriptors in /proc/self/fd, its command line,
 * its exe, a text read in small pieces and at offsets equal to the text read at once, and the refusals of a
 * read-only file system. One line per check; exits with 0 when every check held, else with the number of the first
 * that failed. Run with the arguments "one two" (the kernel's linux suite does).
 */
#define CHECK_PREFIX "proc"
#include "freestanding.h"

#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_lseek 8
#define SYS_pread64 17
#define SYS_getpid 39
#define SYS_getppid 110
#define SYS_getpgid 121
#define SYS_getsid 124
#define SYS_mkdir 83
#define SYS_unlink 87
#define SYS_readlink 89
#define SYS_getdents64 217
#define SYS_exit_group 231

#define O_RDONLY 0
#define O_WRONLY 1
#define O_CREAT 0x40
#define O_DIRECTORY 0x10000
#define ENOENT 2
#define EACCES 13
#define EINVAL 22

/* The line of 'text' that starts with 'prefix', or 0. */
static const char *find_line(const char *text, const char *prefix)
{
    const char *line = text;
    while (*line)
    {
        if (starts_with(line, prefix))
            return line;
        line = next_line(line);
    }
    return 0;
}

static u64 parse_number(const char **cursor)
{
    const char *p = *cursor;
    while (*p == ' ' || *p == '\t')
        p++;
    u64 value = 0;
    while (*p >= '0' && *p <= '9')
        value = value * 10 + (u64)(*p++ - '0');
    *cursor = p;
    return value;
}

static u64 parse_hex(const char **cursor)
{
    const char *p = *cursor;
    u64 value = 0;
    for (;; p++)
    {
        char c = *p;
        if (c >= '0' && c <= '9') value = value * 16 + (u64)(c - '0');
        else if (c >= 'a' && c <= 'f') value = value * 16 + (u64)(c - 'a' + 10);
        else break;
    }
    *cursor = p;
    return value;
}

static char buffer[65536];
static char second[65536];

/* Reads a whole file into 'into' (zero-terminated); its length, or a negative error. */
static i64 read_file(const char *path, char *into, u64 capacity)
{
    i64 fd = system_call3(SYS_open, (i64)path, O_RDONLY, 0);
    if (fd < 0)
        return fd;
    u64 total = 0;
    for (;;)
    {
        i64 got = system_call3(SYS_read, fd, (i64)(into + total), (i64)(capacity - 1 - total));
        if (got < 0) { system_call3(SYS_close, fd, 0, 0); return got; }
        if (got == 0) break;
        total += (u64)got;
    }
    into[total] = 0;
    system_call3(SYS_close, fd, 0, 0);
    return (i64)total;
}

/* Whether a directory listing (getdents64) of 'path' has the entry 'name'. */
static int listing_has(const char *path, const char *name)
{
    static char records[8192];
    i64 fd = system_call3(SYS_open, (i64)path, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return 0;
    int found = 0;
    for (;;)
    {
        i64 got = system_call3(SYS_getdents64, fd, (i64)records, 200);   /* small reads: the cursor must carry on */
        if (got <= 0)
            break;
        for (i64 at = 0; at < got;)
        {
            unsigned short length = *(unsigned short *)(records + at + 16);
            if (equal(records + at + 19, name))
                found = 1;
            at += length;
        }
    }
    system_call3(SYS_close, fd, 0, 0);
    return found;
}

__attribute__((used)) void start_c(u64 *stack)
{
    u64 argc = stack[0];
    char **argv = (char **)(stack + 1);
    u64 pid = (u64)system_call3(SYS_getpid, 0, 0, 0);
    char pid_text[24];
    int pid_length = format_number(pid_text, pid);
    int local_on_stack = 0;

    /* stat: "pid (comm) state ...", 52 fields. */
    i64 length = read_file("/proc/self/stat", buffer, sizeof buffer);
    check("/proc/self/stat reads", length > 0);
    const char *p = buffer;
    check("stat starts with my pid", parse_number(&p) == pid && *p == ' ');
    check("stat names me (proc_test)", starts_with(p, " (proc_test) "));
    int fields = 1;
    for (const char *q = buffer; *q && *q != '\n'; q++)
        if (*q == ' ')
            fields++;
    check("stat has 52 fields", fields == 52);
    const char *after_name = p + length_of(" (proc_test) ");
    check("stat says I am running", *after_name == 'R');
    {
        const char *field = after_name + 1;
        for (int i = 4; i < 20; i++)   /* to num_threads, field 20 */
        {
            field++;
            while (*field && *field != ' ')
                field++;
        }
        const char *n = field;
        check("stat: num_threads is 1", parse_number(&n) == 1);
        const char *q = after_name + 1;
        u64 ppid = parse_number(&q), pgrp = parse_number(&q), session = parse_number(&q);
        check("stat: ppid, pgrp and session are what getppid, getpgid and getsid say",
              ppid == (u64)system_call3(SYS_getppid, 0, 0, 0) && pgrp == (u64)system_call3(SYS_getpgid, 0, 0, 0)
              && session == (u64)system_call3(SYS_getsid, 0, 0, 0));
    }

    /* status */
    length = read_file("/proc/self/status", buffer, sizeof buffer);
    check("/proc/self/status has Name: proc_test", find_line(buffer, "Name:\tproc_test\n") != 0);
    {
        const char *line = find_line(buffer, "Pid:\t");
        const char *n = line ? line + 5 : "";
        check("status has Pid: my pid", line && parse_number(&n) == pid);
        check("status has a State, VmRSS, Threads and SigBlk", find_line(buffer, "State:\t") && find_line(buffer, "VmRSS:")
              && find_line(buffer, "Threads:\t1") && find_line(buffer, "SigBlk:\t"));
    }

    /* maps: a [stack] line whose range holds a local variable; lines as "start-end perms offset dev inode". */
    length = read_file("/proc/self/maps", buffer, sizeof buffer);
    {
        int stack_line = 0, holds_local = 0, image_line = 0;
        const char *line = buffer;
        while (*line)
        {
            const char *q = line;
            u64 start = parse_hex(&q);
            int well_formed = *q == '-';
            q++;
            u64 end = parse_hex(&q);
            well_formed = well_formed && *q == ' ' && (q[1] == 'r' || q[1] == '-') && (q[4] == 'p' || q[4] == 's');
            const char *eol = q;
            while (*eol && *eol != '\n')
                eol++;
            if (eol - line > 7 && starts_with(eol - 7, "[stack]"))
            {
                stack_line = well_formed;
                holds_local = start <= (u64)&local_on_stack && (u64)&local_on_stack < end;
            }
            if (eol - line > 9 && starts_with(eol - 9, "proc_test") && q[3] == 'x')
                image_line = well_formed && start <= (u64)&start_c && (u64)&start_c < end;
            line = *eol ? eol + 1 : eol;
        }
        check("/proc/self/maps has a [stack] line", stack_line);
        check("the [stack] line holds my stack", holds_local);
        check("an executable line named after me holds my code", image_line);
    }

    /* meminfo */
    length = read_file("/proc/meminfo", buffer, sizeof buffer);
    {
        const char *total = find_line(buffer, "MemTotal:");
        const char *free = find_line(buffer, "MemFree:");
        const char *t = total ? total + 9 : "", *f = free ? free + 8 : "";
        u64 total_kb = parse_number(&t), free_kb = parse_number(&f);
        check("/proc/meminfo: MemTotal > 0 kB", total && total_kb > 0 && starts_with(t, " kB\n"));
        check("MemFree > 0 and at most MemTotal", free && free_kb > 0 && free_kb <= total_kb);
        check("meminfo has MemAvailable, Cached, SwapTotal", find_line(buffer, "MemAvailable:") && find_line(buffer, "Cached:")
              && find_line(buffer, "SwapTotal:"));
    }

    /* uptime: "seconds.hh idle.hh" */
    length = read_file("/proc/uptime", buffer, sizeof buffer);
    {
        const char *q = buffer;
        u64 seconds = parse_number(&q);
        int ok = *q == '.' && q[1] >= '0' && q[1] <= '9' && q[2] >= '0' && q[2] <= '9' && q[3] == ' ';
        const char *r = q + 1;
        u64 hundredths = parse_number(&r);
        r++;
        parse_number(&r);
        ok = ok && *r == '.' && r[3] == '\n';
        check("/proc/uptime: two numbers with two decimals, up more than 0", ok && seconds * 100 + hundredths > 0);
    }

    /* loadavg, stat, cpuinfo, version, mounts */
    length = read_file("/proc/loadavg", buffer, sizeof buffer);
    {
        const char *q = buffer;
        int ok = length > 0;
        for (int i = 0; i < 3 && ok; i++)
        {
            parse_number(&q);
            ok = q[0] == '.' && q[3] == ' ';
            q += 4;
        }
        u64 running = parse_number(&q);
        ok = ok && *q == '/';
        q++;
        u64 total = parse_number(&q);
        ok = ok && *q == ' ' && running >= 1 && total >= running;
        q++;
        ok = ok && parse_number(&q) >= pid && *q == '\n';
        check("/proc/loadavg: three averages, running/total threads, the newest pid", ok);
    }
    length = read_file("/proc/stat", buffer, sizeof buffer);
    check("/proc/stat has cpu, cpu0, btime, processes", starts_with(buffer, "cpu  ") && find_line(buffer, "cpu0 ")
          && find_line(buffer, "btime ") && find_line(buffer, "processes "));
    length = read_file("/proc/cpuinfo", buffer, sizeof buffer);
    check("/proc/cpuinfo has processor 0 and flags with sse2", find_line(buffer, "processor\t: 0") && find_line(buffer, "flags\t\t: ")
          && find_line(buffer, "model name\t: "));
    length = read_file("/proc/version", buffer, sizeof buffer);
    check("/proc/version starts with Linux version", starts_with(buffer, "Linux version "));
    length = read_file("/proc/mounts", buffer, sizeof buffer);
    {
        int proc_line = 0;
        for (const char *line = buffer; *line; line = next_line(line))
        {
            const char *q = line;
            while (*q && *q != ' ') q++;
            if (starts_with(q, " /proc proc "))
                proc_line = 1;
        }
        check("/proc/mounts has /proc of type proc", proc_line);
    }

    /* listings */
    check("a listing of /proc has my pid", listing_has("/proc", pid_text));
    check("a listing of /proc has self and meminfo", listing_has("/proc", "self") && listing_has("/proc", "meminfo"));
    check("a listing of /proc/self/fd has 0, 1 and 2", listing_has("/proc/self/fd", "0") && listing_has("/proc/self/fd", "1")
          && listing_has("/proc/self/fd", "2"));
    check("a listing of /proc/self has stat, maps and fd", listing_has("/proc/self", "stat") && listing_has("/proc/self", "maps")
          && listing_has("/proc/self", "fd"));

    /* links */
    length = system_call3(SYS_readlink, (i64)"/proc/self", (i64)buffer, 100);
    buffer[length > 0 ? length : 0] = 0;
    check("/proc/self links to my pid", length == pid_length && equal(buffer, pid_text));
    length = system_call3(SYS_readlink, (i64)"/proc/self/exe", (i64)buffer, 4000);
    buffer[length > 0 ? length : 0] = 0;
    check("/proc/self/exe names me", length > 0 && buffer[0] == '/' && ends_with(buffer, "/proc_test"));
    {
        i64 fd = system_call3(SYS_open, (i64)buffer, O_RDONLY, 0);
        check("/proc/self/exe's target opens", fd >= 0);
        if (fd >= 0)
            system_call3(SYS_close, fd, 0, 0);
    }
    length = system_call3(SYS_readlink, (i64)"/proc/self/cwd", (i64)buffer, 4000);
    check("/proc/self/cwd is an absolute path", length > 0 && buffer[0] == '/');
    length = system_call3(SYS_readlink, (i64)"/proc/self/fd/1", (i64)buffer, 4000);
    check("/proc/self/fd/1 names what it is", length > 0);

    /* cmdline: argv, each string followed by a zero */
    length = read_file("/proc/self/cmdline", buffer, sizeof buffer);
    {
        i64 at = 0;
        int same = 1;
        for (u64 i = 0; i < argc; i++)
        {
            u64 n = length_of(argv[i]);
            same = same && at + (i64)n < length && equal(buffer + at, argv[i]);
            at += (i64)n + 1;
        }
        check("/proc/self/cmdline is my argv", same && at == length && ends_with(argv[0], "proc_test"));
    }

    /* one text however it is read: in 7-byte pieces, and at an offset */
    length = read_file("/proc/version", buffer, sizeof buffer);
    {
        i64 fd = system_call3(SYS_open, (i64)"/proc/version", O_RDONLY, 0);
        i64 total = 0;
        for (;;)
        {
            i64 got = system_call3(SYS_read, fd, (i64)(second + total), 7);
            if (got <= 0) break;
            total += got;
        }
        second[total] = 0;
        check("a text read 7 bytes at a time is the text", total == length && equal(buffer, second));
        i64 got = system_call4(SYS_pread64, fd, (i64)second, 10, 5);
        int same = got == 10;
        for (int i = 0; i < 10 && same; i++)
            same = second[i] == buffer[5 + i];
        check("pread at offset 5 reads bytes 5 to 14", same);
        check("lseek to 8 then read continues there", system_call3(SYS_lseek, fd, 8, 0) == 8 && system_call3(SYS_read, fd, (i64)second, 4) == 4
              && second[0] == buffer[8] && second[3] == buffer[11]);
        check("lseek from the end is EINVAL (as seq_file)", system_call3(SYS_lseek, fd, 0, 2) == -EINVAL);
        system_call3(SYS_close, fd, 0, 0);
    }

    /* read-only */
    {
        /* Linux lets root open it and fails the write (EIO); POSIX-X refuses the open (EACCES): either refuses. */
        i64 fd = system_call3(SYS_open, (i64)"/proc/meminfo", O_WRONLY, 0);
        check("writing /proc/meminfo is refused", fd < 0 ? fd == -EACCES : system_call3(SYS_write, fd, (i64)"x", 1) < 0);
        if (fd >= 0)
            system_call3(SYS_close, fd, 0, 0);
    }
    check("creating /proc/new is ENOENT", system_call3(SYS_open, (i64)"/proc/new", O_WRONLY | O_CREAT, 0644) == -ENOENT);
    check("mkdir /proc/new is ENOENT", system_call3(SYS_mkdir, (i64)"/proc/new", 0755, 0) == -ENOENT);
    check("unlink /proc/version is refused", system_call3(SYS_unlink, (i64)"/proc/version", 0, 0) < 0);

    put("proc: done\n");
    system_call3(SYS_exit_group, failed, 0, 0);
    for (;;) { }
}
