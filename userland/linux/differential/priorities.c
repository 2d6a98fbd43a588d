/* Nice values and scheduling policies: getpriority/setpriority for a thread (per thread, inherited by new threads and
 * fork children), a process group and a user; the raw getpriority's 20 - nice; clamping to -20..19; an unprivileged
 * process's EACCES (lowering its nice value past RLIMIT_NICE) and EPERM (another user's process, SCHED_FIFO);
 * sched_setscheduler/getscheduler (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, SCHED_RESET_ON_FORK), sched_setparam/
 * getparam, sched_get_priority_max/min, sched_rr_get_interval; EINVAL, ESRCH, EFAULT. Run as root (real-time
 * policies are only asked for unprivileged: Exo-OS refuses them to root too). */
#include "difftest.h"
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#define NOBODY 0x3ffffff0
#define STRANGER 54321   /* a user id no process has */

static long raw_getpriority(int which, int who) { return syscall(SYS_getpriority, which, who); }

static const char *nice_of(int which, int who)
{
    errno = 0;
    int nice = getpriority(which, who);
    if (nice == -1 && errno != 0)
        return errno_name(errno);
    char *text = scratch_string();
    snprintf(text, 64, "%d", nice);
    return text;
}

static long set_policy(pid_t pid, int policy, int priority)
{
    struct sched_param parameters = { .sched_priority = priority };
    return syscall(SYS_sched_setscheduler, pid, policy, &parameters);
}

/* Fields 18 (priority), 19 (nice) and 41 (policy) of a /proc stat file, as "priority P nice N policy C". */
static const char *stat_fields(const char *path)
{
    char text[1024];
    int fd = open(path, O_RDONLY);
    ssize_t length = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (fd >= 0)
        close(fd);
    if (length <= 0)
        return "unreadable";
    text[length] = 0;
    char *field = strrchr(text, ')');
    long values[64] = { 0 };
    int count = 2;   /* fields 1 and 2 end at ')' */
    for (char *token = field ? strtok(field + 1, " ") : NULL; token && count < 63; token = strtok(NULL, " "))
        values[++count] = strtol(token, NULL, 10);
    char *result = scratch_string();
    snprintf(result, 64, "priority %ld nice %ld policy %ld", values[18], values[19], values[41]);
    return result;
}

static int thread_nice_seen = -100;
static pid_t thread_id;
static int pipe_to_thread[2], pipe_from_thread[2];

static void *thread_main(void *unused)
{
    (void)unused;
    thread_nice_seen = getpriority(PRIO_PROCESS, 0);
    thread_id = (pid_t)syscall(SYS_gettid);
    setpriority(PRIO_PROCESS, 0, 3);
    char c = 'r';
    if (write(pipe_from_thread[1], &c, 1) != 1 || read(pipe_to_thread[0], &c, 1) != 1)
        return NULL;
    return NULL;
}

static void send(int fd) { char c = 'g'; if (write(fd, &c, 1) != 1) _exit(5); }
static void receive(int fd) { char c; if (read(fd, &c, 1) != 1) _exit(6); }

int main(void)
{
    say("getpriority(PRIO_PROCESS, 0): %s", nice_of(PRIO_PROCESS, 0));
    say("the raw call: %s", value(raw_getpriority(PRIO_PROCESS, 0)));
    say("setpriority 5: %s", outcome(setpriority(PRIO_PROCESS, 0, 5)));
    say("now %s", nice_of(PRIO_PROCESS, 0));
    say("raw %s", value(raw_getpriority(PRIO_PROCESS, 0)));
    say("/proc/self/stat: %s", stat_fields("/proc/self/stat"));
    errno = 0;
    int after = nice(2);
    say("nice(2): %d %s", after, errno_name(errno));
    say("setpriority 100 is clamped: %s", outcome(setpriority(PRIO_PROCESS, 0, 100)));
    say("now %s", nice_of(PRIO_PROCESS, 0));
    say("setpriority -100 (root) is clamped: %s", outcome(setpriority(PRIO_PROCESS, 0, -100)));
    say("now %s", nice_of(PRIO_PROCESS, 0));
    say("setpriority 2 by its own pid: %s", outcome(setpriority(PRIO_PROCESS, getpid(), 2)));
    say("now %s", nice_of(PRIO_PROCESS, getpid()));

    /* Per thread: a new thread starts with its creator's nice value; its change is its own. */
    if (pipe(pipe_to_thread) != 0 || pipe(pipe_from_thread) != 0)
        return 1;
    pthread_t thread;
    pthread_create(&thread, NULL, thread_main, NULL);
    receive(pipe_from_thread[0]);
    say("a new thread started with its creator's 2: %s", yes(thread_nice_seen == 2));
    say("the thread set 3 for itself: by its id %s", nice_of(PRIO_PROCESS, thread_id));
    say("the main thread still %s", nice_of(PRIO_PROCESS, 0));
    say("setpriority of the thread by id to 4: %s", outcome(setpriority(PRIO_PROCESS, thread_id, 4)));
    say("the thread now %s", nice_of(PRIO_PROCESS, thread_id));
    char task[64];
    snprintf(task, sizeof task, "/proc/self/task/%d/stat", (int)thread_id);
    say("its task stat: %s", stat_fields(task));
    say("the process's stat (its first thread's): %s", stat_fields("/proc/self/stat"));
    send(pipe_to_thread[1]);
    pthread_join(thread, NULL);

    /* A fork child inherits; a process group and a user. */
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0)
        return 1;
    pid_t child = fork();
    if (child == 0) {
        say("child: inherited %s", nice_of(PRIO_PROCESS, 0));
        setpgid(0, 0);
        struct rlimit none = { 0, 0 };
        setrlimit(RLIMIT_NICE, &none);
        setrlimit(RLIMIT_RTPRIO, &none);
        if (setgid(STRANGER) != 0 || setuid(STRANGER) != 0)
            _exit(3);
        send(from_child[1]);
        receive(to_child[0]);
        say("child: after the parent's PRIO_PGRP 6 and PRIO_USER 8: %s", nice_of(PRIO_PROCESS, 0));
        say("child: unprivileged, lowering to 7: %s", failure(setpriority(PRIO_PROCESS, 0, 7)));
        say("child: raising to 10: %s", outcome(setpriority(PRIO_PROCESS, 0, 10)));
        say("child: now %s", nice_of(PRIO_PROCESS, 0));
        say("child: back to 9: %s", failure(setpriority(PRIO_PROCESS, 0, 9)));
        say("child: the parent's (root's) nice value: %s", failure(setpriority(PRIO_PROCESS, getppid(), 10)));
        say("child: but it may read it: %s", nice_of(PRIO_PROCESS, getppid()));
        say("child: SCHED_FIFO 10: %s", failure(set_policy(0, SCHED_FIFO, 10)));
        say("child: SCHED_RR 1: %s", failure(set_policy(0, SCHED_RR, 1)));
        say("child: SCHED_BATCH: %s", outcome(set_policy(0, SCHED_BATCH, 0)));
        say("child: SCHED_OTHER of the parent: %s", failure(set_policy(getppid(), SCHED_OTHER, 0)));
        say("child: SCHED_IDLE: %s", outcome(set_policy(0, SCHED_IDLE, 0)));
        say("child: then back to SCHED_OTHER (RLIMIT_NICE 0): %s", failure(set_policy(0, SCHED_OTHER, 0)));
        _exit(0);
    }
    receive(from_child[0]);
    say("PRIO_PGRP of the child's group: %s", outcome(setpriority(PRIO_PGRP, child, 6)));
    say("getpriority(PRIO_PGRP): %s", nice_of(PRIO_PGRP, child));
    say("raw %s", value(raw_getpriority(PRIO_PGRP, child)));
    say("getpriority(PRIO_USER) of the child's user: %s", nice_of(PRIO_USER, STRANGER));
    say("setpriority(PRIO_USER) 8: %s", outcome(setpriority(PRIO_USER, STRANGER, 8)));
    say("now %s", nice_of(PRIO_USER, STRANGER));
    send(to_child[1]);
    int status;
    waitpid(child, &status, 0);
    say("the child ended: %s", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
    say("PRIO_USER of nobody's user: %s", nice_of(PRIO_USER, STRANGER));
    say("setpriority of it: %s", failure(setpriority(PRIO_USER, STRANGER, 1)));
    say("PRIO_PGRP of no group: %s", nice_of(PRIO_PGRP, NOBODY));
    say("PRIO_PROCESS of no thread: %s", nice_of(PRIO_PROCESS, NOBODY));
    say("setpriority of it: %s", failure(setpriority(PRIO_PROCESS, NOBODY, 1)));
    say("a negative id: %s", nice_of(PRIO_PROCESS, -1));
    say("which 3: %s", nice_of(3, 0));
    say("setpriority which 3: %s", failure(setpriority(3, 0, 0)));
    say("which -1: %s", failure(raw_getpriority(-1, 0)));
    setpriority(PRIO_PROCESS, 0, 0);

    /* Policies. */
    say("sched_getscheduler: %s", value(sched_getscheduler(0)));
    say("SCHED_BATCH: %s", outcome(set_policy(0, SCHED_BATCH, 0)));
    say("now %s", value(sched_getscheduler(0)));
    say("/proc/self/stat: %s", stat_fields("/proc/self/stat"));
    say("SCHED_IDLE: %s", outcome(set_policy(0, SCHED_IDLE, 0)));
    say("now %s", value(sched_getscheduler(0)));
    say("SCHED_OTHER | SCHED_RESET_ON_FORK: %s", outcome(set_policy(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0)));
    say("now %s", value(sched_getscheduler(0)));
    setpriority(PRIO_PROCESS, 0, -5);
    child = fork();
    if (child == 0) {
        say("child of a reset-on-fork parent at nice -5: nice %s", nice_of(PRIO_PROCESS, 0));
        say("child: policy %s", value(sched_getscheduler(0)));
        _exit(0);
    }
    waitpid(child, &status, 0);
    say("the parent still %s, policy %s", nice_of(PRIO_PROCESS, 0), value(sched_getscheduler(0)));
    say("root drops SCHED_RESET_ON_FORK: %s", outcome(set_policy(0, SCHED_OTHER, 0)));
    say("now %s", value(sched_getscheduler(0)));
    setpriority(PRIO_PROCESS, 0, 0);
    say("SCHED_OTHER with priority 1: %s", failure(set_policy(0, SCHED_OTHER, 1)));
    say("SCHED_FIFO with priority 0: %s", failure(set_policy(0, SCHED_FIFO, 0)));
    say("SCHED_FIFO with priority 100: %s", failure(set_policy(0, SCHED_FIFO, 100)));
    say("SCHED_DEADLINE: %s", failure(set_policy(0, 6, 0)));
    say("policy 7: %s", failure(set_policy(0, 7, 0)));
    say("policy -1: %s", failure(set_policy(0, -1, 0)));
    say("a null sched_param: %s", failure(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD_NULL)));
    say("a kernel-half sched_param: %s", failure(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD_KERNEL)));
    say("pid -1: %s", failure(set_policy(-1, SCHED_OTHER, 0)));
    say("no such thread: %s", failure(set_policy(NOBODY, SCHED_OTHER, 0)));
    say("sched_getscheduler of no thread: %s", failure(sched_getscheduler(NOBODY)));
    say("sched_getscheduler(-1): %s", failure(sched_getscheduler(-1)));

    struct sched_param parameters = { .sched_priority = 77 };
    say("sched_getparam: %s", outcome(sched_getparam(0, &parameters)));
    say("priority %d", parameters.sched_priority);
    say("sched_getparam to null: %s", failure(syscall(SYS_sched_getparam, 0, BAD_NULL)));
    say("sched_getparam to a kernel-half address: %s", failure(syscall(SYS_sched_getparam, 0, BAD_KERNEL)));
    say("sched_getparam of no thread: %s", failure(sched_getparam(NOBODY, &parameters)));
    parameters.sched_priority = 0;
    say("sched_setparam 0: %s", outcome(sched_setparam(0, &parameters)));
    parameters.sched_priority = 5;
    say("sched_setparam 5: %s", failure(sched_setparam(0, &parameters)));
    say("sched_setparam null: %s", failure(syscall(SYS_sched_setparam, 0, BAD_NULL)));

    int policies[] = { SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, 6, 4, 42, -1 };
    for (unsigned i = 0; i < sizeof policies / sizeof policies[0]; i++)
    {
        const char *maximum = value(sched_get_priority_max(policies[i]));
        say("policy %d: max %s, min %s", policies[i], maximum, value(sched_get_priority_min(policies[i])));
    }

    struct timespec slice = { 99, 99 };
    long result = sched_rr_get_interval(0, &slice);
    say("sched_rr_get_interval: %s, under a second: %s", outcome(result), yes(slice.tv_sec == 0 && slice.tv_nsec >= 0));
    say("to a kernel-half address: %s", failure(syscall(SYS_sched_rr_get_interval, 0, BAD_KERNEL)));
    say("of pid -1: %s", failure(sched_rr_get_interval(-1, &slice)));
    say("of no thread: %s", failure(sched_rr_get_interval(NOBODY, &slice)));
    return 0;
}
