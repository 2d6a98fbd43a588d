/* A fork bomb, three ways, each ending by itself: the system must refuse forks cleanly (EAGAIN when the process table
 * or RLIMIT_NPROC is full, or ENOMEM), end every child, and go on (the boot test then runs a normal program and
 * checks that the kernel's memory came back).
 * 1. Flat: fork until fork fails; every child waits on a pipe, and all exit once the parent closes it.
 * 2. A tree: every process forks up to three children (five levels deep) until a fork fails, then waits for them.
 * 3. RLIMIT_NPROC a few above the processes there are: fork fails with EAGAIN at the limit (Exo-OS holds root to the
 *    limit too; Linux exempts root, which is why this program runs on Exo-OS only).
 * Prints one line per finding; exits 0 when every child ended as expected. */
#include "robustness.h"
#include <sys/mman.h>
#include <sys/resource.h>

struct shared {
    volatile int failures;      /* forks that failed in the tree */
    volatile int forks;         /* forks that succeeded in the tree */
    volatile int wrong_errno;   /* a fork failed with something other than EAGAIN or ENOMEM */
};
static struct shared *shared;

static int expected_errno(int e) { return e == EAGAIN || e == ENOMEM; }

/* Forks until fork fails (at most 'most' children), every child waiting for the pipe to close. Returns the count;
 * the failure's errno in *failed_with (0: the limit 'most' came first). */
static int flat(int most, int *failed_with, int *children_ok)
{
    int ends[2];
    if (pipe(ends) != 0)
        return -1;
    int count = 0;
    *failed_with = 0;
    while (count < most) {
        pid_t child = fork();
        if (child < 0) {
            *failed_with = errno;
            break;
        }
        if (child == 0) {
            close(ends[1]);
            char byte;
            while (read(ends[0], &byte, 1) < 0 && errno == EINTR)
                ;
            _exit(7);
        }
        count++;
    }
    close(ends[1]);
    close(ends[0]);
    *children_ok = 0;
    for (int i = 0; i < count; i++) {
        int status;
        pid_t ended;
        while ((ended = wait(&status)) < 0 && errno == EINTR)
            ;
        if (ended > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 7)
            (*children_ok)++;
    }
    return count;
}

static void tree(int depth)
{
    int children = 0;
    for (int i = 0; i < 3 && depth < 5; i++) {
        pid_t child = fork();
        if (child < 0) {
            __sync_fetch_and_add(&shared->failures, 1);
            if (!expected_errno(errno))
                __sync_fetch_and_add(&shared->wrong_errno, 1);
            break;
        }
        if (child == 0) {
            tree(depth + 1);
            _exit(0);
        }
        __sync_fetch_and_add(&shared->forks, 1);
        children++;
    }
    while (children > 0) {
        int status;
        if (wait(&status) > 0)
            children--;
        else if (errno != EINTR)
            break;
    }
}

int main(void)
{
    input_from_null();
    shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        say("shared page: %s", errno_name(errno));
        return 1;
    }
    int failed_with, children_ok, failures = 0;

    double start = now();
    int count = flat(100000, &failed_with, &children_ok);
    say("flat: %d children forked before fork failed with %s (%.1f s)", count, errno_name(failed_with), now() - start);
    check("flat: fork failed with EAGAIN or ENOMEM", expected_errno(failed_with));
    check("flat: every child exited with 7 once the pipe closed", children_ok == count);
    failures += !expected_errno(failed_with) || children_ok != count;
    check("flat: no child is left to wait for", wait(NULL) < 0 && errno == ECHILD);

    start = now();
    pid_t root = fork();
    if (root == 0) {
        tree(0);
        _exit(0);
    }
    int status = 0;
    while (waitpid(root, &status, 0) < 0 && errno == EINTR)
        ;
    say("tree: %d forks, %d refused (%.1f s)", shared->forks, shared->failures, now() - start);
    check("tree: every refused fork said EAGAIN or ENOMEM", shared->wrong_errno == 0);
    check("tree: its root exited with 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    failures += shared->wrong_errno != 0 || !(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* Again after the tree: the flat bomb gets as far as the first time (every slot came back). */
    int again = flat(100000, &failed_with, &children_ok);
    say("flat again: %d children", again);
    check("flat again: as many children as the first time (every process slot came back)", again == count);
    check("flat again: every child exited", children_ok == again);
    failures += again != count || children_ok != again;

    struct rlimit limit = { 5, 5 };
    pid_t limited = fork();
    if (limited == 0) {
        /* This process and its children count: at most 5 processes of this user beyond... the ones there are. */
        struct rlimit old;
        getrlimit(RLIMIT_NPROC, &old);
        if (setrlimit(RLIMIT_NPROC, &limit) != 0)
            _exit(10);
        int made = flat(100, &failed_with, &children_ok);
        _exit(made < 5 && failed_with == EAGAIN && children_ok == made ? 0 : 11);
    }
    while (waitpid(limited, &status, 0) < 0 && errno == EINTR)
        ;
    check("RLIMIT_NPROC 5: fork failed with EAGAIN before 5 more children, and they all exited",
          WIFEXITED(status) && WEXITSTATUS(status) == 0);
    failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    check("no child is left to wait for", wait(NULL) < 0 && errno == ECHILD);
    say("fork_bomb: %s", failures == 0 ? "every check held" : "some checks failed");
    return failures == 0 ? 0 : 1;
}
