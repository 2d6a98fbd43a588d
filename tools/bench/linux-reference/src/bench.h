/*
 * Shared helpers for the Linux reference benchmarks (docs/serial-protocols.md).
 *
 * Timing: tsc_read() is "lfence; rdtsc; lfence". The first lfence keeps rdtsc from
 * running before earlier instructions finish, the second keeps later ones from
 * starting before it (on real hardware; TCG executes in order anyway). Under QEMU
 * TCG with -icount shift=0 the TSC advances exactly one tick per guest instruction,
 * so a TSC delta is the number of guest instructions executed in between (user and
 * kernel, including interrupts that happened to land in the interval).
 *
 * Method, for every metric: warm up (at least a few batches and at least
 * BENCH_WARM_TSC instructions, so that the scheduler reaches its steady state: a
 * freshly forked partner starts with a vruntime debit and, until that is used up,
 * sched_yield does not switch and wake-ups do not preempt), then take S samples; one
 * sample is a batch of N operations timed together, its value is delta / N
 * (rounded to nearest). The reported figures are the median (lower median) and
 * the minimum of the S sample values; iterations = S * N timed operations.
 * A timer tick (HZ=250: every 4M instructions) lands in only a few samples,
 * which the median ignores, so the median is stable from run to run. Operations
 * with deferred work (thread and process teardown finish in RCU callbacks run
 * from the tick) use batches longer than a tick period, so that every sample
 * carries its share of that work and the samples agree with each other.
 */
#ifndef EXO_BENCH_H
#define EXO_BENCH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int bench_quick;
static int bench_verbose; /* "verbose": also print the spread of every metric (not parsed) */

static inline uint64_t tsc_read(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Keeps the compiler from removing or merging work whose result is unused. */
#define BENCH_KEEP(p) __asm__ __volatile__("" : : "r"(p) : "memory")

static __attribute__((unused)) void bench_die(const char *what)
{
    char buf[256];
    int len = snprintf(buf, sizeof buf, "linux-reference: %s failed\n", what);
    if (write(2, buf, (size_t)len) < 0) { /* nothing left to do */ }
    _exit(1);
}

static __attribute__((unused)) void bench_pin_cpu0(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        bench_die("sched_setaffinity");
}

/* Parses "quick" and pins the process (and its future children/threads) to CPU 0. */
static __attribute__((unused)) void bench_init(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "quick") == 0)
            bench_quick = 1;
        else if (strcmp(argv[i], "verbose") == 0)
            bench_verbose = 1;
    bench_pin_cpu0();
}

/* Warm-up length in instructions (TSC ticks): 64 M, about 16 timer ticks. */
#define BENCH_WARM_TSC (64ull << 20)

/* True while warm-up must go on: fewer than min_batches done or too little time spent. */
static inline int bench_warming(uint64_t start, int batches_done, int min_batches)
{
    return batches_done < min_batches || tsc_read() - start < BENCH_WARM_TSC;
}

/* Full or quick count. */
#define BENCH_N(full, quick) (bench_quick ? (quick) : (full))

static __attribute__((unused)) int bench_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static inline uint64_t bench_per_op(uint64_t delta, uint64_t ops)
{
    return (delta + ops / 2) / ops;
}

/* One line, written with a single write() so nothing interleaves with it. */
static __attribute__((unused)) void bench_report(const char *name, uint64_t *values, int n, uint64_t total_ops)
{
    qsort(values, (size_t)n, sizeof values[0], bench_cmp_u64);
    uint64_t median = values[(n - 1) / 2];
    uint64_t min = values[0];
    char buf[256];
    int len = snprintf(buf, sizeof buf,
                       "EXO-BENCH %s median=%llu min=%llu iterations=%llu unit=instructions\n",
                       name, (unsigned long long)median, (unsigned long long)min,
                       (unsigned long long)total_ops);
    if (write(1, buf, (size_t)len) != len)
        bench_die("write");
    if (bench_verbose) {
        len = snprintf(buf, sizeof buf,
                       "linux-reference: %s samples=%d p10=%llu p25=%llu p75=%llu p90=%llu max=%llu\n",
                       name, n, (unsigned long long)values[n / 10], (unsigned long long)values[n / 4],
                       (unsigned long long)values[n * 3 / 4], (unsigned long long)values[n * 9 / 10],
                       (unsigned long long)values[n - 1]);
        if (write(1, buf, (size_t)len) < 0)
            bench_die("write");
    }
}

/*
 * Sample storage. Static, so that the heap layout (and with it the malloc
 * benchmarks) does not depend on the sample count of quick or full mode.
 */
#define BENCH_MAX_SAMPLES 2048
static uint64_t bench_values[BENCH_MAX_SAMPLES];

static __attribute__((unused)) uint64_t *bench_samples(int n)
{
    if (n <= 0 || n > BENCH_MAX_SAMPLES)
        bench_die("sample count");
    return bench_values;
}

/*
 * Marks for tools/bench/exo_count.c, a QEMU plugin that counts the instructions the whole guest runs between them
 * (the storage rows, whose boots run with -icount sleep=on: there the TSC also advances with the host's real time
 * while the guest halts waiting for the disk). A program that sets bench_marks calls bench_mark_begin and
 * bench_mark_end around every timed batch (outside the TSC reads) and bench_mark_row before each report line. The
 * plugin knows them by their first instruction, "mov $0x45584fKK, %eax" ("EXO" and the kind KK), so they must stay
 * functions of their own.
 */
static int bench_marks;
#define BENCH_MARK(name, kind) \
    static __attribute__((noinline, unused)) void name(void) { __asm__ __volatile__("movl $0x45584f0" #kind ", %%eax" : : : "eax", "memory"); }
BENCH_MARK(bench_mark_begin, 1)
BENCH_MARK(bench_mark_end, 2)
BENCH_MARK(bench_mark_row, 3)

/* Performs n operations. */
typedef void (*bench_fn)(void *ctx, long n);

/*
 * Warm-up, then `samples` batches of `batch` calls of fn; each call performs
 * `ops_per_call` reported operations (e.g. 100 malloc/free pairs).
 */
static __attribute__((unused)) void bench_run(const char *name, bench_fn fn, void *ctx, int warmup, int samples,
                      long batch, long ops_per_call)
{
    uint64_t *values = bench_samples(samples);
    uint64_t start = tsc_read();
    for (int i = 0; bench_warming(start, i, warmup); i++)
        fn(ctx, batch);
    for (int i = 0; i < samples; i++) {
        if (bench_marks)
            bench_mark_begin();
        uint64_t t0 = tsc_read();
        fn(ctx, batch);
        uint64_t t1 = tsc_read();
        if (bench_marks)
            bench_mark_end();
        values[i] = bench_per_op(t1 - t0, (uint64_t)(batch * ops_per_call));
    }
    if (bench_marks)
        bench_mark_row();
    bench_report(name, values, samples, (uint64_t)samples * (uint64_t)batch * (uint64_t)ops_per_call);
}

#endif
