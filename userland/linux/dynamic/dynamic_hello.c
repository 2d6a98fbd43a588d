/* A dynamically linked Linux program (gcc's default: a position-independent executable with Debian's
 * /lib64/ld-linux-x86-64.so.2 as its interpreter and libc.so.6 and libm.so.6 as libraries), run by the differential
 * program `dynamic` on the build machine's Linux and on Exo-OS: what it prints depends on the dynamic linker having
 * loaded and relocated it and its libraries (stdio, malloc, libm, errno through TLS, environment, arguments). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int counter = 41;   /* .data, relocated: a PIE's own writable data */

int main(int argc, char **argv)
{
    printf("dynamic_hello: %d arguments:", argc);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    const char *greeting = getenv("GREETING");
    printf("GREETING=%s\n", greeting != NULL ? greeting : "(unset)");
    char *copy = malloc(1 << 20);   /* large: glibc maps it */
    strcpy(copy, "malloc works");
    printf("%s\n", copy);
    free(copy);
    volatile double two = 2.0;
    printf("sqrt(2) = %.6f, cbrt(27) = %.1f\n", sqrt(two), cbrt(27.0));
    errno = 0;
    if (access("/no/such/file", F_OK) != 0)
        printf("errno after access of a missing file: %s\n", errno == ENOENT ? "ENOENT" : "other");
    counter++;
    printf("counter = %d\n", counter);
    fflush(stdout);
    return 7;
}
