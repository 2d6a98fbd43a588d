/* futex: WAIT and WAKE's answers, REQUEUE and CMP_REQUEUE (EAGAIN when the word moved), WAKE_OP's operations and
 * comparisons (checked by the words and the counts woken), the argument errors, which futex a private and a shared
 * operation name (keys), and ping-pong between two threads
 * (private futexes) and between two processes over MAP_SHARED memory (shared futexes). Whether a thread is asleep
 * on a word is learnt from the kernel itself: a requeue answers how many it moved, so a probe requeues from the
 * word the waiters sleep on to a second word until all of them have moved; nothing depends on timing. */
#include "difftest.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

static long futex(uint32_t *word, int operation, uint32_t value, uintptr_t value2, uint32_t *word2, uint32_t value3)
{
    return syscall(SYS_futex, word, operation, value, value2, word2, value3);
}

static uint32_t first_word, second_word, third_word;

struct waiter {
    uint32_t *word;
    uint32_t expected;
    long result;
};

static void *wait_on_word(void *argument)
{
    struct waiter *waiter = argument;
    waiter->result = futex(waiter->word, FUTEX_WAIT_PRIVATE, waiter->expected, 0, NULL, 0);
    return NULL;
}

/* Moves waiters of 'from' to 'to' until 'count' have moved: then each of them is asleep on 'to'. */
static void gather(uint32_t *from, uint32_t *to, int count)
{
    for (int moved = 0; moved < count;) {
        long result = futex(from, FUTEX_REQUEUE_PRIVATE, 0, INT_MAX, to, 0);
        if (result < 0) {
            say("requeue probe: %s", errno_name(errno));
            exit(1);
        }
        moved += (int)result;
        if (moved < count)
            sched_yield();
    }
}

static void start_waiters(struct waiter *waiters, pthread_t *threads, int count, uint32_t *word)
{
    for (int i = 0; i < count; i++) {
        waiters[i] = (struct waiter){ .word = word, .expected = *word };
        pthread_create(&threads[i], NULL, wait_on_word, &waiters[i]);
    }
}

static int join_waiters(struct waiter *waiters, pthread_t *threads, int count)
{
    int woken = 0;
    for (int i = 0; i < count; i++) {
        pthread_join(threads[i], NULL);
        woken += waiters[i].result == 0;
    }
    return woken;
}

static void basics(void)
{
    first_word = 1;
    say("WAKE with no waiter: %s", value(futex(&first_word, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0)));
    say("WAIT on a word that holds another value: %s", failure(futex(&first_word, FUTEX_WAIT_PRIVATE, 2, 0, NULL, 0)));
    struct timespec zero = { 0, 0 };
    say("WAIT with a zero timeout: %s", failure(futex(&first_word, FUTEX_WAIT_PRIVATE, 1, (uintptr_t)&zero, NULL, 0)));
    say("WAIT at an unaligned address: %s",
        failure(futex((uint32_t *)((char *)&first_word + 1), FUTEX_WAIT_PRIVATE, 1, 0, NULL, 0)));
    say("WAIT at a kernel address: %s", failure(futex(BAD_KERNEL, FUTEX_WAIT_PRIVATE, 1, 0, NULL, 0)));
    say("WAIT_BITSET with an empty bitset: %s", failure(futex(&first_word, FUTEX_WAIT_BITSET_PRIVATE, 1, 0, NULL, 0)));
    say("an unknown operation: %s", failure(futex(&first_word, 99, 1, 0, NULL, 0)));
}

static void requeues(void)
{
    enum { Count = 4 };
    struct waiter waiters[Count];
    pthread_t threads[Count];
    first_word = 0;
    second_word = 0;

    first_word = 5;
    say("CMP_REQUEUE when the word moved: %s", failure(futex(&first_word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &second_word, 4)));
    say("CMP_REQUEUE when it holds the value: %s", value(futex(&first_word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &second_word, 5)));
    say("REQUEUE with a negative count: %s", failure(futex(&first_word, FUTEX_REQUEUE_PRIVATE, (uint32_t)-1, 1, &second_word, 0)));
    say("REQUEUE to a kernel address: %s", failure(futex(&first_word, FUTEX_REQUEUE_PRIVATE, 1, 1, BAD_KERNEL, 0)));

    /* Four waiters on the third word, gathered onto the first: wake one and move two to the second word. */
    third_word = 0;
    first_word = 0;
    start_waiters(waiters, threads, Count, &third_word);
    gather(&third_word, &first_word, Count);
    say("CMP_REQUEUE waking 1 and moving 2 of 4: %s", value(futex(&first_word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &second_word, 0)));
    say("WAKE on the second word (3 asked): %s", value(futex(&second_word, FUTEX_WAKE_PRIVATE, 3, 0, NULL, 0)));
    say("REQUEUE of the last one, waking none: %s", value(futex(&first_word, FUTEX_REQUEUE_PRIVATE, 0, 5, &second_word, 0)));
    say("WAKE on the first word now: %s", value(futex(&first_word, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0)));
    say("WAKE on the second word now: %s", value(futex(&second_word, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0)));
    say("waiters that returned 0: %d of %d", join_waiters(waiters, threads, Count), Count);
}

/* One WAKE_OP on 'word' (waking on 'other' first), printed with the word's value after it. */
static void wake_operation(const char *label, uint32_t *other, uint32_t *word, uint32_t encoded)
{
    long result = futex(other, FUTEX_WAKE_OP_PRIVATE, 1, 1, word, encoded);
    say("%s: %s, word %#x", label, value(result), *word);
}

static void wake_operations(void)
{
    struct waiter waiters[2];
    pthread_t threads[2];
    uint32_t word = 10, other = 0;

    wake_operation("WAKE_OP ADD 5 if the old value was 10", &other, &word, FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 10));
    wake_operation("WAKE_OP SET 3", &other, &word, FUTEX_OP(FUTEX_OP_SET, 3, FUTEX_OP_CMP_NE, 0));
    wake_operation("WAKE_OP OR 1<<4", &other, &word, FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_LT, 0));
    wake_operation("WAKE_OP ANDN 2", &other, &word, FUTEX_OP(FUTEX_OP_ANDN, 2, FUTEX_OP_CMP_GE, 0));
    wake_operation("WAKE_OP XOR -1", &other, &word, FUTEX_OP(FUTEX_OP_XOR, 0xfff, FUTEX_OP_CMP_GT, 0));
    say("WAKE_OP with operation 7: %s", failure(futex(&other, FUTEX_WAKE_OP_PRIVATE, 1, 1, &word, 7u << 28)));
    long refused = futex(&other, FUTEX_WAKE_OP_PRIVATE, 1, 1, &word, 9u << 24);
    say("WAKE_OP SET 0 with comparison 9: %s, word %u", failure(refused), word);
    say("WAKE_OP on a kernel address: %s",
        failure(futex(&other, FUTEX_WAKE_OP_PRIVATE, 1, 1, BAD_KERNEL, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0))));

    /* One waiter on each word: the first word's is woken, the second's only when the comparison holds. */
    word = 20;
    first_word = 0;
    second_word = 0;
    third_word = 0;
    start_waiters(&waiters[0], &threads[0], 1, &third_word);
    gather(&third_word, &first_word, 1);
    start_waiters(&waiters[1], &threads[1], 1, &third_word);
    gather(&third_word, &word, 1);
    wake_operation("WAKE_OP whose comparison fails", &first_word, &word, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_LE, 19));
    wake_operation("WAKE_OP whose comparison holds", &first_word, &word, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 21));
    say("waiters that returned 0: %d of 2", join_waiters(waiters, threads, 2));
}

/* ---- keys: FUTEX_PRIVATE_FLAG names a word by its process and address, a shared operation by the page on a MAP_SHARED
 * mapping (the inode) and by its process and address on private memory, marked shared: a private waiter is never woken
 * by a shared wake, on either kind of memory */

static uint32_t private_first, private_second;

static void keys(void)
{
    uint32_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        say("mmap: %s", errno_name(errno));
        return;
    }
    struct waiter waiter;
    pthread_t thread;
    start_waiters(&waiter, &thread, 1, &shared[0]);
    gather(&shared[0], &shared[1], 1);
    say("a shared WAKE of a private waiter on a MAP_SHARED word: %s", value(futex(&shared[1], FUTEX_WAKE, 1, 0, NULL, 0)));
    say("a private WAKE of it: %s", value(futex(&shared[1], FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0)));
    say("waiters that returned 0: %d of 1", join_waiters(&waiter, &thread, 1));
    munmap(shared, 4096);

    start_waiters(&waiter, &thread, 1, &private_first);
    gather(&private_first, &private_second, 1);
    say("a shared WAKE of a private waiter on private memory: %s", value(futex(&private_second, FUTEX_WAKE, 1, 0, NULL, 0)));
    say("a private WAKE of it: %s", value(futex(&private_second, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0)));
    say("waiters that returned 0: %d of 1", join_waiters(&waiter, &thread, 1));
}

/* ---- ping-pong ---- */

enum { Rounds = 2000 };

/* Passes the turn: 'turn' goes from 'mine' to the other side's value, which is then woken. */
static void play(uint32_t *turn, uint32_t mine, uint32_t theirs, int private_futex)
{
    int wait = private_futex ? FUTEX_WAIT_PRIVATE : FUTEX_WAIT;
    int wake = private_futex ? FUTEX_WAKE_PRIVATE : FUTEX_WAKE;
    for (int round = 0; round < Rounds; round++) {
        while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != mine)
            futex(turn, wait, theirs, 0, NULL, 0);
        __atomic_store_n(turn, theirs, __ATOMIC_RELEASE);
        futex(turn, wake, 1, 0, NULL, 0);
    }
}

static uint32_t thread_turn;

static void *play_second(void *unused)
{
    (void)unused;
    play(&thread_turn, 2, 1, 1);
    return NULL;
}

static void ping_pong(void)
{
    pthread_t thread;
    thread_turn = 1;
    pthread_create(&thread, NULL, play_second, NULL);
    play(&thread_turn, 1, 2, 1);
    pthread_join(thread, NULL);
    check("two threads passed a private futex back and forth 2000 times", thread_turn == 1);

    uint32_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        say("mmap: %s", errno_name(errno));
        return;
    }
    *shared = 1;
    pid_t child = fork();
    if (child == 0) {
        play(shared, 2, 1, 0);
        _exit(0);
    }
    play(shared, 1, 2, 0);
    int status;
    waitpid(child, &status, 0);
    check("two processes passed a shared futex back and forth 2000 times", *shared == 1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    munmap(shared, 4096);
}

int main(void)
{
    basics();
    requeues();
    wake_operations();
    keys();
    ping_pong();
    return 0;
}
