/* Pipes: pipe/pipe2 (O_CLOEXEC, O_NONBLOCK), data in order, end of file once every writer is closed, EPIPE with
 * SIGPIPE (ignored, then as the default that ends a child), a full non-blocking pipe (EAGAIN; its capacity as
 * relations with F_GETPIPE_SZ), F_SETPIPE_SZ, PIPE_BUF atomicity, poll and select on both ends (POLLIN, POLLOUT,
 * POLLHUP, POLLERR), FIONREAD, ESPIPE, fstat (S_ISFIFO), named FIFOs (mkfifo, ENXIO for a lone non-blocking
 * writer), a pipe between a parent and a child, and the errors EFAULT, EINVAL, EBADF. */
#include "difftest.h"
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/wait.h>

/* pipe() and pipe2() that leave -1 in both slots when they fail (else a stale number could be the terminal, and a
 * read would wait for input for ever). */
static int make_pipe(int ends[2], int flags)
{
    ends[0] = ends[1] = -1;
    int result = pipe2(ends, flags);
    if (result != 0)
        ends[0] = ends[1] = -1;
    return result;
}

static const char *events(short revents)
{
    char *text = scratch_string();
    text[0] = '\0';
    if (revents & POLLIN) strcat(text, "IN ");
    if (revents & POLLOUT) strcat(text, "OUT ");
    if (revents & POLLHUP) strcat(text, "HUP ");
    if (revents & POLLERR) strcat(text, "ERR ");
    if (revents & POLLNVAL) strcat(text, "NVAL ");
    if (text[0] == '\0')
        strcpy(text, "none");
    else
        text[strlen(text) - 1] = '\0';
    return text;
}

static const char *poll_one(int fd, short wanted)
{
    struct pollfd entry = { fd, wanted, 0 };
    int ready = poll(&entry, 1, 0);
    if (ready < 0)
        return errno_name(errno);
    return events(entry.revents);
}

int main(void)
{
    scratch_enter("pipes");
    int p[2];
    p[0] = p[1] = -1;
    say("pipe: %s", outcome(pipe(p)));
    check("two new descriptors, read end first", p[0] == 3 && p[1] == 4);
    struct stat status;
    fstat(p[0], &status);
    say("fstat: a FIFO: %s", yes(S_ISFIFO(status.st_mode)));
    struct stat other;
    check("both ends are one pipe (same inode)", fstat(p[1], &other) == 0 && other.st_ino == status.st_ino);
    say("F_GETFL: read end O_RDONLY %s, write end O_WRONLY %s", yes((fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY),
        yes((fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY));
    say("poll an empty pipe: read end %s, write end %s", poll_one(p[0], POLLIN | POLLOUT), poll_one(p[1], POLLIN | POLLOUT));
    say("write 5: %s", value(write(p[1], "hello", 5)));
    say("write 6: %s", value(write(p[1], " world", 6)));
    int available = -1;
    ioctl(p[0], FIONREAD, &available);
    say("FIONREAD: %d", available);
    say("poll with data: read end %s", poll_one(p[0], POLLIN));
    char buffer[65536];
    memset(buffer, 0, 64);
    say("read 3: %s", value(read(p[0], buffer, 3)));
    say("read 100 (what is there): %s", value(read(p[0], buffer + 3, 100)));
    say("data in order: %s", buffer);
    say("read from the write end: %s", failure(read(p[1], buffer, 1)));
    say("write to the read end: %s", failure(write(p[0], "x", 1)));
    say("lseek on a pipe: %s", failure(lseek(p[0], 0, SEEK_SET)));
    say("pread on a pipe: %s", failure(pread(p[0], buffer, 1, 0)));
    say("pwrite on a pipe: %s", failure(pwrite(p[1], "x", 1, 0)));
    write(p[1], "z", 1);
    say("read into a bad buffer with data waiting: %s", failure(read(p[0], BAD_KERNEL, 1)));
    say("the byte is still there: %s", value(read(p[0], buffer, 1)));
    say("write from a bad buffer: %s", failure(write(p[1], BAD_KERNEL, 1)));

    /* end of file and EPIPE */
    close(p[1]);
    say("poll the read end with every writer gone: %s", poll_one(p[0], POLLIN));
    say("read at end of file: %s", value(read(p[0], buffer, 10)));
    make_pipe(p, 0);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    say("poll the write end with no reader: %s", poll_one(p[1], POLLOUT));
    say("write with no reader (SIGPIPE ignored): %s", failure(write(p[1], "x", 1)));
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);
    make_pipe(p, 0);
    close(p[0]);
    pid_t child = fork();
    if (child == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    close(p[1]);
    int wait_status;
    waitpid(child, &wait_status, 0);
    say("a child writing to a pipe whose reader closed: %s", WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGPIPE
        ? "killed by SIGPIPE" : WIFEXITED(wait_status) ? "exited" : "other");

    /* pipe2 flags */
    say("pipe2 O_CLOEXEC|O_NONBLOCK: %s", outcome(make_pipe(p, O_CLOEXEC | O_NONBLOCK)));
    say("FD_CLOEXEC on both: %s, O_NONBLOCK on both: %s", yes(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC),
        yes((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK)));
    say("read an empty non-blocking pipe: %s", failure(read(p[0], buffer, 1)));

    /* a full non-blocking pipe */
    long size = fcntl(p[1], F_GETPIPE_SZ);
    check("F_GETPIPE_SZ is at least a page", size >= 4096);
    long total = 0, written;
    memset(buffer, 'p', sizeof buffer);
    while ((written = write(p[1], buffer, 4096)) > 0)
        total += written;
    say("writes of 4096 bytes until it is full, then: %s", errno_name(errno));
    check("it held its F_GETPIPE_SZ", total == size);
    say("poll the full pipe's write end: %s", poll_one(p[1], POLLOUT));
    say("a 1-byte write to it: %s", failure(write(p[1], "x", 1)));
    say("read 4096 from it: %s", value(read(p[0], buffer, 4096)));
    say("poll the write end after the read: %s", poll_one(p[1], POLLOUT));
    long drained = 4096;
    while ((written = read(p[0], buffer, sizeof buffer)) > 0)
        drained += written;
    check("everything written was read back", drained == total);
    say("F_SETPIPE_SZ 1 MiB: %s", yes(fcntl(p[1], F_SETPIPE_SZ, 1 << 20) >= 1 << 20 && fcntl(p[1], F_GETPIPE_SZ) >= 1 << 20));
    say("F_SETPIPE_SZ 0 gives at least a page: %s", yes(fcntl(p[1], F_SETPIPE_SZ, 0) >= 4096));
    int null = open("/dev/null", O_RDONLY);
    say("F_GETPIPE_SZ on a file: %s", failure(fcntl(null, F_GETPIPE_SZ)));
    close(null);
    close(p[0]);
    close(p[1]);

    /* PIPE_BUF atomicity: a non-blocking write of up to PIPE_BUF bytes goes whole or not at all */
    make_pipe(p, O_NONBLOCK);
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    total = 0;
    while ((written = write(p[1], buffer, 1000)) > 0)
        total += written;
    say("with a one-page pipe, writes of 1000 fill %ld bytes", total);
    read(p[0], buffer, 100);
    say("after reading 100, a PIPE_BUF write (all or nothing): %s", failure(write(p[1], buffer, PIPE_BUF)));
    close(p[0]);
    close(p[1]);

    /* select */
    make_pipe(p, 0);
    fd_set readable, writable;
    struct timeval zero = { 0, 0 };
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    FD_SET(p[0], &readable);
    FD_SET(p[1], &writable);
    int ready = select(p[1] + 1, &readable, &writable, NULL, &zero);
    say("select on an empty pipe: %s ready, read end %s, write end %s", value(ready), yes(FD_ISSET(p[0], &readable)),
        yes(FD_ISSET(p[1], &writable)));
    write(p[1], "s", 1);
    FD_ZERO(&readable);
    FD_SET(p[0], &readable);
    say("select with data: %s ready", value(select(p[0] + 1, &readable, NULL, NULL, &zero)));
    FD_ZERO(&readable);
    FD_SET(50, &readable);
    say("select on a closed descriptor: %s", failure(select(51, &readable, NULL, NULL, &zero)));
    say("select with a negative count: %s", failure(select(-1, NULL, NULL, NULL, &zero)));
    struct pollfd entries[2] = { { p[0], POLLIN, 0 }, { 50, POLLIN, 0 } };
    say("poll with a closed descriptor: %s ready", value(poll(entries, 2, 0)));
    say("its events: %s and %s", events(entries[0].revents), events(entries[1].revents));
    struct pollfd ignored = { -1, POLLIN, 0 };
    say("poll on descriptor -1 (ignored): %s", value(poll(&ignored, 1, 0)));
    say("poll bad pointer: %s", failure(poll(BAD_KERNEL, 1, 0)));
    say("poll timeout with nothing ready (10 ms): %s", value(poll(&ignored, 1, 10)));

    /* a parent and a child talk through two pipes */
    int down[2], up[2];
    make_pipe(down, 0);
    make_pipe(up, 0);
    if ((child = fork()) == 0) {
        close(down[1]);
        close(up[0]);
        char line[64] = { 0 };
        long got = 0, n;
        while ((n = read(down[0], line + got, sizeof line - 1 - got)) > 0)
            got += n;
        for (long i = 0; i < got; i++)
            if (line[i] >= 'a' && line[i] <= 'z')
                line[i] -= 32;
        write(up[1], line, got);
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    write(down[1], "through the child", 17);
    close(down[1]);
    memset(buffer, 0, 64);
    long got = 0, n;
    while ((n = read(up[0], buffer + got, 63 - got)) > 0)
        got += n;
    waitpid(child, &wait_status, 0);
    say("round trip through a child: %s (%ld bytes, then end of file)", buffer, got);
    close(up[0]);

    /* named FIFOs */
    say("mkfifo: %s", outcome(mkfifo("fifo", 0644)));
    say("open it O_WRONLY|O_NONBLOCK with no reader: %s", failure(open("fifo", O_WRONLY | O_NONBLOCK)));
    int reader = open("fifo", O_RDONLY | O_NONBLOCK);
    say("open it O_RDONLY|O_NONBLOCK: %s", outcome(reader));
    int writer = open("fifo", O_WRONLY | O_NONBLOCK);
    say("then O_WRONLY|O_NONBLOCK: %s", outcome(writer));
    say("write through the FIFO: %s", value(write(writer, "fifo data", 9)));
    memset(buffer, 0, 64);
    say("read it: %s", read(reader, buffer, 63) == 9 ? buffer : errno_name(errno));
    say("lseek on a FIFO: %s", failure(lseek(reader, 0, SEEK_CUR)));
    close(writer);
    close(reader);
    say("mkfifo over an existing name: %s", failure(mkfifo("fifo", 0644)));
    stat("fifo", &status);
    say("the FIFO keeps no data (size): %lld", (long long)status.st_size);

    /* errors */
    say("pipe bad pointer: %s", failure(pipe(BAD_KERNEL)));
    say("pipe2 bad flags: %s", failure(make_pipe(p, O_APPEND)));
    say("pipe2 O_DIRECT (packet mode): %s", outcome(make_pipe(p, O_DIRECT)));
    close(p[0]);
    close(p[1]);

    scratch_leave();
    return 0;
}
