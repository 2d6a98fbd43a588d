/* A dynamically linked program with threads (gcc's default PIE, Debian's dynamic linker and libc.so.6), run by the
 * differential program `dynamic`: pthread_create and join through the shared libc, thread-local storage of the program
 * and of libc (errno), malloc in each thread (glibc gives threads arenas of their own: large PROT_NONE reservations
 * made writable piece by piece), a mutex, and each thread's result through pthread_join. Prints only what it checks.
 * (Not pthread_exit: in a dynamic program it unwinds through libgcc_s.so.1, which the root file system does not have.) */
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
    return 3;
}
