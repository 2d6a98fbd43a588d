/*
 * The dynamic boot's rows: Debian's own dynamically linked programs started from a static harness, the same binaries
 * on Linux and through POSIX-X. Each operation is fork + execve + waitpid of one program, its output to /dev/null.
 *   proc.exec_dynamic   bash -c true (ld.so, libc, libtinfo; bash runs the builtin and exits)
 *   python.startup      python3.11 -c pass (the interpreter, its minimal standard library: site, encodings, os)
 *   hackbench.*         Debian's rt-tests hackbench: 2 groups of 5 senders and 5 receivers, 20 messages of 100 bytes
 *                       from each sender to each receiver of its group (1,000 messages), over sockets (AF_UNIX
 *                       socketpair) or pipes (-p), between processes (the default) or threads (-T)
 * One operation per sample (each is millions of instructions: every sample is longer than a timer tick).
 */
#include "../src/bench.h"
#include <fcntl.h>
#include <sys/wait.h>

struct program {
    const char *what;
    char *const *argv;
};

static char *const environment[] = {"PATH=/usr/bin:/bin", "HOME=/", "LANG=C", NULL};
static char *const bash_true[] = {"/bin/bash", "-c", "true", NULL};
static char *const python_pass[] = {"/usr/bin/python3.11", "-c", "pass", NULL};
static char *const hackbench_process_socket[] = {"/usr/bin/hackbench", "-g", "2", "-f", "5", "-l", "20", "-s", "100", NULL};
static char *const hackbench_process_pipe[] = {"/usr/bin/hackbench", "-p", "-g", "2", "-f", "5", "-l", "20", "-s", "100", NULL};
static char *const hackbench_thread_socket[] = {"/usr/bin/hackbench", "-T", "-g", "2", "-f", "5", "-l", "20", "-s", "100", NULL};
static char *const hackbench_thread_pipe[] = {"/usr/bin/hackbench", "-T", "-p", "-g", "2", "-f", "5", "-l", "20", "-s", "100", NULL};

static void op_run(void *ctx, long n)
{
    const struct program *program = ctx;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            bench_die("fork");
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0) {
                dup2(null, 1);
                close(null);
            }
            execve(program->argv[0], program->argv, environment);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            char what[128];
            snprintf(what, sizeof what, "%s (status 0x%x)", program->what, status);
            bench_die(what);
        }
    }
}

static void measure(const char *name, const char *what, char *const *argv, int full, int quick)
{
    struct program program = {what, argv};
    bench_run(name, op_run, &program, 2, BENCH_N(full, quick), 1, 1);
}

int main(int argc, char **argv)
{
    bench_init(argc, argv);
    measure("proc.exec_dynamic", "bash -c true", bash_true, 31, 7);
    measure("python.startup", "python3.11 -c pass", python_pass, 11, 3);
    measure("hackbench.process_socket", "hackbench", hackbench_process_socket, 11, 3);
    measure("hackbench.process_pipe", "hackbench -p", hackbench_process_pipe, 11, 3);
    measure("hackbench.thread_socket", "hackbench -T", hackbench_thread_socket, 11, 3);
    measure("hackbench.thread_pipe", "hackbench -T -p", hackbench_thread_pipe, 11, 3);
    return 0;
}
