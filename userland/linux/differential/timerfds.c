/* timerfd: timerfd_create (CLOCK_MONOTONIC, CLOCK_REALTIME, TFD_NONBLOCK, TFD_CLOEXEC), timerfd_settime (relative,
 * TFD_TIMER_ABSTIME on both clocks, periodic intervals, disarming, the old value), timerfd_gettime, reads of the
 * 8-byte expiration count (EAGAIN when none, EINVAL for a short buffer, a blocking read waiting for the expiry), poll
 * and epoll readiness, and the errors EINVAL, EBADF and EFAULT. Times are checked as relations. */
#include "difftest.h"
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

static long long nanoseconds(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return nanoseconds(t);
}

static struct itimerspec after_ms(long value_ms, long interval_ms)
{
    struct itimerspec spec = { { interval_ms / 1000, (interval_ms % 1000) * 1000000 }, { value_ms / 1000, (value_ms % 1000) * 1000000 } };
    return spec;
}

static const char *read_count(int fd)
{
    uint64_t count = 0;
    ssize_t got = read(fd, &count, sizeof count);
    if (got < 0)
        return errno_name(errno);
    char *text = scratch_string();
    snprintf(text, 64, "%zd bytes, %llu", got, (unsigned long long)count);
    return text;
}

static void sleep_ms(long ms)
{
    struct timespec pause = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&pause, NULL);
}

int main(void)
{
    say("timerfd_create with a bad clock: %s", failure(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0)));
    say("timerfd_create with a bad flag: %s", failure(timerfd_create(CLOCK_MONOTONIC, 1)));
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    say("timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC): %s", outcome(fd));
    char link[64];
    ssize_t link_length = readlink("/proc/self/fd/3", link, sizeof link - 1);
    link[link_length > 0 ? link_length : 0] = '\0';
    say("/proc/self/fd/3 (the timerfd): %s", fd == 3 ? link : "not descriptor 3");
    check("close-on-exec", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    check("non-blocking", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    struct itimerspec current;
    say("gettime, never set: %s", outcome(timerfd_gettime(fd, &current)));
    check("all zero", current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0 && current.it_interval.tv_sec == 0 && current.it_interval.tv_nsec == 0);
    say("read, never set: %s", read_count(fd));
    char small[4];
    say("read of 4 bytes: %s", failure(read(fd, small, sizeof small)));
    uint64_t eight = 1;
    say("write: %s", failure(write(fd, &eight, sizeof eight)));

    struct itimerspec spec = after_ms(50, 0);
    say("settime, 50 ms once: %s", outcome(timerfd_settime(fd, 0, &spec, NULL)));
    timerfd_gettime(fd, &current);
    check("gettime: between 0 and 50 ms left", nanoseconds(current.it_value) > 0 && nanoseconds(current.it_value) <= 50000000);
    say("read before it expires: %s", read_count(fd));
    struct pollfd entry = { fd, POLLIN, 0 };
    say("poll for 1 s: %d", poll(&entry, 1, 1000));
    check("POLLIN", entry.revents == POLLIN);
    say("read after it expired: %s", read_count(fd));
    say("read again: %s", read_count(fd));
    timerfd_gettime(fd, &current);
    check("gettime: disarmed", nanoseconds(current.it_value) == 0);

    /* Periodic: 20 ms, every 20 ms; after about 110 ms, several expirations in one read. */
    spec = after_ms(20, 20);
    long long start = now(CLOCK_MONOTONIC);
    timerfd_settime(fd, 0, &spec, NULL);
    sleep_ms(110);
    uint64_t count = 0;
    say("read after 110 ms: %s", outcome(read(fd, &count, sizeof count)));
    long long expected = (now(CLOCK_MONOTONIC) - start) / 20000000;
    check("between 1 and the periods elapsed", count >= 1 && (long long)count <= expected);
    check("several", count >= 3);
    timerfd_gettime(fd, &current);
    check("gettime: interval 20 ms", current.it_interval.tv_sec == 0 && current.it_interval.tv_nsec == 20000000);
    check("gettime: at most 20 ms left", nanoseconds(current.it_value) > 0 && nanoseconds(current.it_value) <= 20000000);

    /* The old value comes back; a zero value disarms. */
    struct itimerspec old;
    spec = after_ms(0, 0);
    say("settime to zero, with the old value: %s", outcome(timerfd_settime(fd, 0, &spec, &old)));
    check("old interval 20 ms", old.it_interval.tv_sec == 0 && old.it_interval.tv_nsec == 20000000);
    sleep_ms(30);
    say("read after disarming: %s", read_count(fd));

    /* Absolute times: in the past expires at once; 30 ms ahead on CLOCK_MONOTONIC. */
    spec = after_ms(0, 0);
    long long past = now(CLOCK_MONOTONIC) - 1000;
    spec.it_value.tv_sec = past / 1000000000;
    spec.it_value.tv_nsec = past % 1000000000;
    say("settime, absolute in the past: %s", outcome(timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL)));
    say("read: %s", read_count(fd));
    long long target = now(CLOCK_MONOTONIC) + 30000000;
    spec.it_value.tv_sec = target / 1000000000;
    spec.it_value.tv_nsec = target % 1000000000;
    say("settime, absolute 30 ms ahead: %s", outcome(timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL)));
    say("read at once: %s", read_count(fd));
    /* A blocking read waits for it. */
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    say("blocking read: %s", read_count(fd));
    check("not before the deadline", now(CLOCK_MONOTONIC) >= target);
    fcntl(fd, F_SETFL, flags);

    /* CLOCK_REALTIME, absolute 40 ms ahead, watched by epoll. */
    int real = timerfd_create(CLOCK_REALTIME, 0);
    say("timerfd_create(CLOCK_REALTIME, 0): %s", outcome(real));
    long long wall = now(CLOCK_REALTIME) + 40000000;
    spec = after_ms(0, 0);
    spec.it_value.tv_sec = wall / 1000000000;
    spec.it_value.tv_nsec = wall % 1000000000;
    say("settime, absolute on the wall clock: %s", outcome(timerfd_settime(real, TFD_TIMER_ABSTIME, &spec, NULL)));
    int ep = epoll_create1(0);
    struct epoll_event event = { .events = EPOLLIN, .data.u64 = 7 };
    epoll_ctl(ep, EPOLL_CTL_ADD, real, &event);
    say("epoll_wait, timeout 0: %d", epoll_wait(ep, &event, 1, 0));
    event.data.u64 = 0;
    say("epoll_wait, no timeout: %d", epoll_wait(ep, &event, 1, -1));
    check("its data", event.data.u64 == 7);
    check("not before the deadline", now(CLOCK_REALTIME) >= wall - 1000000);
    say("read: %s", read_count(real));
    say("epoll_wait after the read: %d", epoll_wait(ep, &event, 1, 0));
    close(ep);
    close(real);

    /* Errors. */
    spec = after_ms(10, 0);
    spec.it_value.tv_nsec = 1000000000;
    say("settime with tv_nsec 1e9: %s", failure(timerfd_settime(fd, 0, &spec, NULL)));
    spec = after_ms(10, 0);
    say("settime with a bad flag: %s", failure(timerfd_settime(fd, 4, &spec, NULL)));
    say("settime from a bad pointer: %s", failure(timerfd_settime(fd, 0, BAD_NULL, NULL)));
    say("settime on a closed descriptor: %s", failure(timerfd_settime(99, 0, &spec, NULL)));
    say("settime on standard output: %s", failure(timerfd_settime(1, 0, &spec, NULL)));
    say("gettime into a bad pointer: %s", failure(timerfd_gettime(fd, BAD_NULL)));
    say("gettime on standard output: %s", failure(timerfd_gettime(1, &current)));
    close(fd);
    return 0;
}
