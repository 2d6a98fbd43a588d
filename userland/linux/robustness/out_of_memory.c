/* Out of memory: absurd requests are refused with ENOMEM, and a process that touches memory until none is left is
 * ended by the kernel (Linux's OOM killer sends SIGKILL; Exo-OS ends the process whose page fault found no frame);
 * then the memory comes back: the same amount can be taken and touched again, and a normal program runs (the boot
 * test checks that the kernel's free frames and heap are back where they were).
 *   out_of_memory [MEBIBYTES_AT_MOST]   (default: no bound but the machine's memory)
 * Prints one line per finding; exits 0 when every check held. */
#include "robustness.h"
#include <stdint.h>
#include <sys/mman.h>

#define MIB (1024UL * 1024)

/* Touches memory, one MiB mapping at a time, until the kernel ends this process (or mmap refuses: exit 3, or the
 * bound: exit 4). Reports each 8 MiB reached through 'report' (the parent reads how far it got). */
static void hog(int report, uint64_t most)
{
    uint64_t touched = 0;
    for (;;) {
        if (most != 0 && touched >= most)
            _exit(4);
        char *chunk = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (chunk == MAP_FAILED)
            _exit(3);
        for (uint64_t offset = 0; offset < MIB; offset += 4096)
            chunk[offset] = 1;
        touched += MIB;
        if (touched % (8 * MIB) == 0) {
            uint32_t mebibytes = (uint32_t)(touched / MIB);
            if (write(report, &mebibytes, sizeof mebibytes) < 0)
                _exit(5);
        }
    }
}

/* Runs the hog in a child: how it ended and how far it got (MiB). */
static int run_hog(uint64_t most, uint32_t *reached)
{
    int ends[2];
    if (pipe(ends) != 0)
        return -1;
    pid_t child = fork();
    if (child == 0) {
        close(ends[0]);
        hog(ends[1], most);
    }
    close(ends[1]);
    *reached = 0;
    uint32_t value;
    while (read(ends[0], &value, sizeof value) == (ssize_t)sizeof value)
        *reached = value;
    close(ends[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

int main(int argc, char **argv)
{
    input_from_null();
    uint64_t most = argc > 1 ? strtoull(argv[1], NULL, 0) * MIB : 0;
    int failures = 0;

    /* Absurd sizes: more than any machine has, or more than an address space holds. */
    void *huge = mmap(NULL, 1UL << 46, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap of 64 TiB: %s", huge == MAP_FAILED ? errno_name(errno) : "succeeded");
    failures += huge != MAP_FAILED;
    huge = mmap(NULL, (size_t)-4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap of 2^64 - 4096 bytes: %s", huge == MAP_FAILED ? errno_name(errno) : "succeeded");
    failures += huge != MAP_FAILED;
    uintptr_t current = (uintptr_t)syscall(SYS_brk, 0);
    uintptr_t moved = (uintptr_t)syscall(SYS_brk, current + (1UL << 44));
    check("brk 16 TiB up is refused (the break stays)", moved == current);
    failures += moved != current;
    void *grown = sbrk(1L << 44);
    say("sbrk of 16 TiB: %s", grown == (void *)-1 ? errno_name(errno) : "succeeded");
    failures += grown != (void *)-1;
    void *lots = malloc(1UL << 44);
    check("malloc of 16 TiB returns null", lots == NULL);
    failures += lots != NULL;

    double start = now();
    uint32_t first = 0, second = 0;
    int status = run_hog(most, &first);
    say("the hog touched %u MiB and %s (%.1f s)", first, ending(status), now() - start);
    int ended = WIFSIGNALED(status) && (WTERMSIG(status) == SIGKILL || WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
    int bounded = most != 0 && WIFEXITED(status) && WEXITSTATUS(status) == 4;
    check("the kernel ended it with SIGKILL, SIGSEGV or SIGBUS (or it reached its bound)", ended || bounded);
    failures += !(ended || bounded);

    status = run_hog(most, &second);
    say("again: the hog touched %u MiB and %s", second, ending(status));
    /* The second hog gets about as far: within 8 MiB (the progress step) and a little the kernel may keep. */
    check("the memory came back: the second hog got as far as the first (within 16 MiB)", second + 16 >= first);
    failures += second + 16 < first;

    char *after = mmap(NULL, 16 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int usable = after != MAP_FAILED;
    for (uint64_t offset = 0; usable && offset < 16 * MIB; offset += 4096)
        after[offset] = 2;
    check("afterwards 16 MiB can be mapped and touched", usable);
    failures += !usable;
    say("out_of_memory: %s", failures == 0 ? "every check held" : "some checks failed");
    return failures == 0 ? 0 : 1;
}
