/* alloc.small_pair, alloc.batch100, alloc.page (glibc malloc) */
#include "bench.h"

static void op_small_pair(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        void *p = malloc(64);
        BENCH_KEEP(p);
        free(p);
    }
}

static void *slots[100];

/* One call = 100 pairs: malloc 100 x 64 B, then free the 100. */
static void op_batch100(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        for (int j = 0; j < 100; j++) {
            slots[j] = malloc(64);
            BENCH_KEEP(slots[j]);
        }
        for (int j = 0; j < 100; j++)
            free(slots[j]);
    }
}

static void op_page(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        void *p = malloc(4096);
        BENCH_KEEP(p);
        free(p);
    }
}

int main(int argc, char **argv)
{
    bench_init(argc, argv);
    int s = BENCH_N(1001, 201);
    bench_run("alloc.small_pair", op_small_pair, NULL, 5, s, 100, 1);
    bench_run("alloc.batch100", op_batch100, NULL, 5, s, 1, 100);
    bench_run("alloc.page", op_page, NULL, 5, s, 100, 1);
    return 0;
}
