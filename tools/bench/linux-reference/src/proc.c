/* proc.spawn (fork + execve + waitpid), proc.fork (fork + _exit + waitpid) */
#include "bench.h"
#include <sys/wait.h>

static char *const child_argv[] = {"/bin/exit0", NULL};
static char *const child_envp[] = {NULL};

static void op_spawn(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            bench_die("fork");
        if (pid == 0) {
            execve(child_argv[0], child_argv, child_envp);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            bench_die("spawn /bin/exit0");
    }
}

static void op_fork(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            bench_die("fork");
        if (pid == 0)
            _exit(0);
        if (waitpid(pid, NULL, 0) != pid)
            bench_die("waitpid");
    }
}

int main(int argc, char **argv)
{
    bench_init(argc, argv);
    bench_run("proc.spawn", op_spawn, NULL, 2, BENCH_N(201, 41), 16, 1);
    bench_run("proc.fork", op_fork, NULL, 2, BENCH_N(201, 41), 32, 1);
    return 0;
}
