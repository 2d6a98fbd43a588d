/* mem.page_fault: first touch of anonymous pages, per page */
#include "bench.h"
#include <sys/mman.h>

#define PAGES 256

/*
 * One sample: mmap a fresh 1 MiB anonymous region (huge pages off), then time
 * writing one byte to each of its 256 pages; mmap and munmap are not timed.
 * Returns the instructions per page.
 */
static uint64_t touch_region(void)
{
    char *p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        bench_die("mmap");
    madvise(p, PAGES * 4096, MADV_NOHUGEPAGE);
    uint64_t t0 = tsc_read();
    for (int j = 0; j < PAGES; j++)
        ((volatile char *)p)[j * 4096] = 1;
    uint64_t t1 = tsc_read();
    munmap(p, PAGES * 4096);
    return bench_per_op(t1 - t0, PAGES);
}

int main(int argc, char **argv)
{
    bench_init(argc, argv);
    const int samples = BENCH_N(1001, 201);
    uint64_t *values = bench_samples(samples);
    uint64_t start = tsc_read();
    for (int i = 0; bench_warming(start, i, 3); i++)
        touch_region();
    for (int i = 0; i < samples; i++)
        values[i] = touch_region();
    bench_report("mem.page_fault", values, samples, (uint64_t)samples * PAGES);
    return 0;
}
