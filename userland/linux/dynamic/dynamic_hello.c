/* A dynamically linked Linux program (gcc's default: a position-independent executable with Debian's
 * /lib64/ld-linux-x86-64.so.2 as its interpreter and libc.so.6 and libm.so.6 as libraries), run by the differential
 * program `dynamic` on the build machine's Linux and on Exo-OS: what it prints depends on the dynamic linker having
 * loaded and relocated it and its libraries (stdio, malloc, libm, errno through TLS, environment, arguments), and the
 * files /proc/self/maps names (the program, the dynamic linker and the libraries it mapped; their base names, sorted,
 * as library-listing code such as .NET's or Python's reads them). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int counter = 41;

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The base names of the files /proc/self/maps names, sorted, each once. */
static void print_mapped_files(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return;
    static char names[64][128];
    char *sorted[64];
    int count = 0;
    char line[1024];
    while (fgets(line, sizeof line, maps) != NULL && count < 64) {
        char *path = strchr(line, '/');
        if (path == NULL)
            continue;
        path[strcspn(path, "\n")] = 0;
        const char *base = strrchr(path, '/') + 1;
        int known = 0;
        for (int i = 0; i < count; i++)
            known |= strcmp(names[i], base) == 0;
        if (!known)
            snprintf(names[count++], sizeof names[0], "%s", base);
    }
    fclose(maps);
    for (int i = 0; i < count; i++)
        sorted[i] = names[i];
    qsort(sorted, (size_t)count, sizeof sorted[0], by_name);
    printf("files in /proc/self/maps:");
    for (int i = 0; i < count; i++)
        printf(" %s", sorted[i]);
    printf("\n");
}   /* .data, relocated: a PIE's own writable data */

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
    print_mapped_files();
    fflush(stdout);
    return 7;
}
