/* A program's own pages as execve maps them (Exo-OS maps the read-only pages of a program on tmpfs straight from the
 * file's frames, as Linux maps them from its page cache): its read-only data made writable with mprotect and written
 * is the program's own copy (the file and a new exec of it still hold the original), a fork child inherits the
 * change and its own writes stay its own, and a write to a read-only page without mprotect is SIGSEGV. */
#include "difftest.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096UL

/* Read-only data spanning whole pages (.rodata: a read-only segment of the file). */
static const char marker[3 * PAGE] __attribute__((aligned(4096))) = "textpages: the original marker";

static sigjmp_buf recover;
static void on_segv(int signal)
{
    (void)signal;
    siglongjmp(recover, 1);
}

/* Whether the program's file still holds the original marker (read through /proc/self/exe). */
static int file_holds_original(void)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    if (fd < 0)
        return 0;
    static char buffer[64 * 1024];
    size_t want = strlen(marker);
    int found = 0;
    ssize_t got;
    off_t offset = 0;
    while (!found && (got = pread(fd, buffer, sizeof buffer, offset)) > 0) {
        for (ssize_t i = 0; i + (ssize_t)want <= got; i++)
            if (memcmp(buffer + i, "textpages: the original marker", want) == 0) {
                found = 1;
                break;
            }
        offset += got - (off_t)want;
        if (got < (ssize_t)want + 1)
            break;
    }
    close(fd);
    return found;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "again") == 0) {
        check("a new exec sees the original marker", strcmp(marker, "textpages: the original marker") == 0);
        return 0;
    }
    char *page = (char *)opaque((void *)marker);

    struct sigaction action = {0};
    action.sa_handler = on_segv;
    sigaction(SIGSEGV, &action, NULL);
    volatile int faulted = 0;
    if (sigsetjmp(recover, 1) == 0)
        page[0] = 'x';
    else
        faulted = 1;
    check("a write to read-only data is SIGSEGV", faulted);
    check("and changed nothing", page[0] == 't');

    say("mprotect the marker's page writable: %s", outcome(mprotect(page, PAGE, PROT_READ | PROT_WRITE)));
    page[0] = 'T';
    check("the write is seen", page[0] == 'T');
    check("the next page is untouched", page[PAGE] == 0);
    check("the file still holds the original", file_holds_original());

    pid_t child = fork();
    if (child == 0) {
        int inherited = page[0] == 'T';
        page[1] = 'E';
        _exit(inherited && page[1] == 'E' ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    check("the fork child saw the change and wrote its own", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    check("the child's write is not the parent's", page[1] == 'e');

    say("mprotect it read-only again: %s", outcome(mprotect(page, PAGE, PROT_READ)));
    check("the change stays", page[0] == 'T');

    fflush(stdout);
    child = fork();
    if (child == 0) {
        char *again[] = {argv[0], "again", NULL};
        execv("/proc/self/exe", again);
        _exit(127);
    }
    waitpid(child, &status, 0);
    say("the new exec exited: %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
