/* Processes: fork (a copy of memory, shared descriptors and offsets, pid and ppid relations), exit statuses through
 * wait4/waitpid/waitid (WIFEXITED, WEXITSTATUS, WIFSIGNALED, WTERMSIG, WNOHANG, ECHILD, EINVAL), execve (of this
 * same program: arguments, environment, pid kept, close-on-exec descriptors closed, ENOENT, EACCES, ENOEXEC,
 * EFAULT), vfork, posix_spawn (clone with CLONE_VM|CLONE_VFORK), sessions and process groups in a child,
 * getrusage(RUSAGE_CHILDREN). Children print their own lines; the parent waits before it prints again. */
#include "difftest.h"
#include <signal.h>
#include <sched.h>
#include <spawn.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;
static char self[1024];

static const char *status_text(int status)
{
    char *text = scratch_string();
    if (WIFEXITED(status))
        snprintf(text, 64, "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(text, 64, "killed by signal %d", WTERMSIG(status));   /* (WCOREDUMP depends on core_pattern: not shown) */
    else
        snprintf(text, 64, "status 0x%x", status);
    return text;
}

/* The program started again by execve: "child" MODE ... */
static int child_main(int argc, char **argv)
{
    if (strcmp(argv[2], "args") == 0) {
        say("  exec'd: argc %d, argv[0] %s, argv[3] %s, argv[4] '%s'", argc, argv[0], argc > 3 ? argv[3] : "-", argc > 4 ? argv[4] : "-");
        int count = 0;
        for (char **e = environ; *e; e++)
            count++;
        say("  exec'd: %d environment strings, DIFFTEST=%s, HOME=%s", count, getenv("DIFFTEST") ? getenv("DIFFTEST") : "(unset)",
            getenv("HOME") ? getenv("HOME") : "(unset)");
        return 5;
    }
    if (strcmp(argv[2], "pid") == 0) {
        say("  exec'd: pid unchanged across execve: %s", yes(getpid() == atoi(argv[3])));
        say("  exec'd: parent unchanged: %s", yes(getppid() == atoi(argv[4])));
        return 0;
    }
    if (strcmp(argv[2], "fds") == 0) {
        int kept = atoi(argv[3]), closed = atoi(argv[4]);
        say("  exec'd: the plain descriptor is open: %s", yes(fcntl(kept, F_GETFD) >= 0));
        say("  exec'd: the O_CLOEXEC descriptor is closed: %s", yes(fcntl(closed, F_GETFD) < 0 && errno == EBADF));
        char text[16] = { 0 };
        say("  exec'd: reading the kept one from its shared offset: %s", read(kept, text, 5) == 5 ? text : errno_name(errno));
        return 0;
    }
    if (strcmp(argv[2], "spawned") == 0) {
        say("  spawned: argv[3] %s, parent is the spawner: %s", argv[3], yes(getppid() == atoi(argv[4])));
        return 9;
    }
    return 100;
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "child") == 0)
        return child_main(argc, argv);

    const char *execfn = (const char *)getauxval(AT_EXECFN);
    if (execfn && execfn[0] == '/')
        snprintf(self, sizeof self, "%s", execfn);
    else {
        char cwd[512];
        snprintf(self, sizeof self, "%s/%s", getcwd(cwd, sizeof cwd) ? (strcmp(cwd, "/") ? cwd : "") : "", execfn ? execfn : argv[0]);
    }
    check("AT_EXECFN names this program's file", access(self, X_OK) == 0);
    if (access(self, X_OK) != 0) {
        /* (only where the line above says no: look where Exo-OS keeps its programs, so the exec tests still run) */
        const char *slash = strrchr(argv[0], '/');
        snprintf(self, sizeof self, "/exo/bin/%s", slash ? slash + 1 : argv[0]);
    }
    scratch_enter("processes");
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);   /* a child killed by a signal dumps no core file */
    pid_t me = getpid();
    int status = -1;

    /* fork: two processes, memory copied */
    static int shared = 1;
    pid_t child = fork();
    if (child == 0) {
        shared = 2;
        say("  child: fork returned 0: yes");
        say("  child: own pid differs from the parent's: %s", yes(getpid() != me));
        say("  child: getppid is the parent: %s", yes(getppid() == me));
        _exit(7);
    }
    pid_t reaped = waitpid(child, &status, 0);   /* first: which of the two runs first after fork is the scheduler's choice */
    check("fork returned the child's pid in the parent", child > 0 && child != me);
    check("waitpid returned the child", child > 0 && reaped == child);
    say("child: %s", status_text(status));
    check("the child's write did not reach the parent's memory", shared == 1);

    /* exit statuses */
    int codes[4] = { 0, 1, 255, 256 + 3 };
    for (int i = 0; i < 4; i++) {
        if ((child = fork()) == 0)
            exit(codes[i]);
        waitpid(child, &status, 0);
        say("exit(%d): %s", codes[i], status_text(status));
    }
    if ((child = fork()) == 0) {
        abort();
    }
    waitpid(child, &status, 0);
    say("abort(): %s", status_text(status));
    if ((child = fork()) == 0) {
        kill(getpid(), SIGKILL);
        _exit(1);
    }
    waitpid(child, &status, 0);
    say("kill(self, SIGKILL): %s", status_text(status));
    if ((child = fork()) == 0) {
        *(volatile int *)opaque(NULL) = 1;
        _exit(1);
    }
    waitpid(child, &status, 0);
    say("a write through the null pointer: %s", status_text(status));

    /* descriptors are shared, offsets too */
    int fd = open("shared", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if ((child = fork()) == 0) {
        write(fd, "child", 5);
        _exit(0);
    }
    waitpid(child, &status, 0);
    check("the child's write moved the parent's offset", lseek(fd, 0, SEEK_CUR) == 5);
    write(fd, "parent", 6);
    char text[32] = { 0 };
    pread(fd, text, sizeof text - 1, 0);
    say("file written by both: %s", text);

    /* waiting: WNOHANG, ECHILD, waitid, wait4's rusage, -1 for any child */
    say("waitpid with no children: %s", failure(waitpid(-1, &status, 0)));
    say("waitpid WNOHANG with no children: %s", failure(waitpid(-1, &status, WNOHANG)));
    say("waitpid for a pid that is not a child: %s", failure(waitpid(1, &status, 0)));
    unlink("go");
    if ((child = fork()) == 0) {
        while (access("go", F_OK) != 0)
            sched_yield();
        _exit(11);
    }
    say("WNOHANG while the child runs: %s", value(waitpid(child, &status, WNOHANG)));
    close(open("go", O_WRONLY | O_CREAT, 0644));
    struct rusage usage;
    reaped = wait4(-1, &status, 0, &usage);
    check("wait4(-1) reaped it", reaped == child);
    say("it %s", status_text(status));
    check("wait4's rusage has valid times", usage.ru_utime.tv_usec < 1000000 && usage.ru_stime.tv_usec < 1000000);
    say("wait4 bad options: %s", failure(wait4(-1, &status, 0x100, NULL)));
    if ((child = fork()) == 0)
        _exit(12);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    say("waitid P_PID WEXITED: %s", outcome(waitid(P_PID, child, &info, WEXITED)));
    say("siginfo: signo SIGCHLD %s, code CLD_EXITED %s, status %d, pid matches %s", yes(info.si_signo == SIGCHLD),
        yes(info.si_code == CLD_EXITED), info.si_status, yes(info.si_pid == child));
    say("waitid without WEXITED/WSTOPPED/WCONTINUED: %s", failure(waitid(P_ALL, 0, &info, 0)));
    say("waitid P_ALL with no children: %s", failure(waitid(P_ALL, 0, &info, WEXITED)));
    if ((child = fork()) == 0)
        _exit(13);
    int waited;
    do
        waited = waitid(P_PID, child, &info, WEXITED | WNOWAIT);
    while (waited != 0 && errno == EINTR);
    say("WNOWAIT leaves it waitable: %s", yes(waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 13));
    say("getrusage RUSAGE_CHILDREN: %s", outcome(getrusage(RUSAGE_CHILDREN, &usage)));

    /* execve */
    if ((child = fork()) == 0) {
        char *arguments[] = { "renamed", "child", "args", "three", "with space", NULL };
        char *environment[] = { "DIFFTEST=yes", "OTHER=1", NULL };
        execve(self, arguments, environment);
        _exit(99);
    }
    waitpid(child, &status, 0);
    say("exec'd child: %s", status_text(status));
    if ((child = fork()) == 0) {
        char pid_text[16], parent_text[16];
        snprintf(pid_text, sizeof pid_text, "%d", getpid());
        snprintf(parent_text, sizeof parent_text, "%d", getppid());
        char *arguments[] = { "processes", "child", "pid", pid_text, parent_text, NULL };
        execve(self, arguments, environ);
        _exit(99);
    }
    waitpid(child, &status, 0);
    say("exec'd child: %s", status_text(status));
    int kept = open("shared", O_RDONLY);
    int closed = open("shared", O_RDONLY | O_CLOEXEC);
    lseek(kept, 6, SEEK_SET);
    if ((child = fork()) == 0) {
        char kept_text[16], closed_text[16];
        snprintf(kept_text, sizeof kept_text, "%d", kept);
        snprintf(closed_text, sizeof closed_text, "%d", closed);
        char *arguments[] = { "processes", "child", "fds", kept_text, closed_text, NULL };
        execve(self, arguments, environ);
        _exit(99);
    }
    waitpid(child, &status, 0);
    say("exec'd child: %s", status_text(status));
    close(kept);
    close(closed);
    char *none[] = { "x", NULL };
    say("execve missing: %s", failure(execve("missing", none, environ)));
    say("execve a directory: %s", failure(execve(".", none, environ)));
    write_file("script-without-x", "#!/bin/sh\n");
    chmod("script-without-x", 0644);
    say("execve a file without execute permission: %s", failure(execve("script-without-x", none, environ)));
    write_file("garbage", "this is not an executable\n");
    chmod("garbage", 0755);
    say("execve a file in no known format: %s", failure(execve("garbage", none, environ)));
    say("execve a bad path pointer: %s", failure(execve(BAD_KERNEL, none, environ)));
    say("execve a bad argv pointer: %s", failure(execve(self, BAD_KERNEL, environ)));
    char *bad_argv[] = { "x", BAD_KERNEL, NULL };
    say("execve a bad string in argv: %s", failure(execve(self, bad_argv, environ)));
    check("still this process after the failed execs", getpid() == me);

    /* vfork: the child borrows the parent's memory until it execs or exits */
    static volatile int borrowed = 1;
    child = vfork();
    if (child == 0) {
        borrowed = 2;
        _exit(3);
    }
    waitpid(child, &status, 0);
    say("vfork child: %s; its write is seen by the parent: %s", status_text(status), yes(borrowed == 2));

    /* a mapping the vfork child makes is the parent's: the child borrows its memory regions too */
    static volatile char *child_mapping;
    child = vfork();
    if (child == 0) {
        char *mapped = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapped != MAP_FAILED)
            mapped[4096] = 42;
        child_mapping = mapped == MAP_FAILED ? NULL : mapped;
        _exit(0);
    }
    waitpid(child, &status, 0);
    say("vfork child's mmap is in the parent: %s", yes(child_mapping != NULL && child_mapping[4096] == 42));
    if (child_mapping != NULL)
        say("  munmap of it by the parent: %s", outcome(munmap((void *)child_mapping, 3 * 4096)));

    /* a vfork parent killed while its child borrows its memory: the child goes on with it, then reports */
    int report[2];
    pipe(report);
    pid_t middle = fork();
    if (middle == 0) {
        close(report[0]);
        pid_t waiting_parent = getpid();
        if (vfork() == 0) {
            kill(waiting_parent, SIGKILL);
            for (int i = 0; i < 5000 && getppid() == waiting_parent; i++)
                usleep(1000);
            volatile char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            int fine = page != MAP_FAILED && getppid() != waiting_parent;
            if (page != MAP_FAILED) {
                page[0] = 1;
                munmap((void *)page, 4096);
            }
            write(report[1], fine ? "ok" : "no", 2);
            _exit(0);
        }
        _exit(1);   /* not reached: killed while waiting */
    }
    close(report[1]);
    waitpid(middle, &status, 0);
    char answer[3] = { 0 };
    ssize_t got = read(report[0], answer, 2);
    close(report[0]);
    say("vfork parent killed while waiting: %s; the orphaned child went on: %s", status_text(status), got == 2 ? answer : "nothing");

    /* posix_spawn */
    char me_text[16];
    snprintf(me_text, sizeof me_text, "%d", me);
    char *spawn_arguments[] = { "processes", "child", "spawned", "hello", me_text, NULL };
    pid_t spawned;
    /* (reported once the child has ended: after its exec the parent goes on, and the two would print in either order) */
    int spawn_result = posix_spawn(&spawned, self, NULL, NULL, spawn_arguments, environ);
    if (spawn_result == 0)
        waitpid(spawned, &status, 0);
    say("posix_spawn: %s", spawn_result == 0 ? "ok" : errno_name(spawn_result));
    say("spawned child: %s", status_text(status));
    say("posix_spawn of a missing file: %s", errno_name(posix_spawn(&spawned, "missing", NULL, NULL, spawn_arguments, environ)));

    /* sessions and process groups, in a child */
    if ((child = fork()) == 0) {
        pid_t own = getpid();
        say("  child: in its parent's process group: %s", yes(getpgid(0) == getpgid(getppid())));
        say("  child: setpgid(0, 0): %s", outcome(setpgid(0, 0)));
        say("  child: now its own group: %s", yes(getpgid(0) == own && getpgrp() == own));
        say("  child: setsid as a group leader: %s", failure(setsid()));
        _exit(0);
    }
    waitpid(child, &status, 0);
    if ((child = fork()) == 0) {
        pid_t own = getpid();
        say("  child: setsid: %s", yes(setsid() == own));
        say("  child: getsid(0) and getpgid(0) are its pid: %s", yes(getsid(0) == own && getpgid(0) == own));
        say("  child: setsid again: %s", failure(setsid()));
        say("  child: setpgid into another session's group: %s", failure(setpgid(0, getppid())));
        _exit(0);
    }
    waitpid(child, &status, 0);
    say("getpgid of a pid that does not exist: %s", failure(getpgid(0x3ffffff0)));
    say("setpgid with a negative group: %s", failure(setpgid(0, -1)));

    close(fd);
    scratch_leave();
    return 0;
}
