/* Time: clock_gettime for every clock (relations only: monotonic never goes back, boot time >= monotonic, real time
 * agrees with gettimeofday and time), clock_getres, nanosleep and clock_nanosleep (relative and absolute: at least
 * the time asked), CPU-time clocks that advance with work, interval timers (setitimer/getitimer with SIGALRM), and
 * the errors EINVAL, EFAULT (raw calls: glibc's vDSO path would fault in the program instead). */
#include "difftest.h"
#include <signal.h>
#include <sys/time.h>
#include <time.h>

static long long nanoseconds(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return nanoseconds(t);
}

/* A call that returns its error number (0 for success) rather than setting errno. */
static const char *returned(int error) { return error == 0 ? "ok" : errno_name(error); }

static volatile sig_atomic_t alarms;
static void on_alarm(int number) { (void)number; alarms++; }

int main(void)
{
    static const struct { clockid_t id; const char *name; } clocks[] = {
        { CLOCK_REALTIME, "CLOCK_REALTIME" }, { CLOCK_MONOTONIC, "CLOCK_MONOTONIC" }, { CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" },
        { CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID" }, { CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" },
        { CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" }, { CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" },
        { CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
    };
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        struct timespec t = { -1, -1 }, resolution = { -1, -1 };
        int got = clock_gettime(clocks[i].id, &t);
        int res = clock_getres(clocks[i].id, &resolution);
        say("%s: gettime %s, valid %s, getres %s, resolution within (0, 10 ms] %s", clocks[i].name, outcome(got),
            yes(t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000), outcome(res),
            yes(nanoseconds(resolution) > 0 && nanoseconds(resolution) <= 10000000));
    }

    struct timespec real;
    clock_gettime(CLOCK_REALTIME, &real);
    check("real time is between 2020 and 2100", real.tv_sec > 1577836800 && real.tv_sec < 4102444800LL);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    check("gettimeofday is within a second of CLOCK_REALTIME", tv.tv_sec - real.tv_sec <= 1 && tv.tv_sec >= real.tv_sec);
    check("gettimeofday's microseconds are valid", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    time_t seconds = time(NULL);
    check("time() is within a second of it (it may read a coarser clock)", seconds - real.tv_sec <= 1 && real.tv_sec - seconds <= 1);
    /* Monotonic first, then boot time: C leaves the order of a comparison's operands open, and a preemption between
     * the two reads under a loaded emulator is longer than any slack. */
    long long monotonic_first = now(CLOCK_MONOTONIC);
    check("CLOCK_BOOTTIME >= CLOCK_MONOTONIC", now(CLOCK_BOOTTIME) >= monotonic_first);

    long long previous = now(CLOCK_MONOTONIC);
    int monotonic = 1;
    for (int i = 0; i < 1000; i++) {
        long long t = now(CLOCK_MONOTONIC);
        monotonic &= t >= previous;
        previous = t;
    }
    check("CLOCK_MONOTONIC never goes back over 1000 reads", monotonic);

    long long cpu_before = now(CLOCK_PROCESS_CPUTIME_ID), thread_before = now(CLOCK_THREAD_CPUTIME_ID);
    volatile unsigned long spin = 0;
    for (unsigned long i = 0; i < 50000000; i++)
        spin += i;
    check("process CPU time advanced with work", now(CLOCK_PROCESS_CPUTIME_ID) > cpu_before);
    check("thread CPU time advanced with work", now(CLOCK_THREAD_CPUTIME_ID) > thread_before);

    /* sleeping */
    long long start = now(CLOCK_MONOTONIC);
    struct timespec twenty = { 0, 20000000 }, left = { -1, -1 };
    say("nanosleep 20 ms: %s", outcome(nanosleep(&twenty, &left)));
    check("at least 20 ms passed", now(CLOCK_MONOTONIC) - start >= 20000000);
    struct timespec zero = { 0, 0 };
    say("nanosleep 0: %s", outcome(nanosleep(&zero, NULL)));
    struct timespec bad = { 0, 1000000000 };
    say("nanosleep tv_nsec 1e9: %s", failure(nanosleep(&bad, NULL)));
    struct timespec negative = { -1, 0 };
    say("nanosleep negative seconds: %s", failure(nanosleep(&negative, NULL)));
    say("nanosleep bad pointer: %s", failure(syscall(SYS_nanosleep, BAD_KERNEL, NULL)));
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 30000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    say("clock_nanosleep TIMER_ABSTIME 30 ms ahead: %s", returned(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL)));
    check("woke at or after the deadline", now(CLOCK_MONOTONIC) >= nanoseconds(deadline));
    struct timespec past = { 0, 1 };
    say("clock_nanosleep to an absolute time in the past: %s", returned(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL)));
    say("clock_nanosleep relative 10 ms on CLOCK_REALTIME: %s", returned(clock_nanosleep(CLOCK_REALTIME, 0, &(struct timespec){ 0, 10000000 }, NULL)));
    say("clock_nanosleep on CLOCK_THREAD_CPUTIME_ID: %s", returned(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &zero, NULL)));

    /* errors, raw */
    struct timespec t;
    say("clock_gettime clock 99: %s", failure(syscall(SYS_clock_gettime, 99, &t)));
    say("clock_gettime clock -1: %s", failure(syscall(SYS_clock_gettime, -1, &t)));
    say("clock_gettime bad pointer: %s", failure(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_KERNEL)));
    say("clock_getres clock 99: %s", failure(syscall(SYS_clock_getres, 99, &t)));
    say("clock_getres NULL (allowed): %s", outcome(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL)));
    say("gettimeofday bad pointer: %s", failure(syscall(SYS_gettimeofday, BAD_KERNEL, NULL)));
    say("time() bad pointer: %s", failure(syscall(SYS_time, BAD_KERNEL)));
    say("clock_settime CLOCK_MONOTONIC (never settable): %s", failure(clock_settime(CLOCK_MONOTONIC, &real)));
    struct timespec invalid = { 0, 2000000000 };
    say("clock_settime CLOCK_REALTIME tv_nsec 2e9: %s", failure(clock_settime(CLOCK_REALTIME, &invalid)));

    /* interval timers */
    struct itimerval timer, old;
    int got = getitimer(ITIMER_REAL, &old);
    say("getitimer ITIMER_REAL at start: %s, zero: %s", outcome(got),
        yes(old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0 && old.it_interval.tv_sec == 0 && old.it_interval.tv_usec == 0));
    signal(SIGALRM, on_alarm);
    timer.it_value.tv_sec = 0;
    timer.it_value.tv_usec = 20000;
    timer.it_interval.tv_sec = 0;
    timer.it_interval.tv_usec = 20000;
    start = now(CLOCK_MONOTONIC);
    int armed = setitimer(ITIMER_REAL, &timer, NULL);
    say("setitimer ITIMER_REAL 20 ms repeating: %s", outcome(armed));
    while (armed == 0 && alarms < 3 && (pause() == 0 || errno == EINTR))
        ;
    check("three SIGALRMs took at least 60 ms", now(CLOCK_MONOTONIC) - start >= 60000000);
    getitimer(ITIMER_REAL, &old);
    check("getitimer shows the 20 ms interval", old.it_interval.tv_sec == 0 && old.it_interval.tv_usec == 20000);
    check("and a value within it", old.it_value.tv_sec == 0 && old.it_value.tv_usec <= 20000);
    memset(&timer, 0, sizeof timer);
    say("setitimer 0 stops it: %s", outcome(setitimer(ITIMER_REAL, &timer, &old)));
    getitimer(ITIMER_REAL, &old);
    check("stopped", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
    timer.it_value.tv_usec = 1000000;
    say("setitimer with tv_usec 1000000: %s", failure(setitimer(ITIMER_REAL, &timer, NULL)));
    say("setitimer which 5: %s", failure(syscall(SYS_setitimer, 5, &timer, NULL)));
    say("getitimer bad pointer: %s", failure(syscall(SYS_getitimer, ITIMER_REAL, BAD_KERNEL)));
    /* (2 s: run time is charged a whole tick at a time, so a 10 ms timer may expire before getitimer, and its
     * default action ends the program) */
    struct itimerval virtual_timer = { { 0, 0 }, { 2, 0 } };
    say("setitimer ITIMER_VIRTUAL: %s", outcome(setitimer(ITIMER_VIRTUAL, &virtual_timer, NULL)));
    getitimer(ITIMER_VIRTUAL, &old);
    check("ITIMER_VIRTUAL armed (its value is rounded to the system's tick)", old.it_value.tv_sec > 0 || old.it_value.tv_usec > 0);
    memset(&virtual_timer, 0, sizeof virtual_timer);
    setitimer(ITIMER_VIRTUAL, &virtual_timer, NULL);
    return 0;
}
