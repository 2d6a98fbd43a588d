/* Threads (glibc's pthreads over clone/clone3 with CLONE_THREAD, exit, futex, set_robust_list, tgkill): thread ids,
 * thousands of threads created and joined over a process's life (their slots reused), many at once at a barrier,
 * a mutex and condition variable producer/consumer, thread-local storage, per-thread signal masks, signals sent to a
 * thread and to the process, a robust mutex whose owner ends, how a process with threads ends (exit in a thread,
 * exit of every thread, a fatal signal) as its parent sees it, and clone's flag rules. Every line is a relation the
 * program checks itself: nothing depends on timing. */
#include "difftest.h"
#include <linux/membarrier.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>

static char self[512];   /* this program's path, for execve */

static pid_t thread_id(void) { return (pid_t)syscall(SYS_gettid); }

/* ---- ids ---- */

static pid_t seen_pid, seen_tid;

static void *report_ids(void *unused)
{
    (void)unused;
    seen_pid = getpid();
    seen_tid = thread_id();
    return NULL;
}

static void ids(void)
{
    pthread_t thread;
    check("the first thread's id is the process id", thread_id() == getpid());
    say("pthread_create: %s", errno_name(pthread_create(&thread, NULL, report_ids, NULL)));
    say("pthread_join: %s", errno_name(pthread_join(thread, NULL)));
    check("getpid in a thread is the process id", seen_pid == getpid());
    check("gettid in a thread differs from the process id", seen_tid != getpid() && seen_tid > 0);
}

/* ---- many threads over the process's life ---- */

enum { LifeThreads = 2000, AtOnce = 64 };

static void *twice(void *argument) { return (void *)((uintptr_t)argument * 2); }

static void create_and_join_many(void)
{
    int created = 0, right = 0;
    for (int i = 0; i < LifeThreads; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, twice, (void *)(uintptr_t)i) != 0)
            break;
        created++;
        void *result;
        if (pthread_join(thread, &result) == 0 && (uintptr_t)result == (uintptr_t)i * 2)
            right++;
    }
    say("threads created and joined one after another: %d, results right: %d", created, right);

    /* Detached threads too: their slots come back without a join. */
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    int detached = 0;
    for (int i = 0; i < 100; i++)
        if (pthread_create(&(pthread_t){0}, &attributes, twice, NULL) == 0)
            detached++;
    pthread_attr_destroy(&attributes);
    say("detached threads created: %d", detached);
}

static pthread_barrier_t barrier;
static int serial_count;
static pthread_mutex_t serial_lock = PTHREAD_MUTEX_INITIALIZER;

static void *meet(void *unused)
{
    (void)unused;
    for (int round = 0; round < 3; round++) {
        if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) {
            pthread_mutex_lock(&serial_lock);
            serial_count++;
            pthread_mutex_unlock(&serial_lock);
        }
    }
    return NULL;
}

static void many_at_once(void)
{
    pthread_t threads[AtOnce];
    pthread_barrier_init(&barrier, NULL, AtOnce + 1);
    int created = 0;
    for (int i = 0; i < AtOnce; i++)
        if (pthread_create(&threads[i], NULL, meet, NULL) == 0)
            created++;
    meet(NULL);
    for (int i = 0; i < created; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&barrier);
    say("threads at once: %d, barrier rounds with one serial thread each: %d", created + 1, serial_count);
}

/* ---- producer and consumer ---- */

enum { Slots = 8, Producers = 3, Consumers = 2, Items = 4000 };

static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    long items[Slots];
    int head, count, producers_left;
    long consumed_sum, consumed_count;
} queue = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, Producers, 0, 0 };

static void *produce(void *argument)
{
    long base = (long)(uintptr_t)argument * Items;
    for (long i = 1; i <= Items; i++) {
        pthread_mutex_lock(&queue.lock);
        while (queue.count == Slots)
            pthread_cond_wait(&queue.not_full, &queue.lock);
        queue.items[(queue.head + queue.count) % Slots] = base + i;
        queue.count++;
        pthread_cond_signal(&queue.not_empty);
        pthread_mutex_unlock(&queue.lock);
    }
    pthread_mutex_lock(&queue.lock);
    queue.producers_left--;
    pthread_cond_broadcast(&queue.not_empty);
    pthread_mutex_unlock(&queue.lock);
    return NULL;
}

static void *consume(void *unused)
{
    (void)unused;
    while (1) {
        pthread_mutex_lock(&queue.lock);
        while (queue.count == 0 && queue.producers_left > 0)
            pthread_cond_wait(&queue.not_empty, &queue.lock);
        if (queue.count == 0) {
            pthread_mutex_unlock(&queue.lock);
            return NULL;
        }
        long item = queue.items[queue.head];
        queue.head = (queue.head + 1) % Slots;
        queue.count--;
        queue.consumed_sum += item;
        queue.consumed_count++;
        pthread_cond_signal(&queue.not_full);
        pthread_mutex_unlock(&queue.lock);
    }
}

static void producer_consumer(void)
{
    pthread_t producers[Producers], consumers[Consumers];
    for (int i = 0; i < Consumers; i++)
        pthread_create(&consumers[i], NULL, consume, NULL);
    for (int i = 0; i < Producers; i++)
        pthread_create(&producers[i], NULL, produce, (void *)(uintptr_t)i);
    for (int i = 0; i < Producers; i++)
        pthread_join(producers[i], NULL);
    for (int i = 0; i < Consumers; i++)
        pthread_join(consumers[i], NULL);
    long expected = 0;
    for (long p = 0; p < Producers; p++)
        for (long i = 1; i <= Items; i++)
            expected += p * Items + i;
    say("items consumed: %ld, sum right: %s", queue.consumed_count, yes(queue.consumed_sum == expected));
}

/* ---- thread-local storage ---- */

static __thread int local_value = 7;
static __thread char local_buffer[64];

static void *use_locals(void *argument)
{
    int mine = (int)(uintptr_t)argument;
    int started_with = local_value;
    local_value = mine * 10;
    snprintf(local_buffer, sizeof local_buffer, "thread %d", mine);
    for (int i = 0; i < 50; i++)
        sched_yield();
    char expected[64];
    snprintf(expected, sizeof expected, "thread %d", mine);
    return (void *)(uintptr_t)(started_with == 7 && local_value == mine * 10 && strcmp(local_buffer, expected) == 0);
}

static void thread_locals(void)
{
    enum { Count = 8 };
    pthread_t threads[Count];
    local_value = 99;
    for (int i = 0; i < Count; i++)
        pthread_create(&threads[i], NULL, use_locals, (void *)(uintptr_t)(i + 1));
    int right = 0;
    for (int i = 0; i < Count; i++) {
        void *result;
        pthread_join(threads[i], &result);
        right += (int)(uintptr_t)result;
    }
    say("threads whose __thread values were their own: %d of %d", right, Count);
    check("the first thread's __thread value is untouched", local_value == 99);
}

/* ---- signals and threads ---- */

static volatile pid_t handled_by;
static volatile sig_atomic_t handled;
static sem_t ready;
static volatile pid_t target_tid;

static void record_thread(int signal)
{
    (void)signal;
    handled_by = thread_id();
    handled = 1;
}

static void *wait_for_signal(void *unused)
{
    (void)unused;
    target_tid = thread_id();
    sem_post(&ready);
    while (!handled)
        sched_yield();
    return NULL;
}

static void *block_usr1(void *unused)
{
    (void)unused;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    return (void *)(uintptr_t)sigismember(&now, SIGUSR1);
}

static void signals(void)
{
    struct sigaction action = { .sa_handler = record_thread };
    sigaction(SIGUSR1, &action, NULL);
    sigaction(SIGUSR2, &action, NULL);
    sem_init(&ready, 0, 0);

    /* A mask is the thread's own. */
    pthread_t thread;
    void *blocked;
    pthread_create(&thread, NULL, block_usr1, NULL);
    pthread_join(thread, &blocked);
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    check("a thread's sigprocmask blocked the signal for it", (uintptr_t)blocked == 1);
    check("the first thread's mask is unchanged", !sigismember(&now, SIGUSR1));

    /* pthread_kill (tgkill) runs the handler in that thread. */
    handled = 0;
    pthread_create(&thread, NULL, wait_for_signal, NULL);
    sem_wait(&ready);
    say("pthread_kill: %s", errno_name(pthread_kill(thread, SIGUSR1)));
    pthread_join(thread, NULL);
    check("the handler ran in the thread pthread_kill named", handled_by == target_tid);

    /* kill to the process goes to a thread that does not block it (the thread is made before the first thread blocks
     * it: a new thread starts with its creator's mask). */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    handled = 0;
    pthread_create(&thread, NULL, wait_for_signal, NULL);
    sem_wait(&ready);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);
    say("kill to the process: %s", outcome(kill(getpid(), SIGUSR2)));
    pthread_join(thread, NULL);
    check("the handler ran in the thread that does not block the signal", handled_by == target_tid);
    pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);

    /* tgkill naming this thread with another process's id, and a thread id that is no longer a thread's. */
    pid_t other = fork();
    if (other == 0) {
        while (1)
            pause();
    }
    say("tgkill with another process's id: %s", failure(syscall(SYS_tgkill, other, thread_id(), 0)));
    kill(other, SIGKILL);
    waitpid(other, NULL, 0);
    say("tgkill of an ended thread: %s", failure(syscall(SYS_tgkill, getpid(), target_tid, 0)));
    sem_destroy(&ready);
}

/* ---- a robust mutex whose owner ends ---- */

static pthread_mutex_t robust;

static void *lock_and_end(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&robust);
    return NULL;   /* ends holding it */
}

static void robust_mutex(void)
{
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &attributes);
    pthread_t thread;
    pthread_create(&thread, NULL, lock_and_end, NULL);
    pthread_join(thread, NULL);
    say("lock of a robust mutex whose owner ended: %s", errno_name(pthread_mutex_lock(&robust)));
    say("pthread_mutex_consistent: %s", errno_name(pthread_mutex_consistent(&robust)));
    say("unlock: %s", errno_name(pthread_mutex_unlock(&robust)));
    say("lock again: %s", errno_name(pthread_mutex_lock(&robust)));
    pthread_mutex_unlock(&robust);
}

/* ---- how a process with threads ends ---- */

static void *exit_process(void *code)
{
    exit((int)(uintptr_t)code);
}

static void *sleep_for_ever(void *unused)
{
    (void)unused;
    while (1)
        pause();
    return NULL;
}

static pthread_t first_thread;

/* Ends by the exit system call with 7 once the first thread has ended (joined: its CLONE_CHILD_CLEARTID word). */
static void *end_after_first(void *unused)
{
    (void)unused;
    pthread_join(first_thread, NULL);
    syscall(SYS_exit, 7);
    return NULL;
}

static void *end_thread(void *code)
{
    syscall(SYS_exit, (int)(uintptr_t)code);
    return NULL;
}

static void *kill_process(void *unused)
{
    (void)unused;
    kill(getpid(), SIGTERM);
    while (1)
        pause();
    return NULL;
}

/* execve from a thread while the others run: they end first, and the new program has one thread, the caller, with
 * the process id as its thread id. */
static void *exec_self(void *unused)
{
    (void)unused;
    char pid[16];
    snprintf(pid, sizeof pid, "%d", getpid());
    execve(self, (char *[]){ "threads", "exec'd", pid, NULL }, environ);
    say("execve from a thread: %s", errno_name(errno));
    return NULL;
}

static int exec_main(char **argv)
{
    check("  exec'd: the process id is unchanged", getpid() == atoi(argv[2]));
    check("  exec'd: the one thread's id is the process id", thread_id() == getpid());
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", getpid());
    int threads = 0;
    DIR *directory = opendir(path);
    for (struct dirent *entry; directory != NULL && (entry = readdir(directory)) != NULL;)
        threads += entry->d_name[0] != '.';
    if (directory != NULL)
        closedir(directory);
    say("  exec'd: threads in /proc/PID/task: %d", threads);
    return 6;
}

static void report_child(const char *what, pid_t child)
{
    int status = 0;
    pid_t waited = waitpid(child, &status, 0);
    if (waited != child)
        say("%s: waitpid %s", what, errno_name(errno));
    else if (WIFEXITED(status))
        say("%s: exited with %d", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        say("%s: killed by signal %d", what, WTERMSIG(status));
    else
        say("%s: status %#x", what, status);
}

static void endings(void)
{
    /* exit() in a thread ends every thread, with its code. */
    pid_t child = fork();
    if (child == 0) {
        pthread_t sleeper, exiter;
        pthread_create(&sleeper, NULL, sleep_for_ever, NULL);
        pthread_create(&exiter, NULL, exit_process, (void *)42);
        pthread_join(sleeper, NULL);
        _exit(1);
    }
    report_child("a thread called exit(42) while the others waited", child);

    /* Every thread ends by the exit system call: the process ends with the last one, and with its code. */
    child = fork();
    if (child == 0) {
        pthread_t thread;
        first_thread = pthread_self();
        pthread_create(&thread, NULL, end_after_first, NULL);
        syscall(SYS_exit, 5);
        _exit(1);
    }
    report_child("the first thread ended with 5, then the other with 7", child);
    child = fork();
    if (child == 0) {
        pthread_t thread;
        pthread_create(&thread, NULL, end_thread, (void *)7);
        pthread_join(thread, NULL);
        syscall(SYS_exit, 5);
        _exit(1);
    }
    report_child("a thread ended with 7, then the first with 5", child);

    /* pthread_exit in the first thread: the process lives on until its last thread returns. */
    child = fork();
    if (child == 0) {
        pthread_t thread;
        pthread_create(&thread, NULL, twice, NULL);
        pthread_exit(NULL);
    }
    report_child("pthread_exit in the first thread, then the other returned", child);

    /* A fatal signal ends every thread. */
    child = fork();
    if (child == 0) {
        pthread_t threads[3];
        for (int i = 0; i < 2; i++)
            pthread_create(&threads[i], NULL, sleep_for_ever, NULL);
        pthread_create(&threads[2], NULL, kill_process, NULL);
        pthread_join(threads[0], NULL);
        _exit(1);
    }
    report_child("SIGTERM to a process with four threads", child);

    /* A thread forks: the child has one thread, the caller. */
    child = fork();
    if (child == 0) {
        pthread_t thread;
        pthread_create(&thread, NULL, sleep_for_ever, NULL);
        pid_t grandchild = fork();
        if (grandchild == 0)
            _exit(thread_id() == getpid() ? 3 : 4);
        int status;
        waitpid(grandchild, &status, 0);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 9);
    }
    report_child("a fork from a process with threads (3: its one thread is the first)", child);

    /* execve from a second thread, and from the first thread, while other threads sleep. */
    for (int from_first = 0; from_first < 2; from_first++) {
        child = fork();
        if (child == 0) {
            pthread_t sleepers[2], exec_thread;
            for (int i = 0; i < 2; i++)
                pthread_create(&sleepers[i], NULL, sleep_for_ever, NULL);
            if (from_first)
                exec_self(NULL);
            pthread_create(&exec_thread, NULL, exec_self, NULL);
            pthread_join(sleepers[0], NULL);
            _exit(1);
        }
        report_child(from_first ? "execve in the first thread of three" : "execve in the fourth thread of four", child);
    }
}

/* ---- calls about threads by id: robust lists, affinity; membarrier ---- */

static void *sleep_until_told(void *word)
{
    target_tid = thread_id();
    sem_post(&ready);
    while (!__atomic_load_n((int *)word, __ATOMIC_ACQUIRE))
        syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

static void thread_calls(void)
{
    struct robust_list_head *glibc_head, *head;
    size_t length = 0;
    say("get_robust_list of the caller: %s", outcome(syscall(SYS_get_robust_list, 0, &glibc_head, &length)));
    check("glibc registered a robust list of 24 bytes", glibc_head != NULL && length == 24);
    static struct robust_list_head mine = { { &mine.list }, 0, NULL };
    say("set_robust_list with a bad length: %s", failure(syscall(SYS_set_robust_list, &mine, 23)));
    say("set_robust_list: %s", outcome(syscall(SYS_set_robust_list, &mine, sizeof mine)));
    syscall(SYS_get_robust_list, 0, &head, &length);
    check("get_robust_list gives it back", head == &mine);
    syscall(SYS_set_robust_list, glibc_head, sizeof *glibc_head);

    int told = 0;
    pthread_t thread;
    sem_init(&ready, 0, 0);
    pthread_create(&thread, NULL, sleep_until_told, &told);
    sem_wait(&ready);
    head = NULL;
    say("get_robust_list of another thread: %s", outcome(syscall(SYS_get_robust_list, target_tid, &head, &length)));
    check("its list is its own", head != NULL && head != glibc_head);
    say("get_robust_list of no thread: %s", failure(syscall(SYS_get_robust_list, 0x3fffffff, &head, &length)));
    say("get_robust_list to a kernel address: %s", failure(syscall(SYS_get_robust_list, 0, BAD_KERNEL, &length)));
    cpu_set_t set;
    say("sched_getaffinity of another thread: %s", outcome(sched_getaffinity(target_tid, sizeof set, &set)));
    say("sched_getaffinity of no thread: %s", failure(sched_getaffinity(0x3fffffff, sizeof set, &set)));
    say("sched_setaffinity of another thread to its own set: %s", outcome(sched_setaffinity(target_tid, sizeof set, &set)));
    /* Read again for up to a second while more than two are listed: a detached thread made earlier may still be
     * ending (a loaded Linux host once listed three). */
    int entries = 0, found = 0;
    for (int attempt = 0; attempt < 100 && (attempt == 0 || entries > 2); attempt++) {
        if (attempt > 0)
            usleep(10000);
        entries = found = 0;
        DIR *directory = opendir("/proc/self/task");
        for (struct dirent *entry; directory != NULL && (entry = readdir(directory)) != NULL;) {
            entries += entry->d_name[0] != '.';
            found += atoi(entry->d_name) == target_tid;
        }
        if (directory != NULL)
            closedir(directory);
    }
    say("/proc/self/task while one other thread lives: %d entries, the other's id among them: %s", entries, yes(found == 1));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", target_tid);
    int stat_file = open(path, O_RDONLY);
    say("/proc/self/task/TID/stat of the other thread: %s", outcome(stat_file));
    if (stat_file >= 0)
        close(stat_file);
    __atomic_store_n(&told, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &told, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(thread, NULL);
    sem_destroy(&ready);

    long query = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    check("membarrier offers the global and private expedited commands",
          query >= 0 && (query & (MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_PRIVATE_EXPEDITED | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
              == (MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_PRIVATE_EXPEDITED | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED));
    say("membarrier PRIVATE_EXPEDITED before registering: %s", failure(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0)));
    say("membarrier REGISTER_PRIVATE_EXPEDITED: %s", outcome(syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0)));
    say("membarrier PRIVATE_EXPEDITED: %s", outcome(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0)));
    say("membarrier GLOBAL: %s", outcome(syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0)));
    say("membarrier with flags: %s", failure(syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 1, 0)));
    say("membarrier with an unknown command: %s", failure(syscall(SYS_membarrier, 3, 0, 0)));
}

/* ---- what thread exit does to a stack: MADV_DONTNEED over megabytes mostly never touched ---- */

static void stack_discard(void)
{
    size_t size = 8UL << 20;
    char *stack = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        say("mmap: %s", errno_name(errno));
        return;
    }
    mprotect(stack + 4096, size - 4096, PROT_READ | PROT_WRITE);
    stack[size - 1] = 1;   /* the top, as a thread's stack */
    say("MADV_DONTNEED of the untouched part: %s", outcome(madvise(stack, size - 65536, MADV_DONTNEED)));
    stack[size / 4] = 7;   /* a page in what the first discard found untouched */
    stack[size / 2] = 8;
    say("MADV_DONTNEED again: %s", outcome(madvise(stack, size - 65536, MADV_DONTNEED)));
    check("pages written in between read 0 after it", stack[size / 4] == 0 && stack[size / 2] == 0);
    check("the page above the range keeps its byte", stack[size - 1] == 1);
    munmap(stack, size);
}

/* ---- clone's rules ---- */

static void clone_rules(void)
{
    say("clone with CLONE_THREAD without CLONE_SIGHAND: %s",
        failure(syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0, NULL, NULL, 0)));
    say("clone with CLONE_SIGHAND without CLONE_VM: %s", failure(syscall(SYS_clone, CLONE_SIGHAND, 0, NULL, NULL, 0)));
    struct clone_args arguments;
    memset(&arguments, 0, sizeof arguments);
    arguments.flags = CLONE_THREAD;
    say("clone3 with a size below the first version: %s", failure(syscall(SYS_clone3, &arguments, 32)));
    say("clone3 with CLONE_THREAD without CLONE_SIGHAND: %s", failure(syscall(SYS_clone3, &arguments, sizeof arguments)));
    arguments.flags = 0;
    arguments.exit_signal = 200;
    say("clone3 with a bad exit signal: %s", failure(syscall(SYS_clone3, &arguments, sizeof arguments)));
    arguments.exit_signal = SIGCHLD;
    arguments.stack_size = 4096;
    say("clone3 with a stack size and no stack: %s", failure(syscall(SYS_clone3, &arguments, sizeof arguments)));
    static char big[8192];
    say("clone3 with a size past a page: %s", failure(syscall(SYS_clone3, big, sizeof big)));
    say("clone3 with a bad address: %s", failure(syscall(SYS_clone3, BAD_KERNEL, sizeof arguments)));
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exec'd") == 0)
        return exec_main(argv);
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    if (execfn && execfn[0] == '/')
        snprintf(self, sizeof self, "%s", execfn);
    else {
        char cwd[256];
        snprintf(self, sizeof self, "%s/%s", getcwd(cwd, sizeof cwd) ? (strcmp(cwd, "/") ? cwd : "") : "", execfn ? execfn : argv[0]);
    }
    ids();
    create_and_join_many();
    many_at_once();
    producer_consumer();
    thread_locals();
    signals();
    robust_mutex();
    endings();
    thread_calls();
    stack_discard();
    clone_rules();
    return 0;
}
