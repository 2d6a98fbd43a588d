/* ipc.rtt, ipc.rtt_64 (pipe round trips between two processes), ipc.futex_rtt (two threads) */
#include "bench.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* Futex ping-pong: turn == 1 means the partner thread's turn, 0 the main thread's. */
static _Atomic int turn;
static _Atomic int stop;

static void futex_wait(_Atomic int *addr, int val)
{
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic int *addr)
{
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *futex_partner(void *arg)
{
    (void)arg;
    for (;;) {
        while (atomic_load(&turn) == 0)
            futex_wait(&turn, 0);
        if (atomic_load(&stop))
            return NULL;
        atomic_store(&turn, 0);
        futex_wake(&turn);
    }
}

static void op_futex_rtt(void *ctx, long n)
{
    (void)ctx;
    for (long i = 0; i < n; i++) {
        atomic_store(&turn, 1);
        futex_wake(&turn);
        while (atomic_load(&turn) == 1)
            futex_wait(&turn, 1);
    }
}

static void bench_futex(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, futex_partner, NULL) != 0)
        bench_die("pthread_create");
    bench_run("ipc.futex_rtt", op_futex_rtt, NULL, 5, BENCH_N(1001, 201), 50, 1);
    atomic_store(&stop, 1);
    atomic_store(&turn, 1);
    futex_wake(&turn);
    pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    bench_init(argc, argv);
    bench_pipe("ipc.rtt", 1);
    bench_pipe("ipc.rtt_64", 64);
    bench_futex();
    return 0;
}
