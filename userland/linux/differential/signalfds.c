/* signalfd: signalfd and signalfd4 (SFD_NONBLOCK, SFD_CLOEXEC), reading struct signalfd_siginfo for pending signals
 * of the mask (kill's sender, sigqueue's value, SIGCHLD's status, several in one read, real-time ones in order),
 * EAGAIN when none, a blocking read woken by a child's kill, poll and epoll readiness, a new mask for an existing
 * descriptor, and the errors EINVAL and EFAULT. */
#include "difftest.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>

static const char *read_one(int fd, struct signalfd_siginfo *info)
{
    memset(info, 0, sizeof *info);
    ssize_t got = read(fd, info, sizeof *info);
    if (got < 0)
        return errno_name(errno);
    char *text = scratch_string();
    snprintf(text, 64, "%zd bytes, signal %u, code %d", got, info->ssi_signo, info->ssi_code);
    return text;
}

static int poll_in(int fd)
{
    struct pollfd entry = { fd, POLLIN, 0 };
    return poll(&entry, 1, 0) == 1 && entry.revents == POLLIN;
}

int main(void)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &mask, NULL);

    say("signalfd4 with a bad mask size: %s", failure(syscall(SYS_signalfd4, -1, &mask, 4, 0)));
    say("signalfd4 with a bad flag: %s", failure(syscall(SYS_signalfd4, -1, &mask, 8, 1)));
    say("signalfd4 from a bad pointer: %s", failure(syscall(SYS_signalfd4, -1, BAD_NULL, 8, 0)));
    say("signalfd on standard output: %s", failure(signalfd(1, &mask, 0)));
    say("signalfd on a closed descriptor: %s", failure(signalfd(99, &mask, 0)));
    int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    say("signalfd(-1, USR1 USR2 CHLD RTMIN, SFD_NONBLOCK | SFD_CLOEXEC): %s", outcome(fd));
    char link[64], path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t link_length = readlink(path, link, sizeof link - 1);
    link[link_length > 0 ? link_length : 0] = '\0';
    say("/proc/self/fd of the signalfd: %s", link);
    check("close-on-exec", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    check("non-blocking", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    struct signalfd_siginfo info;
    say("read with nothing pending: %s", read_one(fd, &info));
    check("not readable", !poll_in(fd));
    char small[64];
    say("read of 64 bytes: %s", failure(read(fd, small, sizeof small)));
    say("write: %s", failure(write(fd, small, sizeof small)));

    kill(getpid(), SIGUSR1);
    check("readable after kill(SIGUSR1)", poll_in(fd));
    say("read: %s", read_one(fd, &info));
    check("SI_USER", info.ssi_code == SI_USER);
    check("sender: this process and user", info.ssi_pid == (uint32_t)getpid() && info.ssi_uid == getuid());
    say("read again: %s", read_one(fd, &info));
    check("not pending any more", !poll_in(fd));

    /* A signal outside the mask is not read (and stays pending). */
    sigset_t other;
    sigemptyset(&other);
    sigaddset(&other, SIGTERM);
    sigprocmask(SIG_BLOCK, &other, NULL);
    kill(getpid(), SIGTERM);
    say("SIGTERM pending, not in the mask: %s", read_one(fd, &info));
    sigset_t pending;
    sigpending(&pending);
    check("SIGTERM still pending", sigismember(&pending, SIGTERM));
    struct timespec zero = { 0, 0 };
    say("sigtimedwait takes it: %s", value(sigtimedwait(&other, NULL, &zero)));

    /* sigqueue's value; real-time signals in the order sent; two records in one read. */
    union sigval payload = { .sival_int = 1234 };
    sigqueue(getpid(), SIGRTMIN, payload);
    payload.sival_int = 5678;
    sigqueue(getpid(), SIGRTMIN, payload);
    kill(getpid(), SIGUSR2);
    struct signalfd_siginfo several[4];
    memset(several, 0, sizeof several);
    ssize_t got = read(fd, several, sizeof several);
    say("read of four records: %s", value(got));
    say("first: signal %s, code %d", several[0].ssi_signo == SIGUSR2 ? "SIGUSR2" : "other", several[0].ssi_code);
    say("second: SIGRTMIN %s, code %d (SI_QUEUE), int %d", yes(several[1].ssi_signo == (uint32_t)SIGRTMIN), several[1].ssi_code, several[1].ssi_int);
    say("third: SIGRTMIN %s, int %d, ptr %llu", yes(several[2].ssi_signo == (uint32_t)SIGRTMIN), several[2].ssi_int, (unsigned long long)several[2].ssi_ptr);

    /* SIGCHLD: the child's pid and status. */
    pid_t child = fork();
    if (child == 0)
        _exit(7);
    int blocking = signalfd(-1, &mask, 0);
    say("a blocking signalfd: %s", outcome(blocking));
    say("blocking read of SIGCHLD: %s", read_one(blocking, &info));
    check("CLD_EXITED", info.ssi_code == CLD_EXITED);
    check("the child's pid", info.ssi_pid == (uint32_t)child);
    say("status: %d", info.ssi_status);
    waitpid(child, NULL, 0);

    /* A blocking read woken by a child's kill. */
    pid_t parent = getpid();
    child = fork();
    if (child == 0) {
        struct timespec pause = { 0, 50 * 1000 * 1000 };
        nanosleep(&pause, NULL);
        kill(parent, SIGUSR2);
        _exit(0);
    }
    say("blocking read woken by a child's kill: %s", read_one(blocking, &info));
    check("sent by the child", info.ssi_pid == (uint32_t)child);
    waitpid(child, NULL, 0);
    say("read the child's SIGCHLD: %s", read_one(fd, &info));

    /* epoll. */
    int ep = epoll_create1(0);
    struct epoll_event event = { .events = EPOLLIN, .data.u64 = 3 };
    say("epoll ADD: %s", outcome(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &event)));
    say("epoll_wait, nothing pending: %d", epoll_wait(ep, &event, 1, 0));
    kill(getpid(), SIGUSR1);
    say("epoll_wait after kill: %d", epoll_wait(ep, &event, 1, 0));
    check("its data", event.data.u64 == 3);

    /* A new mask without SIGUSR1: the pending one is no longer read. */
    sigset_t only2;
    sigemptyset(&only2);
    sigaddset(&only2, SIGUSR2);
    say("signalfd with a new mask: %s", yes(signalfd(fd, &only2, 0) == fd));
    say("read, SIGUSR1 not in the mask now: %s", read_one(fd, &info));
    say("epoll_wait: %d", epoll_wait(ep, &event, 1, 0));
    say("the other descriptor reads it: %s", read_one(blocking, &info));
    close(ep);
    close(blocking);
    close(fd);

    /* Ping-pong of signals with a child, each side in a blocking signalfd read (a lost wake-up would hang here). */
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    int reader = signalfd(-1, &usr1, 0);
    parent = getpid();
    child = fork();
    if (child == 0) {
        for (int i = 0; i < 300; i++) {
            struct signalfd_siginfo got;
            if (read(reader, &got, sizeof got) != sizeof got || got.ssi_signo != SIGUSR1 || kill(parent, SIGUSR1) != 0)
                _exit(1);
        }
        _exit(0);
    }
    int exchanges = 0;
    for (int i = 0; i < 300; i++) {
        struct signalfd_siginfo got;
        if (kill(child, SIGUSR1) != 0 || read(reader, &got, sizeof got) != sizeof got || got.ssi_pid != (uint32_t)child)
            break;
        exchanges++;
    }
    int child_status = 0;
    waitpid(child, &child_status, 0);
    say("signals exchanged with a child: %d, the child %s", exchanges, WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0 ? "done" : "failed");
    close(reader);
    return 0;
}
