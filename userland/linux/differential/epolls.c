/* epoll: epoll_create and epoll_create1 (EPOLL_CLOEXEC), epoll_ctl's ADD, MOD and DEL with their errors (EEXIST,
 * ENOENT, EINVAL for the instance itself, ELOOP for a cycle, EPERM for a regular file, EBADF, EFAULT),
 * level-triggered, edge-triggered (EPOLLET) and one-shot reports on pipes and eventfds, EPOLLHUP and EPOLLERR, the
 * data returned as given, timeouts of 0, some milliseconds and none (woken by a child), EINTR from a signal,
 * epoll_pwait and epoll_pwait2, a descriptor's last close removing it, nested instances, poll on an instance, and
 * the terminal. */
#include "difftest.h"
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

static const char *bits(uint32_t events)
{
    char *text = scratch_string();
    text[0] = '\0';
    if (events & EPOLLIN) strcat(text, "IN ");
    if (events & EPOLLOUT) strcat(text, "OUT ");
    if (events & EPOLLRDHUP) strcat(text, "RDHUP ");
    if (events & EPOLLHUP) strcat(text, "HUP ");
    if (events & EPOLLERR) strcat(text, "ERR ");
    if (events & EPOLLPRI) strcat(text, "PRI ");
    if (text[0] == '\0')
        return "none";
    text[strlen(text) - 1] = '\0';
    return text;
}

/* One epoll_wait, printed as the count and each event's bits and data. */
static const char *wait_for(int instance, int timeout)
{
    struct epoll_event events[8];
    memset(events, 0, sizeof events);
    int count = epoll_wait(instance, events, 8, timeout);
    if (count < 0)
        return errno_name(errno);
    for (int i = 1; i < count; i++)   /* by data: the order of ready events is not part of the contract */
        for (int j = i; j > 0 && events[j - 1].data.u64 > events[j].data.u64; j--) {
            struct epoll_event swap = events[j];
            events[j] = events[j - 1];
            events[j - 1] = swap;
        }
    char *text = scratch_string();
    snprintf(text, 64, "%d", count);
    for (int i = 0; i < count && strlen(text) < 40; i++)
        snprintf(text + strlen(text), 64 - strlen(text), ", %llu: %s", (unsigned long long)events[i].data.u64, bits(events[i].events));
    return text;
}

static int add(int instance, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event event = { .events = events, .data.u64 = data };
    return epoll_ctl(instance, EPOLL_CTL_ADD, fd, &event);
}

static int modify(int instance, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event event = { .events = events, .data.u64 = data };
    return epoll_ctl(instance, EPOLL_CTL_MOD, fd, &event);
}

static long elapsed_ms(struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void on_signal(int number) { (void)number; }

/* What /proc/self/fd says a descriptor is. */
static const char *link_of(int fd)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    char *text = scratch_string();
    ssize_t length = readlink(path, text, 63);
    if (length < 0)
        return errno_name(errno);
    text[length] = '\0';
    return text;
}

int main(void)
{
    scratch_enter("epolls");
    say("epoll_create(0): %s", failure(epoll_create(0)));
    say("epoll_create1 with a bad flag: %s", failure(epoll_create1(1)));
    int old = epoll_create(1);
    say("epoll_create(1): %s", outcome(old));
    check("no close-on-exec", (fcntl(old, F_GETFD) & FD_CLOEXEC) == 0);
    close(old);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    say("epoll_create1(EPOLL_CLOEXEC): %s", outcome(ep));
    check("close-on-exec", (fcntl(ep, F_GETFD) & FD_CLOEXEC) != 0);
    say("empty, timeout 0: %s", wait_for(ep, 0));
    say("read from an instance: %s", failure(read(ep, &old, sizeof old)));

    int p[2];
    pipe(p);
    say("ADD pipe read end: %s", outcome(add(ep, p[0], EPOLLIN, 0x1122334455667788ULL)));
    say("ADD it again: %s", failure(add(ep, p[0], EPOLLIN, 1)));
    say("MOD a descriptor not added: %s", failure(modify(ep, p[1], EPOLLOUT, 1)));
    say("DEL a descriptor not added: %s", failure(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL)));
    say("ADD the instance to itself: %s", failure(add(ep, ep, EPOLLIN, 1)));
    say("ADD a closed descriptor: %s", failure(add(ep, 99, EPOLLIN, 1)));
    say("ADD to a bad instance: %s", failure(add(99, p[0], EPOLLIN, 1)));
    say("ADD to a pipe (not an instance): %s", failure(add(p[1], p[0], EPOLLIN, 1)));
    say("ADD with no event: %s", failure(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], BAD_NULL)));
    say("a bad operation: %s", failure(epoll_ctl(ep, 17, p[1], &(struct epoll_event){ 0 })));
    int regular = open("regular", O_RDWR | O_CREAT, 0644);
    say("ADD a regular file: %s", failure(add(ep, regular, EPOLLIN, 1)));
    close(regular);
    say("epoll_wait with maxevents 0: %s", failure(epoll_wait(ep, (struct epoll_event[1]){ 0 }, 0, 0)));
    say("epoll_wait on a pipe: %s", failure(epoll_wait(p[0], (struct epoll_event[1]){ 0 }, 1, 0)));
    say("epoll_wait into page 0, nothing ready: %s", value(epoll_wait(ep, BAD_NULL, 1, 0)));
    say("epoll_wait into a kernel address: %s", failure(epoll_wait(ep, BAD_KERNEL, 1, 0)));

    /* Level-triggered: reported as long as the pipe holds bytes; the data comes back as given. */
    say("nothing written: %s", wait_for(ep, 0));
    write(p[1], "ab", 2);
    say("level-triggered, bytes in the pipe: %s", wait_for(ep, 0));
    say("again, still there: %s", wait_for(ep, 0));
    char buffer[16];
    read(p[0], buffer, sizeof buffer);
    say("after the read: %s", wait_for(ep, 0));

    /* Edge-triggered: once per write. */
    say("MOD to EPOLLIN | EPOLLET: %s", outcome(modify(ep, p[0], EPOLLIN | EPOLLET, 2)));
    write(p[1], "a", 1);
    say("edge-triggered, first write: %s", wait_for(ep, 0));
    say("again, no new write: %s", wait_for(ep, 0));
    write(p[1], "b", 1);
    say("a second write: %s", wait_for(ep, 0));
    read(p[0], buffer, sizeof buffer);
    say("after the read: %s", wait_for(ep, 0));

    /* One-shot: reported once, then silent until MOD. */
    say("MOD to EPOLLIN | EPOLLONESHOT: %s", outcome(modify(ep, p[0], EPOLLIN | EPOLLONESHOT, 3)));
    write(p[1], "c", 1);
    say("one-shot: %s", wait_for(ep, 0));
    say("again: %s", wait_for(ep, 0));
    say("MOD re-arms: %s", outcome(modify(ep, p[0], EPOLLIN | EPOLLONESHOT, 4)));
    say("after MOD: %s", wait_for(ep, 0));
    read(p[0], buffer, sizeof buffer);
    say("DEL: %s", outcome(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL)));
    write(p[1], "d", 1);
    say("after DEL: %s", wait_for(ep, 0));
    read(p[0], buffer, sizeof buffer);

    /* Both ends: the write end is writable; closing the writer is EPOLLHUP, closing the reader EPOLLERR. */
    int q[2];
    pipe(q);
    add(ep, q[0], EPOLLIN, 10);
    add(ep, q[1], EPOLLOUT, 11);
    say("a fresh pipe's two ends: %s", wait_for(ep, 0));
    int r[2];
    pipe(r);
    add(ep, r[0], EPOLLIN, 20);
    close(r[1]);
    close(q[1]);
    say("writers closed: %s", wait_for(ep, 0));
    epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL);
    epoll_ctl(ep, EPOLL_CTL_DEL, r[0], NULL);
    close(q[0]);
    close(r[0]);
    int s[2];
    pipe(s);
    add(ep, s[1], EPOLLOUT, 30);
    close(s[0]);
    say("reader closed: %s", wait_for(ep, 0));
    close(s[1]);
    say("the write end's last close removes it: %s", wait_for(ep, 0));

    /* A descriptor closed while a dup keeps the description open stays watched; the last close removes it. */
    int e = eventfd(1, EFD_NONBLOCK);
    add(ep, e, EPOLLIN, 40);
    int copy = dup(e);
    close(e);
    say("watched eventfd closed, its dup open: %s", wait_for(ep, 0));
    say("DEL by the closed number: %s", failure(epoll_ctl(ep, EPOLL_CTL_DEL, e, NULL)));
    close(copy);
    say("its last close: %s", wait_for(ep, 0));

    /* An eventfd: edge-triggered, reported again after each write, even while readable. */
    e = eventfd(0, EFD_NONBLOCK);
    add(ep, e, EPOLLIN | EPOLLET, 50);
    say("eventfd at 0: %s", wait_for(ep, 0));
    uint64_t one = 1;
    write(e, &one, 8);
    say("after a write: %s", wait_for(ep, 0));
    say("again: %s", wait_for(ep, 0));
    write(e, &one, 8);
    say("after another write: %s", wait_for(ep, 0));
    epoll_ctl(ep, EPOLL_CTL_DEL, e, NULL);

    /* Two always-ready items and maxevents 1: both come in turn (neither hides the other). */
    int first = eventfd(1, 0), second = eventfd(1, 0);
    add(ep, first, EPOLLIN, 101);
    add(ep, second, EPOLLIN, 102);
    struct epoll_event one_event;
    uint64_t seen[4];
    for (int i = 0; i < 4; i++) {
        seen[i] = 0;
        if (epoll_wait(ep, &one_event, 1, 0) == 1)
            seen[i] = one_event.data.u64;
    }
    check("maxevents 1: both reported in turn", seen[0] != seen[1] && seen[2] != seen[3] && seen[0] + seen[1] == 203 && seen[2] + seen[3] == 203);
    close(first);
    close(second);
    say("both closed: %s", wait_for(ep, 0));

    /* Edge-triggered is per direction: a read that leaves a semaphore eventfd readable, or a partial read of a
     * socket, is no new event for EPOLLIN; a write, a shutdown and a close are. */
    int semaphore = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    add(ep, semaphore, EPOLLIN | EPOLLET, 55);
    say("semaphore eventfd at 3: %s", wait_for(ep, 0));
    uint64_t taken;
    read(semaphore, &taken, 8);
    say("after one read, 2 left: %s", wait_for(ep, 0));
    write(semaphore, &one, 8);
    say("after a write: %s", wait_for(ep, 0));
    epoll_ctl(ep, EPOLL_CTL_DEL, semaphore, NULL);
    close(semaphore);
    int pair[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
    add(ep, pair[1], EPOLLIN | EPOLLRDHUP | EPOLLET, 56);
    write(pair[0], "abcd", 4);
    say("socket, edge-triggered, bytes: %s", wait_for(ep, 0));
    read(pair[1], buffer, 2);
    say("after a partial read: %s", wait_for(ep, 0));
    write(pair[0], "e", 1);
    say("after another write: %s", wait_for(ep, 0));
    shutdown(pair[0], SHUT_WR);
    say("the peer's SHUT_WR: %s", wait_for(ep, 0));
    close(pair[0]);
    say("the peer's close: %s", wait_for(ep, 0));
    say("again: %s", wait_for(ep, 0));
    close(pair[1]);
    say("/proc/self/fd of an instance: %s", link_of(ep));
    e = eventfd(0, 0);
    say("/proc/self/fd of an eventfd: %s", link_of(e));
    close(e);

    /* Nested: an instance inside another is readable while one of its items is ready. */
    int inner = epoll_create1(0);
    add(inner, p[0], EPOLLIN, 60);
    say("ADD the inner instance: %s", outcome(add(ep, inner, EPOLLIN, 61)));
    say("ADD the outer to the inner (a cycle): %s", failure(add(inner, ep, EPOLLIN, 62)));
    say("outer, nothing in the pipe: %s", wait_for(ep, 0));
    struct pollfd entry = { inner, POLLIN, 0 };
    say("poll on the inner instance: %d", poll(&entry, 1, 0));
    write(p[1], "e", 1);
    say("outer, a byte in the pipe: %s", wait_for(ep, 0));
    entry.revents = 0;
    int polled = poll(&entry, 1, 0);
    say("poll on the inner instance: %d, %s", polled, bits(entry.revents));
    say("inner: %s", wait_for(inner, 0));
    read(p[0], buffer, sizeof buffer);
    epoll_ctl(ep, EPOLL_CTL_DEL, inner, NULL);
    close(inner);

    /* Timeouts. */
    add(ep, p[0], EPOLLIN, 70);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    say("timeout 100 ms, nothing ready: %s", wait_for(ep, 100));
    long waited = elapsed_ms(&start);
    check("waited about 100 ms", waited >= 90 && waited < 2000);
    pid_t child = fork();
    if (child == 0) {
        struct timespec pause = { 0, 50 * 1000 * 1000 };
        nanosleep(&pause, NULL);
        _exit(write(p[1], "f", 1) == 1 ? 0 : 1);
    }
    say("no timeout, woken by a child's write: %s", wait_for(ep, -1));
    waitpid(child, NULL, 0);
    read(p[0], buffer, sizeof buffer);

    /* A signal ends the wait with EINTR, even with SA_RESTART. */
    struct sigaction action = { 0 };
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &action, NULL);
    pid_t parent = getpid();
    child = fork();
    if (child == 0) {
        struct timespec pause = { 0, 50 * 1000 * 1000 };
        nanosleep(&pause, NULL);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    say("epoll_wait interrupted by a handled signal: %s", wait_for(ep, -1));
    waitpid(child, NULL, 0);

    /* epoll_pwait with SIGUSR1 blocked during the wait only; epoll_pwait2 with a timespec. */
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    struct epoll_event events[2];
    say("epoll_pwait, timeout 0: %s", value(epoll_pwait(ep, events, 2, 0, &blocked)));
    say("epoll_pwait with a bad set size: %s", failure(syscall(SYS_epoll_pwait, ep, events, 2, 0, &blocked, 4)));
    struct timespec ten = { 0, 10 * 1000 * 1000 };
    say("epoll_pwait2, 10 ms: %s", value(syscall(SYS_epoll_pwait2, ep, events, 2, &ten, NULL, 8)));
    write(p[1], "g", 1);
    say("epoll_pwait2, a byte ready: %s", value(syscall(SYS_epoll_pwait2, ep, events, 2, NULL, NULL, 8)));
    check("its data", events[0].data.u64 == 70);
    read(p[0], buffer, sizeof buffer);

    /* Many round trips with a child, each side sleeping in epoll_wait (a lost wake-up would hang here). */
    int link_pair[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, link_pair);
    child = fork();
    if (child == 0) {
        int mine = epoll_create1(0);
        struct epoll_event watch = { .events = EPOLLIN, .data.u64 = 1 };
        epoll_ctl(mine, EPOLL_CTL_ADD, link_pair[1], &watch);
        for (int i = 0; i < 1000; i++) {
            char byte;
            if (epoll_wait(mine, &watch, 1, -1) != 1 || read(link_pair[1], &byte, 1) != 1 || write(link_pair[1], &byte, 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    int trips = epoll_create1(0);
    struct epoll_event watch = { .events = EPOLLIN, .data.u64 = 2 };
    epoll_ctl(trips, EPOLL_CTL_ADD, link_pair[0], &watch);
    int round_trips = 0;
    for (int i = 0; i < 1000; i++) {
        char byte = (char)i, back = 0;
        if (write(link_pair[0], &byte, 1) != 1 || epoll_wait(trips, &watch, 1, -1) != 1 || read(link_pair[0], &back, 1) != 1 || back != byte)
            break;
        round_trips++;
    }
    int child_status = 0;
    waitpid(child, &child_status, 0);
    say("round trips through epoll_wait with a child: %d, the child %s", round_trips, WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0 ? "done" : "failed");
    close(trips);
    close(link_pair[0]);
    close(link_pair[1]);

    /* The terminal (standard input) is writable. */
    say("ADD the terminal for EPOLLOUT: %s", outcome(add(ep, 0, EPOLLOUT, 80)));
    say("terminal and pipe: %s", wait_for(ep, 0));
    close(ep);
    close(p[0]);
    close(p[1]);
    scratch_leave();
    return 0;
}
