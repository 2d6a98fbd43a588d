/* ipc.rtt, ipc.rtt_64 (pipe round trips between two processes), ipc.futex_rtt (two threads), ipc.futex_rtt_process
 * (two processes, on a MAP_SHARED anonymous word inherited across fork) */
#include "bench.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

struct pipes {
    int to_child[2], to_parent[2];
    size_t size;
};

static void full_write(int fd, const void *buf, size_t n)
{
    if (write(fd, buf, n) != (ssize_t)n)
        bench_die("pipe write");
}

static int full_read(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r <= 0)
            return 0;
        got += (size_t)r;
    }
    return 1;
}

/* One round trip: parent writes `size` bytes, the child reads them and writes them back. */
static void op_pipe_rtt(void *ctx, long n)
{
    struct pipes *p = ctx;
    char buf[64] = {0};
    for (long i = 0; i < n; i++) {
        full_write(p->to_child[1], buf, p->size);
        if (!full_read(p->to_parent[0], buf, p->size))
            bench_die("pipe read");
    }
}

static void bench_pipe(const char *name, size_t size)
{
    struct pipes p = {.size = size};
    if (pipe(p.to_child) || pipe(p.to_parent))
        bench_die("pipe");
    pid_t pid = fork(); /* the child inherits the CPU 0 affinity */
    if (pid < 0)
        bench_die("fork");
    if (pid == 0) {
        char buf[64];
        close(p.to_child[1]);
        close(p.to_parent[0]);
        while (full_read(p.to_child[0], buf, size))
            full_write(p.to_parent[1], buf, size);
        _exit(0);
    }
    close(p.to_child[0]);
    close(p.to_parent[1]);
    bench_run(name, op_pipe_rtt, &p, 5, BENCH_N(1001, 201), 50, 1);
    close(p.to_child[1]);
    waitpid(pid, NULL, 0);
    close(p.to_parent[0]);
}

/* Futex ping-pong: *turn == 1 means the partner's turn, 0 the measuring side's. 'operation' is FUTEX_WAIT/WAKE
 * with FUTEX_PRIVATE_FLAG between threads, without it between processes (a shared mapping). */
struct futex_pair {
    _Atomic int turn;
    _Atomic int stop;
    int wait_operation, wake_operation;
};

static void futex_wait(struct futex_pair *pair, int val)
{
    syscall(SYS_futex, &pair->turn, pair->wait_operation, val, NULL, NULL, 0);
}

static void futex_wake(struct futex_pair *pair)
{
    syscall(SYS_futex, &pair->turn, pair->wake_operation, 1, NULL, NULL, 0);
}

static void *futex_partner(void *arg)
{
    struct futex_pair *pair = arg;
    for (;;) {
        while (atomic_load(&pair->turn) == 0)
            futex_wait(pair, 0);
        if (atomic_load(&pair->stop))
            return NULL;
        atomic_store(&pair->turn, 0);
        futex_wake(pair);
    }
}

static void op_futex_rtt(void *ctx, long n)
{
    struct futex_pair *pair = ctx;
    for (long i = 0; i < n; i++) {
        atomic_store(&pair->turn, 1);
        futex_wake(pair);
        while (atomic_load(&pair->turn) == 1)
            futex_wait(pair, 1);
    }
}

static void futex_stop(struct futex_pair *pair)
{
    atomic_store(&pair->stop, 1);
    atomic_store(&pair->turn, 1);
    futex_wake(pair);
}

static void bench_futex_threads(void)
{
    static struct futex_pair pair = {.wait_operation = FUTEX_WAIT_PRIVATE, .wake_operation = FUTEX_WAKE_PRIVATE};
    pthread_t t;
    if (pthread_create(&t, NULL, futex_partner, &pair) != 0)
        bench_die("pthread_create");
    bench_run("ipc.futex_rtt", op_futex_rtt, &pair, 5, BENCH_N(1001, 201), 50, 1);
    futex_stop(&pair);
    pthread_join(t, NULL);
}

static void bench_futex_processes(void)
{
    struct futex_pair *pair = mmap(NULL, sizeof *pair, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (pair == MAP_FAILED)
        bench_die("mmap");
    pair->wait_operation = FUTEX_WAIT;
    pair->wake_operation = FUTEX_WAKE;
    pid_t pid = fork(); /* the child inherits the CPU 0 affinity */
    if (pid < 0)
        bench_die("fork");
    if (pid == 0) {
        futex_partner(pair);
        _exit(0);
    }
    bench_run("ipc.futex_rtt_process", op_futex_rtt, pair, 5, BENCH_N(1001, 201), 50, 1);
    futex_stop(pair);
    waitpid(pid, NULL, 0);
    munmap(pair, sizeof *pair);
}

int main(int argc, char **argv)
{
    bench_init(argc, argv);
    bench_pipe("ipc.rtt", 1);
    bench_pipe("ipc.rtt_64", 64);
    bench_futex_threads();
    bench_futex_processes();
    return 0;
}
