/* ctx.switch (sched_yield ping-pong between two processes on CPU 0), thread.create_join */
#include "bench.h"
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

struct shared {
    volatile uint64_t yields; /* sched_yield calls made by the partner */
    volatile int stop;
};

/*
 * The parent yields n times while the partner (pinned to the same CPU, like the
 * parent) yields in a loop. With only these two runnable, every sched_yield hands
 * the CPU to the other process, so the number of switches in the interval is the
 * parent's yields plus the partner's. Value per switch = delta / switches.
 */
static void bench_ctx_switch(void)
{
    struct shared *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        bench_die("mmap");
    pid_t pid = fork();
    if (pid < 0)
        bench_die("fork");
    if (pid == 0) {
        while (!sh->stop) {
            sched_yield();
            sh->yields++;
        }
        _exit(0);
    }
    const int samples = BENCH_N(1001, 201);
    const long batch = 50;
    uint64_t *values = bench_samples(samples);
    uint64_t total = 0;
    uint64_t start = tsc_read();
    for (int i = 0; bench_warming(start, i, 5); i++)
        for (long j = 0; j < batch; j++)
            sched_yield();
    for (int i = 0; i < samples; i++) {
        uint64_t t0 = tsc_read();
        uint64_t c0 = sh->yields;
        for (long j = 0; j < batch; j++)
            sched_yield();
        uint64_t c1 = sh->yields;
        uint64_t t1 = tsc_read();
        uint64_t switches = (uint64_t)batch + (c1 - c0);
        values[i] = bench_per_op(t1 - t0, switches);
        total += switches;
    }
    sh->stop = 1;
    waitpid(pid, NULL, 0);
    bench_report("ctx.switch", values, samples, total);
    munmap(sh, 4096);
}

static void *empty_thread(void *arg)
{
    return arg;
}

static void op_thread(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, empty_thread, NULL) != 0)
            bench_die("pthread_create");
        pthread_join(t, NULL);
    }
}

int main(int argc, char **argv)
{
    bench_init(argc, argv);
    bench_ctx_switch();
    bench_run("thread.create_join", op_thread, NULL, 2, BENCH_N(301, 61), 64, 1);
    return 0;
}
