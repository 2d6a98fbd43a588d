/* Signals: sigaction (handlers, SA_SIGINFO, SA_RESETHAND, SA_NODEFER, the old action back), kill/raise/tgkill to
 * itself, the mask (sigprocmask: blocked signals stay pending, delivered on unblock; SIGKILL and SIGSTOP cannot be
 * blocked), sigpending, sigsuspend, rt_sigtimedwait, signals from faults (SIGSEGV with si_addr and si_code,
 * SIGFPE, SIGILL) handled and returned from by siglongjmp, sigaltstack, alarm, SIGCHLD from a child, default
 * actions seen by a parent, and the errors EINVAL, ESRCH, EFAULT, EAGAIN. */
#include "difftest.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t caught, caught_signal, caught_code, nested_depth, max_depth, invocations;
static volatile uintptr_t fault_address;
static volatile int on_alternate_stack;
static sigjmp_buf recover;
static char *alternate;

static void handler(int number)
{
    caught++;
    caught_signal = number;
}

static void info_handler(int number, siginfo_t *info, void *context)
{
    (void)context;
    caught++;
    caught_signal = number;
    caught_code = info->si_code;
    fault_address = (uintptr_t)info->si_addr;
}

static void fault_handler(int number, siginfo_t *info, void *context)
{
    (void)context;
    caught_signal = number;
    caught_code = info->si_code;
    fault_address = (uintptr_t)info->si_addr;
    char here;
    on_alternate_stack = alternate != NULL && &here >= alternate && &here < alternate + 65536;
    siglongjmp(recover, 1);
}

static void nesting_handler(int number)
{
    nested_depth++;
    if (nested_depth > max_depth)
        max_depth = nested_depth;
    if (invocations++ < 2)
        raise(number);
    nested_depth--;
}

static const char *code_name(int signal_number, int code)
{
    if (code == SI_USER) return "SI_USER";
    if (code == SI_TKILL) return "SI_TKILL";
    if (code == SI_QUEUE) return "SI_QUEUE";
    if (code == SI_KERNEL) return "SI_KERNEL";
    if (signal_number == SIGSEGV) return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
    if (signal_number == SIGFPE) return code == FPE_INTDIV ? "FPE_INTDIV" : "other";
    if (signal_number == SIGILL) return code == ILL_ILLOPN ? "ILL_ILLOPN" : code == ILL_ILLOPC ? "ILL_ILLOPC" : "other";
    if (signal_number == SIGCHLD) return code == CLD_EXITED ? "CLD_EXITED" : code == CLD_KILLED ? "CLD_KILLED" : "other";
    return "other";
}

int main(void)
{
    struct sigaction action, old;

    /* a handler, and the old action returned */
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    say("sigaction SIGUSR1: %s", outcome(sigaction(SIGUSR1, &action, &old)));
    say("the old action was SIG_DFL: %s", yes(old.sa_handler == SIG_DFL));
    say("raise SIGUSR1: %s", outcome(raise(SIGUSR1)));
    say("handled: %d time(s), signal %d", (int)caught, (int)caught_signal);
    say("kill(getpid(), SIGUSR1): %s", outcome(kill(getpid(), SIGUSR1)));
    say("handled: %d time(s)", (int)caught);
    say("tgkill to itself: %s", outcome(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1)));
    say("handled: %d time(s)", (int)caught);
    sigaction(SIGUSR1, NULL, &old);
    say("reading the action back: the handler %s", yes(old.sa_handler == handler));
    say("kill with signal 0 (a check): %s", outcome(kill(getpid(), 0)));

    /* SA_SIGINFO: who sent it */
    memset(&action, 0, sizeof action);
    action.sa_sigaction = info_handler;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &action, NULL);
    kill(getpid(), SIGUSR2);
    say("SA_SIGINFO from kill: code %s", code_name(SIGUSR2, caught_code));
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2);
    say("SA_SIGINFO from tgkill: code %s", code_name(SIGUSR2, caught_code));
    union sigval sent = { .sival_int = 42 };
    sigqueue(getpid(), SIGUSR2, sent);
    say("SA_SIGINFO from sigqueue: code %s", code_name(SIGUSR2, caught_code));

    /* SA_RESETHAND: once, then the default again */
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    action.sa_flags = SA_RESETHAND;
    sigaction(SIGWINCH, &action, NULL);
    caught = 0;
    raise(SIGWINCH);
    sigaction(SIGWINCH, NULL, &old);
    say("SA_RESETHAND: handled %d, then SIG_DFL: %s", (int)caught, yes(old.sa_handler == SIG_DFL));

    /* a signal is blocked while its handler runs, unless SA_NODEFER */
    memset(&action, 0, sizeof action);
    action.sa_handler = nesting_handler;
    sigaction(SIGURG, &action, NULL);
    max_depth = 0;
    invocations = 0;
    raise(SIGURG);
    say("raise from its own handler: depth %d, %d runs (the signal waits until the handler returns)", (int)max_depth, (int)invocations);
    action.sa_flags = SA_NODEFER;
    sigaction(SIGURG, &action, NULL);
    max_depth = 0;
    invocations = 0;
    raise(SIGURG);
    say("with SA_NODEFER: depth %d, %d runs", (int)max_depth, (int)invocations);

    /* the mask: blocked signals stay pending */
    sigset_t block, previous, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    say("block SIGUSR1: %s", outcome(sigprocmask(SIG_BLOCK, &block, &previous)));
    caught = 0;
    raise(SIGUSR1);
    raise(SIGUSR1);
    say("raised twice while blocked: handled %d", (int)caught);
    sigpending(&pending);
    say("sigpending has SIGUSR1: %s", yes(sigismember(&pending, SIGUSR1)));
    say("unblock: %s", outcome(sigprocmask(SIG_SETMASK, &previous, NULL)));
    say("delivered once on unblock (standard signals do not queue): %d", (int)caught);
    sigpending(&pending);
    say("no longer pending: %s", yes(!sigismember(&pending, SIGUSR1)));

    /* real-time signals queue */
    memset(&action, 0, sizeof action);
    action.sa_sigaction = info_handler;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN, &action, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &block, NULL);
    caught = 0;
    for (int i = 0; i < 3; i++)
        sigqueue(getpid(), SIGRTMIN, sent);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    say("SIGRTMIN queued 3 times while blocked: handled %d", (int)caught);

    /* SIGKILL and SIGSTOP cannot be blocked or caught */
    sigemptyset(&block);
    sigaddset(&block, SIGKILL);
    sigaddset(&block, SIGSTOP);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigprocmask(SIG_BLOCK, NULL, &previous);
    say("SIGKILL and SIGSTOP silently left out of the mask: %s", yes(!sigismember(&previous, SIGKILL) && !sigismember(&previous, SIGSTOP)));
    action.sa_handler = handler;
    action.sa_flags = 0;
    say("sigaction SIGKILL: %s", failure(sigaction(SIGKILL, &action, NULL)));
    say("sigaction SIGSTOP: %s", failure(sigaction(SIGSTOP, &action, NULL)));
    say("sigaction signal 0: %s", failure(sigaction(0, &action, NULL)));
    say("sigaction signal 65: %s", failure(sigaction(65, &action, NULL)));
    say("rt_sigaction with a wrong sigset size: %s", failure(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4)));
    say("rt_sigaction bad pointer: %s", failure(syscall(SYS_rt_sigaction, SIGUSR1, BAD_KERNEL, NULL, 8)));
    say("sigprocmask bad how: %s", failure(syscall(SYS_rt_sigprocmask, 7, &block, NULL, 8)));
    say("kill signal 65: %s", failure(kill(getpid(), 65)));
    say("kill a pid that does not exist: %s", failure(kill(0x3ffffff0, SIGUSR1)));

    /* sigsuspend and sigtimedwait */
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigaction(SIGUSR1, &action, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &previous);
    raise(SIGUSR1);
    caught = 0;
    sigset_t wait_mask;
    sigemptyset(&wait_mask);
    say("sigsuspend with SIGUSR1 pending: %s", failure(sigsuspend(&wait_mask)));
    say("handled during sigsuspend: %d", (int)caught);
    raise(SIGUSR1);
    siginfo_t info;
    struct timespec no_wait = { 0, 0 };
    say("sigtimedwait takes the pending SIGUSR1: %s", value(sigtimedwait(&block, &info, &no_wait)));
    say("its code: %s", code_name(SIGUSR1, info.si_code));
    say("sigtimedwait with nothing pending and no wait: %s", failure(sigtimedwait(&block, &info, &no_wait)));
    struct timespec bad_time = { 0, 2000000000 };
    say("sigtimedwait with tv_nsec 2e9: %s", failure(sigtimedwait(&block, &info, &bad_time)));
    sigprocmask(SIG_SETMASK, &previous, NULL);

    /* faults become signals; the handler leaves by siglongjmp */
    memset(&action, 0, sizeof action);
    action.sa_sigaction = fault_handler;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &action, NULL);
    sigaction(SIGFPE, &action, NULL);
    sigaction(SIGILL, &action, NULL);
    sigaction(SIGBUS, &action, NULL);
    char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(recover, 1) == 0) {
        *(volatile char *)(page + 100) = 1;
        say("write to a read-only page: no signal");
    } else {
        say("write to a read-only page: signal %d, %s, si_addr is the address: %s", (int)caught_signal,
            code_name(caught_signal, caught_code), yes(fault_address == (uintptr_t)page + 100));
    }
    munmap(page, 4096);
    if (sigsetjmp(recover, 1) == 0) {
        (void)*(volatile char *)(page + 8);
        say("read of an unmapped page: no signal");
    } else {
        say("read of an unmapped page: signal %d, %s, si_addr is the address: %s", (int)caught_signal,
            code_name(caught_signal, caught_code), yes(fault_address == (uintptr_t)page + 8));
    }
    if (sigsetjmp(recover, 1) == 0) {
        volatile int zero = 0;
        volatile int quotient = 10 / zero;
        (void)quotient;
        say("division by zero: no signal");
    } else {
        say("division by zero: signal %d, %s", (int)caught_signal, code_name(caught_signal, caught_code));
    }
    if (sigsetjmp(recover, 1) == 0) {
        __asm__ volatile("ud2");
        say("ud2: no signal");
    } else {
        say("ud2: signal %d, %s", (int)caught_signal, code_name(caught_signal, caught_code));
    }
    if (sigsetjmp(recover, 1) == 0) {
        __asm__ volatile("hlt");
        say("hlt in user mode: no signal");
    } else {
        say("hlt in user mode: signal %d, %s", (int)caught_signal, code_name(caught_signal, caught_code));
    }
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    say("siglongjmp restored the mask (SIGSEGV not blocked): %s", yes(!sigismember(&now, SIGSEGV)));

    /* sigaltstack */
    stack_t stack = { 0 }, old_stack;
    alternate = malloc(65536);
    stack.ss_sp = alternate;
    stack.ss_size = 65536;
    say("sigaltstack: %s", outcome(sigaltstack(&stack, &old_stack)));
    say("there was none before: %s", yes(old_stack.ss_flags & SS_DISABLE));
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &action, NULL);
    if (sigsetjmp(recover, 1) == 0)
        *(volatile char *)opaque(NULL) = 1;
    say("the handler ran on the alternate stack: %s", yes(on_alternate_stack));
    stack.ss_size = 100;
    say("sigaltstack smaller than MINSIGSTKSZ: %s", failure(sigaltstack(&stack, NULL)));
    stack.ss_flags = 0x1234;
    stack.ss_size = 65536;
    say("sigaltstack bad flags: %s", failure(sigaltstack(&stack, NULL)));

    /* alarm */
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigaction(SIGALRM, &action, NULL);
    caught = 0;
    unsigned previous_alarm = alarm(1);
    say("alarm(1) returns the previous alarm: %u", previous_alarm);
    unsigned again_alarm = alarm(1);
    say("alarm(1) again returns about 1: %s", yes(again_alarm <= 1));
    if (again_alarm != (unsigned)-1)   /* (no alarm: pause would wait for ever) */
        pause();
    say("pause returned after SIGALRM: %d handled", (int)caught);
    say("alarm(0) cancels: %u", alarm(0));

    /* a child: SIGCHLD, and the default actions seen by the parent */
    memset(&action, 0, sizeof action);
    action.sa_sigaction = info_handler;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGCHLD, &action, NULL);
    caught = 0;
    pid_t child = fork();
    if (child == 0)
        _exit(4);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    say("SIGCHLD from an exited child: handled %s, code %s", yes(caught >= 1), code_name(SIGCHLD, caught_code));
    signal(SIGCHLD, SIG_DFL);
    int defaults[4] = { SIGTERM, SIGUSR1, SIGPIPE, SIGHUP };
    for (int i = 0; i < 4; i++) {
        if ((child = fork()) == 0) {
            signal(defaults[i], SIG_DFL);
            raise(defaults[i]);
            _exit(0);
        }
        waitpid(child, &status, 0);
        say("default action of signal %d: %s %d", defaults[i], WIFSIGNALED(status) ? "killed by" : "exited", WIFSIGNALED(status)
            ? WTERMSIG(status) : WEXITSTATUS(status));
    }
    if ((child = fork()) == 0) {
        signal(SIGTERM, SIG_IGN);
        raise(SIGTERM);
        _exit(21);
    }
    waitpid(child, &status, 0);
    say("SIGTERM ignored: exited %d", WEXITSTATUS(status));
    if ((child = fork()) == 0) {
        signal(SIGURG, SIG_DFL);
        raise(SIGURG);
        _exit(22);
    }
    waitpid(child, &status, 0);
    say("SIGURG's default is to ignore: exited %d", WEXITSTATUS(status));
    if ((child = fork()) == 0) {
        sigemptyset(&block);
        sigaddset(&block, SIGUSR2);
        sigprocmask(SIG_BLOCK, &block, NULL);
        signal(SIGUSR2, SIG_DFL);
        raise(SIGUSR2);
        pid_t again = fork();
        if (again == 0) {
            sigpending(&pending);
            _exit(sigismember(&pending, SIGUSR2) ? 1 : 2);
        }
        int inner;
        waitpid(again, &inner, 0);
        _exit(WEXITSTATUS(inner));
    }
    waitpid(child, &status, 0);
    say("a fork child does not inherit pending signals (2 = not pending): %d", WEXITSTATUS(status));
    if ((child = fork()) == 0) {
        for (;;)
            pause();
    }
    say("kill a child with SIGKILL: %s", child > 0 ? outcome(kill(child, SIGKILL)) : "fork failed");   /* never kill(-1) */
    waitpid(child, &status, 0);
    say("it was killed by signal %d", WTERMSIG(status));
    return 0;
}
