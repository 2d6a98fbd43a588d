/* A static position-independent Linux program (gcc -static-pie: no interpreter, glibc linked in, the program relocates
 * itself at start, as Rust's musl targets and Go's -buildmode=pie -extldflags=-static build them), run by the
 * differential program `dynamic` on the build machine's Linux and on Exo-OS: what it prints depends on the kernel having
 * loaded it at a base of its choosing and glibc's start-up having applied its relative relocations (pointers in data,
 * function pointers, TLS, stdio and malloc). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>

static const char *words[] = { "pointers", "in", "data", "relocated" };   /* R_X86_64_RELATIVE each */
static int twice(int value) { return 2 * value; }
static int (*operation)(int) = twice;                                       /* a function pointer in data */
static __thread int per_thread = 5;                                         /* TLS in a static PIE */

int main(int argc, char **argv)
{
    printf("static_pie_hello: %d arguments:", argc);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        printf("%s%s", i ? " " : "", words[i]);
    printf("\n");
    printf("operation(21) = %d, per_thread = %d\n", operation(21), per_thread);
    const char *greeting = getenv("GREETING");
    printf("GREETING=%s\n", greeting != NULL ? greeting : "(unset)");
    char *copy = malloc(1 << 20);
    strcpy(copy, "malloc works");
    printf("%s\n", copy);
    free(copy);
    /* Loaded away from its link-time base (0) and with no interpreter: AT_BASE is 0, AT_ENTRY past AT_PHDR's page. */
    printf("AT_BASE %s, loaded above 64 KiB %s, AT_ENTRY past AT_PHDR %s\n", getauxval(AT_BASE) == 0 ? "0" : "set",
           (unsigned long)&main > 0x10000 ? "yes" : "no", getauxval(AT_ENTRY) > getauxval(AT_PHDR) ? "yes" : "no");
    errno = 0;
    if (access("/no/such/file", F_OK) != 0)
        printf("errno after access of a missing file: %s\n", errno == ENOENT ? "ENOENT" : "other");
    fflush(stdout);
    return 9;
}
