/* control.user_loop, syscall.null, syscall.getpid, time.clock_gettime */
#include "bench.h"
#include <sys/syscall.h>
#include <time.h>

/*
 * control.user_loop: 100 steps of a linear congruential generator, user-mode work with no system call and no memory
 * but the stack. The same binary executes the same instructions whatever kernel it runs on, so its figure must be the
 * same on Linux and on Exo-OS (POSIX-X): the row that shows the two measurements count alike (a timer interrupt lands
 * in a few samples only, which the median leaves out).
 */
static void op_user_loop(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        uint64_t x = (uint64_t)i;
        for (int step = 0; step < 100; step++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            BENCH_KEEP(x);
        }
    }
}

static void op_getppid(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++)
        BENCH_KEEP(syscall(SYS_getppid));
}

static void op_getpid(void *ctx, long n)
{
    (void)ctx;
    /* The raw system call: glibc's getpid() is not cached in glibc 2.36, but be explicit. */
    for (long i = 0; i < n; i++)
        BENCH_KEEP(syscall(SYS_getpid));
}

static void op_clock_gettime(void *ctx, long n)
{
    (void)ctx;
    struct timespec ts;
    for (long i = 0; i < n; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts); /* glibc -> vDSO */
        BENCH_KEEP(&ts);
    }
}

int main(int argc, char **argv)
{
    bench_init(argc, argv);
    int s = BENCH_N(1001, 201);
    bench_run("control.user_loop", op_user_loop, NULL, 5, s, 100, 1);
    bench_run("syscall.null", op_getppid, NULL, 5, s, 100, 1);
    bench_run("syscall.getpid", op_getpid, NULL, 5, s, 100, 1);
    bench_run("time.clock_gettime", op_clock_gettime, NULL, 5, s, 100, 1);
    return 0;
}
