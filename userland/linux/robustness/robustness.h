/* The robustness programs' common part (userland/linux/robustness, static glibc, run on Exo-OS by the boot tests in
 * RobustnessTests): printing one line with one write(2), as the differential programs do (a fork cannot duplicate
 * pending output, and a kernel that stops loses nothing already printed), and naming signals and errnos. */
#ifndef ROBUSTNESS_H
#define ROBUSTNESS_H

#include "../differential/difftest.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static const char *signal_name(int signal_number)
{
    switch (signal_number) {
#define S(name) case name: return #name;
    S(SIGHUP) S(SIGINT) S(SIGQUIT) S(SIGILL) S(SIGTRAP) S(SIGABRT) S(SIGBUS) S(SIGFPE) S(SIGKILL) S(SIGUSR1)
    S(SIGSEGV) S(SIGUSR2) S(SIGPIPE) S(SIGALRM) S(SIGTERM) S(SIGSTKFLT) S(SIGCHLD) S(SIGCONT) S(SIGSTOP)
    S(SIGTSTP) S(SIGTTIN) S(SIGTTOU) S(SIGURG) S(SIGXCPU) S(SIGXFSZ) S(SIGVTALRM) S(SIGPROF) S(SIGWINCH)
    S(SIGIO) S(SIGPWR) S(SIGSYS)
#undef S
    }
    char *text = scratch_string();
    snprintf(text, 64, "signal %d", signal_number);
    return text;
}

/* How a child ended, from its wait status: "exited with N" or "ended by SIGNAME". */
static const char *ending(int status)
{
    char *text = scratch_string();
    if (WIFEXITED(status))
        snprintf(text, 64, "exited with %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(text, 64, "ended by %s", signal_name(WTERMSIG(status)));
    else
        snprintf(text, 64, "wait status 0x%x", status);
    return text;
}

/* Seconds on the monotonic clock. */
static double now(void)
{
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (double)time.tv_sec + (double)time.tv_nsec / 1e9;
}

/* Standard input from /dev/null: nothing here may block reading the console (the kernel shell's). */
static void input_from_null(void)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0 && null != 0) {
        dup2(null, 0);
        close(null);
    }
}

#endif
