/* Dynamic linking: a dynamically linked program (userland/linux/dynamic/dynamic_hello, gcc's default PIE with Debian's
 * dynamic linker and glibc's shared libraries) run by execve with arguments and an environment, its output read
 * through a pipe and its exit status checked (executables.c has a missing interpreter's ENOENT); another with threads
 * (dynamic_threads); and a static position-independent one (static_pie_hello: no interpreter, it relocates itself). The helper lies beside this program (found through /proc/self/exe, on Linux and on Exo-OS alike). */
#include "difftest.h"
#include <limits.h>
#include <sys/wait.h>

static void helper_path(char *path, size_t capacity, const char *name)
{
    char self[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length < 0)
        length = 0;
    self[length] = 0;
    char *slash = strrchr(self, '/');
    if (slash != NULL)
        *slash = 0;
    snprintf(path, capacity, "%s/%s", self, name);
}

/* Runs the helper 'name' with two arguments and an environment, its output read through a pipe: each line said, then
 * its exit status. */
static void run_helper(const char *name)
{
    char path[PATH_MAX + 32];
    helper_path(path, sizeof path, name);
    say("the helper %s is beside this program: %s", name, yes(access(path, X_OK) == 0));

    int ends[2];
    if (pipe(ends) != 0)
        exit(1);
    pid_t child = fork();
    if (child == 0) {
        dup2(ends[1], 1);
        close(ends[0]);
        close(ends[1]);
        char *arguments[] = { (char *)name, "one", "two words", NULL };
        char *environment[] = { "GREETING=hello from the parent", NULL };
        execve(path, arguments, environment);
        _exit(127);
    }
    close(ends[1]);
    char output[4096];
    size_t used = 0;
    ssize_t got;
    while (used < sizeof output - 1 && (got = read(ends[0], output + used, sizeof output - 1 - used)) > 0)
        used += (size_t)got;
    output[used] = 0;
    close(ends[0]);
    int status = 0;
    waitpid(child, &status, 0);
    /* the helper's lines, each said on its own line */
    for (char *line = strtok(output, "\n"); line != NULL; line = strtok(NULL, "\n"))
        say("helper: %s", line);
    say("helper exit status: %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(void)
{
    scratch_enter("dynamic");
    run_helper("dynamic_hello");
    run_helper("dynamic_threads");
    run_helper("static_pie_hello");
    scratch_leave();
    return 0;
}
