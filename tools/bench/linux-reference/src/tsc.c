/*
 * boot.to_init: the first C program /init runs. Under -icount shift=0 the TSC
 * starts near 0 at reset and counts guest instructions, so its value here
 * approximates the instructions from reset to /init (firmware, kernel boot,
 * initramfs unpacking, the shell starting this program).
 */
#include "bench.h"

int main(void)
{
    uint64_t t = tsc_read();
    char buf[160];
    int len = snprintf(buf, sizeof buf,
                       "EXO-BENCH boot.to_init median=%llu min=%llu iterations=1 unit=instructions\n",
                       (unsigned long long)t, (unsigned long long)t);
    return write(1, buf, (size_t)len) == len ? 0 : 1;
}
