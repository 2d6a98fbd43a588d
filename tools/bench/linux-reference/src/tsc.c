/*
 * A boot row: the TSC, printed as the row named by the first argument (boot.to_init without one). Under -icount
 * shift=0 the TSC starts near 0 at reset and counts guest instructions, so its value here approximates the
 * instructions from reset to this program. /init runs it first (boot.to_init: firmware, kernel boot, initramfs
 * unpacking, the shell starting this program); the login shell's profile runs it as "tsc boot.to_shell" just
 * before its first prompt (profile-boot-to-shell). The same binary does both on Linux and on Exo-OS.
 */
#include "bench.h"

int main(int argc, char **argv)
{
    uint64_t t = tsc_read();
    const char *name = argc > 1 ? argv[1] : "boot.to_init";
    char buf[200];
    int len = snprintf(buf, sizeof buf, "EXO-BENCH %s median=%llu min=%llu iterations=1 unit=instructions\n",
                       name, (unsigned long long)t, (unsigned long long)t);
    return len > 0 && len < (int)sizeof buf && write(1, buf, (size_t)len) == len ? 0 : 1;
}
