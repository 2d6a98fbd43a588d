/* A dynamically linked program with threads (gcc's default PIE, Debian's dynamic linker and libc.so.6), run by the
 * differential program `dynamic`: pthread_create and join through the shared libc, thread-local storage of the program
 * and of libc (errno), malloc in each thread (glibc gives threads arenas of their own: large PROT_NONE reservations
 * made writable piece by piece), a mutex, and each thread's result through pthread_join; pthread_exit from a nested call
 * and pthread_cancel of a thread blocked in a cancellation point, both with cleanup handlers (glibc unwinds the thread's
 * stack through libgcc_s.so.1, which it dlopens: libgcc-s1 is in the root file system; the cancel arrives as glibc's
 * SIGCANCEL, a tgkill its handler accepts only with SI_TKILL and the sender's pid). Prints only what it checks. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { Threads = 16, Rounds = 20 };

static __thread int mine = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;

static void *work(void *argument)
{
    int number = (int)(uintptr_t)argument;
    mine = number;
    int right = 1;
    for (int round = 0; round < Rounds; round++) {
        char *block = malloc(1000 + (size_t)number * 100);
        if (block == NULL)
            return NULL;
        memset(block, number, 1000);
        right &= block[999] == (char)number;
        free(block);
        errno = number;   /* libc's TLS */
        sched_yield();
        right &= errno == number && mine == number;
        pthread_mutex_lock(&lock);
        total += number;
        pthread_mutex_unlock(&lock);
    }
    return (void *)(uintptr_t)(right ? 100 + number : 0);
}

static int exit_cleanups, cancel_cleanups;
static int ready_pipe[2], block_pipe[2];

static void count_cleanup(void *counter) { ++*(int *)counter; }

static void leave_from_inside(int depth)
{
    if (depth < 0)
        return;
    if (depth == 0)
        pthread_exit((void *)42);
    leave_from_inside(depth - 1);
    printf("dynamic_threads: pthread_exit returned\n");
}

static void *exits(void *unused)
{
    (void)unused;
    pthread_cleanup_push(count_cleanup, &exit_cleanups);
    pthread_cleanup_push(count_cleanup, &exit_cleanups);
    leave_from_inside(3);
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return NULL;
}

static void *blocks(void *unused)
{
    (void)unused;
    char byte;
    pthread_cleanup_push(count_cleanup, &cancel_cleanups);
    write(ready_pipe[1], "r", 1);   /* ready: about to block in read, a cancellation point (nothing is ever written) */
    read(block_pipe[0], &byte, 1);
    pthread_cleanup_pop(0);
    return NULL;
}

static void exit_and_cancel(void)
{
    pthread_t thread;
    void *result = NULL;
    if (pthread_create(&thread, NULL, exits, NULL) == 0 && pthread_join(thread, &result) == 0)
        printf("dynamic_threads: pthread_exit from 4 calls deep: result %ld, cleanup handlers run %d\n", (long)(intptr_t)result,
               exit_cleanups);
    char byte;
    if (pipe(ready_pipe) != 0 || pipe(block_pipe) != 0 || pthread_create(&thread, NULL, blocks, NULL) != 0)
        return;
    read(ready_pipe[0], &byte, 1);   /* it has started; its read may or may not have begun: either way it is cancelled */
    int cancelled = pthread_cancel(thread);
    result = NULL;
    int joined = pthread_join(thread, &result);
    printf("dynamic_threads: pthread_cancel %d, join %d, result %s, cleanup handlers run %d\n", cancelled, joined,
           result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled", cancel_cleanups);
}

int main(void)
{
    pthread_t threads[Threads];
    int created = 0, right = 0;
    for (int i = 0; i < Threads; i++)
        if (pthread_create(&threads[i], NULL, work, (void *)(uintptr_t)i) == 0)
            created++;
    for (int i = 0; i < created; i++) {
        void *result;
        pthread_join(threads[i], &result);
        right += (uintptr_t)result == (uintptr_t)(100 + i);
    }
    long expected = 0;
    for (int i = 0; i < Threads; i++)
        expected += (long)i * Rounds;
    printf("dynamic_threads: %d threads created, %d saw their own TLS, malloc and errno, total right: %s\n", created, right,
           total == expected ? "yes" : "no");
    printf("dynamic_threads: the first thread's TLS untouched: %s\n", mine == -1 ? "yes" : "no");
    exit_and_cancel();
    return 3;
}
