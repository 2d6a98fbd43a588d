/* Priority-inheritance futexes: FUTEX_LOCK_PI, LOCK_PI2, TRYLOCK_PI and UNLOCK_PI on a raw word (the owner's thread
 * id in it, FUTEX_WAITERS while a locker sleeps, EDEADLK, EAGAIN, EPERM, ESRCH, ETIMEDOUT with a past and a future
 * deadline, the lock handed to a sleeping locker by the unlock), then glibc's PTHREAD_PRIO_INHERIT mutexes under
 * contention (lock, trylock, timedlock). Whether a locker is asleep is learnt from the word itself (FUTEX_WAITERS is
 * set by the kernel only when it puts a locker to sleep), so nothing depends on timing. */
#include "difftest.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sched.h>
#include <time.h>

static long futex(uint32_t *word, int operation, uint32_t value, const struct timespec *timeout)
{
    return syscall(SYS_futex, word, operation, value, timeout, NULL, 0);
}

static pid_t thread_id(void) { return (pid_t)syscall(SYS_gettid); }

static uint32_t lock_word;
static volatile int locker_done;
static volatile uint32_t word_seen_by_locker;
static pid_t locker_id;
static long locker_result;

static void *locker(void *unused)
{
    (void)unused;
    locker_id = thread_id();
    locker_result = futex(&lock_word, FUTEX_LOCK_PI_PRIVATE, 0, NULL);
    word_seen_by_locker = __atomic_load_n(&lock_word, __ATOMIC_SEQ_CST);
    futex(&lock_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL);
    locker_done = 1;
    return NULL;
}

static long other_result;
static void *try_from_other(void *operation)
{
    struct timespec past = { 0, 0 };
    int op = (int)(intptr_t)operation;
    other_result = futex(&lock_word, op, 0, op == FUTEX_TRYLOCK_PI_PRIVATE ? NULL : &past);
    if (other_result < 0)
        other_result = -errno;
    return NULL;
}

static long run_other(int operation)
{
    pthread_t t;
    pthread_create(&t, NULL, try_from_other, (void *)(intptr_t)operation);
    pthread_join(t, NULL);
    return other_result;
}

static pthread_mutex_t shared_mutex;
static long counter;
enum { THREADS = 4, ROUNDS = 5000 };

static void *increment(void *unused)
{
    (void)unused;
    for (int i = 0; i < ROUNDS; i++) {
        if (i % 3 == 0) {
            while (pthread_mutex_trylock(&shared_mutex) != 0) { }
        } else if (i % 3 == 1) {
            struct timespec deadline;
            clock_gettime(CLOCK_REALTIME, &deadline);
            deadline.tv_sec += 10;
            if (pthread_mutex_timedlock(&shared_mutex, &deadline) != 0)
                continue;
        } else {
            pthread_mutex_lock(&shared_mutex);
        }
        counter++;
        pthread_mutex_unlock(&shared_mutex);
    }
    return NULL;
}

int main(void)
{
    /* ---- the raw word ---- */
    say("TRYLOCK_PI a free word: %s", outcome(futex(&lock_word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL)));
    check("the word holds our thread id", lock_word == (uint32_t)thread_id());
    say("LOCK_PI it again: %s", failure(futex(&lock_word, FUTEX_LOCK_PI_PRIVATE, 0, NULL)));
    say("TRYLOCK_PI it again: %s", failure(futex(&lock_word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL)));
    say("TRYLOCK_PI from another thread: %s", errno_name((int)-run_other(FUTEX_TRYLOCK_PI_PRIVATE)));
    say("LOCK_PI from another thread, deadline past: %s", errno_name((int)-run_other(FUTEX_LOCK_PI_PRIVATE)));
    say("LOCK_PI2 from another thread, deadline past: %s", errno_name((int)-run_other(FUTEX_LOCK_PI2_PRIVATE)));
    uint32_t held = lock_word;
    const char *unlocked = outcome(futex(&lock_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL));
    say("UNLOCK_PI: %s, the word %s", unlocked, lock_word == 0 ? "free" : "held");
    say("UNLOCK_PI when not the owner: %s", failure(futex(&lock_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL)));
    lock_word = 0x3FFFFFF0;   /* no such thread */
    say("LOCK_PI a word naming no thread: %s", failure(futex(&lock_word, FUTEX_LOCK_PI_PRIVATE, 0, NULL)));
    lock_word = held;         /* held by us again, as user space takes a free word */

    /* ---- a locker asleep, handed the lock by the unlock ---- */
    pthread_t t;
    pthread_create(&t, NULL, locker, NULL);
    while ((__atomic_load_n(&lock_word, __ATOMIC_SEQ_CST) & FUTEX_WAITERS) == 0)
        sched_yield();
    check("FUTEX_WAITERS is set while the locker sleeps", (lock_word & FUTEX_WAITERS) != 0);
    check("the owner is still us", (lock_word & FUTEX_TID_MASK) == (uint32_t)thread_id());
    say("UNLOCK_PI: %s", outcome(futex(&lock_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL)));
    pthread_join(t, NULL);
    /* (Whether FUTEX_WAITERS is still set then varies on Linux, with the locker's spin before it sleeps.) */
    say("the locker's LOCK_PI: %s; in the word it found its own id %s", locker_result == 0 ? "ok" : errno_name(errno),
        yes((word_seen_by_locker & FUTEX_TID_MASK) == (uint32_t)locker_id));
    check("free after its unlock", lock_word == 0);

    /* ---- glibc's priority-inheriting mutexes, contended ---- */
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    say("PTHREAD_PRIO_INHERIT: %s", pthread_mutexattr_setprotocol(&attributes, PTHREAD_PRIO_INHERIT) == 0 ? "ok" : "refused");
    say("pthread_mutex_init: %s", pthread_mutex_init(&shared_mutex, &attributes) == 0 ? "ok" : "refused");
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, increment, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    say("%d threads x %d increments under the mutex: %ld", THREADS, ROUNDS, counter);
    pthread_mutex_lock(&shared_mutex);
    say("pthread_mutex_trylock while held by us: %s", errno_name(pthread_mutex_trylock(&shared_mutex)));
    say("pthread_mutex_unlock: %s", pthread_mutex_unlock(&shared_mutex) == 0 ? "ok" : "refused");
    say("pthread_mutex_unlock again: %s", errno_name(pthread_mutex_unlock(&shared_mutex)));
    return 0;
}
