/* A thread's state: arch_prctl (FS and GS bases: the thread pointer glibc set up, setting and reading back, the
 * errors), set_tid_address, prctl (PR_SET_NAME/PR_GET_NAME with truncation to 15 bytes, PR_GET_DUMPABLE,
 * PR_SET_PDEATHSIG/PR_GET_PDEATHSIG, PR_GET_NO_NEW_PRIVS/PR_SET_NO_NEW_PRIVS, unknown options), and exit's status
 * through the harness. */
#include "difftest.h"
#include <asm/prctl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>

static long arch_prctl(int code, unsigned long address) { return syscall(SYS_arch_prctl, code, address); }

int main(void)
{
    unsigned long fs = 0, gs = 1;
    say("ARCH_GET_FS: %s", outcome(arch_prctl(ARCH_GET_FS, (unsigned long)&fs)));
    uintptr_t self;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    check("FS base is the thread pointer (its first word points to itself)", fs != 0 && fs == self);
    check("errno lives in the thread block below it (TLS works)", (uintptr_t)&errno < fs && fs - (uintptr_t)&errno < 65536);
    say("ARCH_GET_GS: %s", outcome(arch_prctl(ARCH_GET_GS, (unsigned long)&gs)));
    say("GS base starts at 0: %s", yes(gs == 0));

    static unsigned long block[4];
    say("ARCH_SET_GS: %s", outcome(arch_prctl(ARCH_SET_GS, (unsigned long)block)));
    block[1] = 0x1234;
    unsigned long through_gs;
    __asm__ volatile("mov %%gs:8, %0" : "=r"(through_gs));
    check("a load through GS reads the block", through_gs == 0x1234);
    arch_prctl(ARCH_GET_GS, (unsigned long)&gs);
    check("ARCH_GET_GS reads it back", gs == (unsigned long)block);
    getpid();
    __asm__ volatile("mov %%gs:8, %0" : "=r"(through_gs));
    check("GS survives a system call", through_gs == 0x1234);
    arch_prctl(ARCH_SET_GS, 0);

    static unsigned long fake[8];
    fake[0] = (unsigned long)fake;
    say("ARCH_SET_FS to another block: %s", outcome(arch_prctl(ARCH_SET_FS, (unsigned long)fake)));
    uintptr_t seen;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(seen));
    check("FS loads go there", seen == (uintptr_t)fake);
    arch_prctl(ARCH_SET_FS, fs);   /* glibc's block again: nothing may touch TLS in between */
    __asm__ volatile("mov %%fs:0, %0" : "=r"(seen));
    check("and back", seen == fs);

    say("ARCH_SET_FS to a kernel address: %s", failure(arch_prctl(ARCH_SET_FS, (unsigned long)BAD_KERNEL)));
    say("ARCH_SET_GS to a non-canonical address: %s", failure(arch_prctl(ARCH_SET_GS, (unsigned long)BAD_NONCANONICAL)));
    say("ARCH_GET_FS into a bad pointer: %s", failure(arch_prctl(ARCH_GET_FS, (unsigned long)BAD_KERNEL)));
    say("arch_prctl unknown code: %s", failure(arch_prctl(0x1fff, 0)));

    int tid_word = -1;
    long tid = syscall(SYS_set_tid_address, &tid_word);
    check("set_tid_address returns the thread id", tid == syscall(SYS_gettid));
    check("and the thread id is the process id", tid == getpid());
    check("it does not write the word", tid_word == -1);

    char name[32] = { 0 };
    say("PR_GET_NAME: %s", outcome(prctl(PR_GET_NAME, name)));
    say("name at start (the program's file name): %s", name);
    say("PR_SET_NAME: %s", outcome(prctl(PR_SET_NAME, "difftest-name")));
    memset(name, 'x', sizeof name);
    prctl(PR_GET_NAME, name);
    say("PR_GET_NAME: %s", name);
    prctl(PR_SET_NAME, "a-name-of-more-than-fifteen-bytes");
    memset(name, 'x', sizeof name);
    prctl(PR_GET_NAME, name);
    say("a long name is cut to 15 bytes: %s (length %zu)", name, strnlen(name, sizeof name));
    say("PR_SET_NAME bad pointer: %s", failure(prctl(PR_SET_NAME, BAD_KERNEL)));
    say("PR_GET_NAME bad pointer: %s", failure(prctl(PR_GET_NAME, BAD_KERNEL)));
    say("PR_GET_DUMPABLE: %s", value(prctl(PR_GET_DUMPABLE)));
    say("PR_SET_DUMPABLE 0: %s", outcome(prctl(PR_SET_DUMPABLE, 0)));
    say("PR_GET_DUMPABLE: %s", value(prctl(PR_GET_DUMPABLE)));
    say("PR_SET_DUMPABLE 2: %s", failure(prctl(PR_SET_DUMPABLE, 2)));
    prctl(PR_SET_DUMPABLE, 1);
    int signal_number = -1;
    say("PR_GET_PDEATHSIG: %s", outcome(prctl(PR_GET_PDEATHSIG, &signal_number)));
    say("parent-death signal at start: %d", signal_number);
    say("PR_SET_PDEATHSIG SIGTERM: %s", outcome(prctl(PR_SET_PDEATHSIG, SIGTERM)));
    prctl(PR_GET_PDEATHSIG, &signal_number);
    say("read back: %d", signal_number);
    say("PR_SET_PDEATHSIG 99: %s", failure(prctl(PR_SET_PDEATHSIG, 99)));
    prctl(PR_SET_PDEATHSIG, 0);
    say("PR_GET_NO_NEW_PRIVS: %s", value(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)));
    say("PR_SET_NO_NEW_PRIVS 1: %s", outcome(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)));
    say("PR_GET_NO_NEW_PRIVS: %s", value(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)));
    say("PR_SET_NO_NEW_PRIVS with extra arguments: %s", failure(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0)));
    say("prctl unknown option: %s", failure(prctl(0x7fff0000)));
    return 0;
}
