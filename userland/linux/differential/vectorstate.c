/* Vector state: the sixteen YMM registers (AVX, XCR0 bit 2) belong to the program across whatever the kernel does
 * between two of its instructions: system calls (sched_yield, many), a fork (the child sees the parent's values,
 * and each keeps its own), a switch to another thread using its own values, an execve (the new program starts with
 * the upper halves zero), a signal handler that clobbers them. The handler's frame in Linux's XSAVE format (uc_flags
 * UC_FP_XSTATE, struct _fpx_sw_bytes in the legacy area's reserved bytes, FP_XSTATE_MAGIC2 after the XSAVE area,
 * the upper halves where CPUID leaf 0xD puts AVX's state); a handler's change to the image is what the interrupted
 * code gets back; a broken MAGIC2 means the legacy area only (YMM upper halves back to zero); a header or MXCSR the
 * processor refuses is a bad frame (SIGSEGV); AT_MINSIGSTKSZ covers a frame. The functions that touch YMM are
 * compiled for AVX2 alone (target attribute); a processor without AVX2 (or a kernel that leaves it off in XCR0)
 * prints one line and skips the rest. */
#include "difftest.h"
#include <cpuid.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

enum { REGISTERS = 16, REGISTER_BYTES = 32, SET_BYTES = REGISTERS * REGISTER_BYTES, HALF = 16 };
#define UC_FP_XSTATE 0x1   /* uc_flags: the fpstate is an XSAVE image (asm/ucontext.h) */
/* The fpstate's layout: the FXSAVE area (MXCSR at 24, XMM registers at 160), struct _fpx_sw_bytes at 464
 * (<signal.h>'s bits/sigcontext.h), the XSAVE header at 512 (XSTATE_BV first); a frame is 440 bytes below it. */
enum { XMM_OFFSET = 160, MXCSR_OFFSET = 24, SOFTWARE_OFFSET = 464, HEADER_OFFSET = 512, RT_SIGFRAME_SIZE = 440 };

typedef unsigned char register_set[SET_BYTES] __attribute__((aligned(32)));

/* Loads ymm0-15 from 'in', makes system call 'number' (a1, a2, a3) 'repeat' times, stores ymm0-15 to 'out'; the
 * last call's result. Nothing but the kernel runs between the load and the store. */
__attribute__((target("avx2"), noinline)) static long ymm_around_syscall(const unsigned char *in, unsigned char *out, long number,
                                                                         long a1, long a2, long a3, long repeat)
{
    long result;
    register long r10 __asm__("r10") = 0;
    __asm__ volatile(
        "vmovdqu 0(%[in]), %%ymm0\n\t"   "vmovdqu 32(%[in]), %%ymm1\n\t"  "vmovdqu 64(%[in]), %%ymm2\n\t"
        "vmovdqu 96(%[in]), %%ymm3\n\t"  "vmovdqu 128(%[in]), %%ymm4\n\t" "vmovdqu 160(%[in]), %%ymm5\n\t"
        "vmovdqu 192(%[in]), %%ymm6\n\t" "vmovdqu 224(%[in]), %%ymm7\n\t" "vmovdqu 256(%[in]), %%ymm8\n\t"
        "vmovdqu 288(%[in]), %%ymm9\n\t" "vmovdqu 320(%[in]), %%ymm10\n\t" "vmovdqu 352(%[in]), %%ymm11\n\t"
        "vmovdqu 384(%[in]), %%ymm12\n\t" "vmovdqu 416(%[in]), %%ymm13\n\t" "vmovdqu 448(%[in]), %%ymm14\n\t"
        "vmovdqu 480(%[in]), %%ymm15\n\t"
        "1:\n\t"
        "mov %[number], %%rax\n\t"
        "syscall\n\t"
        "dec %[repeat]\n\t"
        "jnz 1b\n\t"
        "vmovdqu %%ymm0, 0(%[out])\n\t"   "vmovdqu %%ymm1, 32(%[out])\n\t"  "vmovdqu %%ymm2, 64(%[out])\n\t"
        "vmovdqu %%ymm3, 96(%[out])\n\t"  "vmovdqu %%ymm4, 128(%[out])\n\t" "vmovdqu %%ymm5, 160(%[out])\n\t"
        "vmovdqu %%ymm6, 192(%[out])\n\t" "vmovdqu %%ymm7, 224(%[out])\n\t" "vmovdqu %%ymm8, 256(%[out])\n\t"
        "vmovdqu %%ymm9, 288(%[out])\n\t" "vmovdqu %%ymm10, 320(%[out])\n\t" "vmovdqu %%ymm11, 352(%[out])\n\t"
        "vmovdqu %%ymm12, 384(%[out])\n\t" "vmovdqu %%ymm13, 416(%[out])\n\t" "vmovdqu %%ymm14, 448(%[out])\n\t"
        "vmovdqu %%ymm15, 480(%[out])\n\t"
        "vzeroupper\n\t"
        : "=&a"(result), [repeat] "+r"(repeat), "+r"(r10)
        : [in] "r"(in), [out] "r"(out), [number] "r"(number), "D"(a1), "S"(a2), "d"(a3)
        : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    return result;
}

/* Stores ymm0-15 as they are (a handler's first act; a new program's). */
__attribute__((target("avx2"), noinline)) static void store_ymm(unsigned char *out)
{
    __asm__ volatile(
        "vmovdqu %%ymm0, 0(%0)\n\t"   "vmovdqu %%ymm1, 32(%0)\n\t"  "vmovdqu %%ymm2, 64(%0)\n\t"
        "vmovdqu %%ymm3, 96(%0)\n\t"  "vmovdqu %%ymm4, 128(%0)\n\t" "vmovdqu %%ymm5, 160(%0)\n\t"
        "vmovdqu %%ymm6, 192(%0)\n\t" "vmovdqu %%ymm7, 224(%0)\n\t" "vmovdqu %%ymm8, 256(%0)\n\t"
        "vmovdqu %%ymm9, 288(%0)\n\t" "vmovdqu %%ymm10, 320(%0)\n\t" "vmovdqu %%ymm11, 352(%0)\n\t"
        "vmovdqu %%ymm12, 384(%0)\n\t" "vmovdqu %%ymm13, 416(%0)\n\t" "vmovdqu %%ymm14, 448(%0)\n\t"
        "vmovdqu %%ymm15, 480(%0)\n\t"
        : : "r"(out) : "memory");
}

/* Loads ymm0-15 and leaves them so (a handler's clobbering; the handler's return restores the interrupted ones). */
__attribute__((target("avx2"), noinline)) static void load_ymm(const unsigned char *in)
{
    __asm__ volatile(
        "vmovdqu 0(%0), %%ymm0\n\t"   "vmovdqu 32(%0), %%ymm1\n\t"  "vmovdqu 64(%0), %%ymm2\n\t"
        "vmovdqu 96(%0), %%ymm3\n\t"  "vmovdqu 128(%0), %%ymm4\n\t" "vmovdqu 160(%0), %%ymm5\n\t"
        "vmovdqu 192(%0), %%ymm6\n\t" "vmovdqu 224(%0), %%ymm7\n\t" "vmovdqu 256(%0), %%ymm8\n\t"
        "vmovdqu 288(%0), %%ymm9\n\t" "vmovdqu 320(%0), %%ymm10\n\t" "vmovdqu 352(%0), %%ymm11\n\t"
        "vmovdqu 384(%0), %%ymm12\n\t" "vmovdqu 416(%0), %%ymm13\n\t" "vmovdqu 448(%0), %%ymm14\n\t"
        "vmovdqu 480(%0), %%ymm15\n\t"
        : : "r"(in) : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
          "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

static void fill_pattern(unsigned char *set, int seed)
{
    for (int i = 0; i < SET_BYTES; i++)
        set[i] = (unsigned char)(seed * 37 + i * 7 + 1);
}

static int upper_halves_zero(const unsigned char *set)
{
    for (int r = 0; r < REGISTERS; r++)
        for (int i = HALF; i < REGISTER_BYTES; i++)
            if (set[r * REGISTER_BYTES + i] != 0)
                return 0;
    return 1;
}

static const char *hex8(const unsigned char *bytes)
{
    char *text = scratch_string();
    uint64_t word;
    memcpy(&word, bytes, 8);
    snprintf(text, 64, "0x%016llx", (unsigned long long)word);
    return text;
}

static long this_thread(void) { return syscall(SYS_gettid); }

/* ---- the signal handler and what it saw ---- */

enum handler_mode { OBSERVE, CHANGE_IMAGE, BREAK_MAGIC2, BREAK_HEADER, BREAK_MXCSR };
static volatile int mode;
static unsigned avx_offset;
static register_set at_entry, clobber, expected_back, observed_frame_upper, observed_frame_lower;
static struct _fpx_sw_bytes seen_software;
static volatile unsigned long seen_flags, seen_state_bitmap;
static volatile unsigned seen_magic2;
static volatile int seen_aligned, handled;
static volatile uintptr_t seen_frame_bottom;

static void vector_handler(int number, siginfo_t *info, void *context)
{
    (void)number;
    (void)info;
    store_ymm(at_entry);
    ucontext_t *uc = context;
    unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
    seen_flags = uc->uc_flags;
    seen_frame_bottom = (uintptr_t)uc - 8;   /* the frame starts at the return address, below the ucontext */
    seen_aligned = ((uintptr_t)fp & 63) == 0;
    memcpy(&seen_software, fp + SOFTWARE_OFFSET, sizeof seen_software);
    memcpy((void *)&seen_state_bitmap, fp + HEADER_OFFSET, 8);
    memcpy((void *)&seen_magic2, fp + seen_software.xstate_size, 4);
    for (int r = 0; r < REGISTERS; r++) {
        memcpy(observed_frame_lower + r * REGISTER_BYTES, fp + XMM_OFFSET + r * HALF, HALF);
        memcpy(observed_frame_upper + r * REGISTER_BYTES + HALF, fp + avx_offset + r * HALF, HALF);
    }
    unsigned char changed[HALF];
    memset(changed, 0xA5, sizeof changed);
    if (mode == CHANGE_IMAGE) {
        memcpy(fp + avx_offset + 3 * HALF, changed, HALF);                    /* ymm3's upper half */
        memcpy(fp + XMM_OFFSET + 4 * HALF, changed, HALF);                    /* xmm4 */
    } else if (mode == BREAK_MAGIC2) {
        memset(fp + seen_software.xstate_size, 0, 4);
        memcpy(fp + XMM_OFFSET + 5 * HALF, changed, HALF);                    /* xmm5: taken from the legacy area */
        memcpy(fp + avx_offset + 5 * HALF, changed, HALF);                    /* ymm5's upper half: not taken */
    } else if (mode == BREAK_HEADER) {
        fp[HEADER_OFFSET + 7] |= 0x40;                                        /* XSTATE_BV bit 62: no such component */
    } else if (mode == BREAK_MXCSR) {
        fp[MXCSR_OFFSET + 3] |= 0x80;                                         /* MXCSR bit 31: reserved */
    }
    load_ymm(clobber);
    handled++;
}

/* Loads 'values', raises SIGUSR1 at this thread (the handler runs on the way back from tgkill), stores what is
 * in the registers after the handler returned. */
static void signal_around(const unsigned char *values, unsigned char *after)
{
    ymm_around_syscall(values, after, SYS_tgkill, getpid(), this_thread(), SIGUSR1, 1);
}

static void signal_checks(void)
{
    unsigned a, b, c, d;
    __cpuid_count(0xD, 2, a, b, c, d);
    avx_offset = b;
    check("CPUID 0xD: AVX state 256 bytes", a == 256);
    fill_pattern(clobber, 99);

    struct sigaction action = { 0 };
    action.sa_sigaction = vector_handler;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    say("sigaction SIGUSR1: %s", outcome(sigaction(SIGUSR1, &action, NULL)));

    register_set values, after;
    fill_pattern(values, 1);
    mode = OBSERVE;
    signal_around(values, after);
    say("handler ran: %d", handled);
    check("handler started with YMM upper halves zero", upper_halves_zero(at_entry));
    check("uc_flags has UC_FP_XSTATE", (seen_flags & UC_FP_XSTATE) != 0);
    check("fpstate 64-byte aligned", seen_aligned);
    say("sw_reserved magic1: 0x%x (FP_XSTATE_MAGIC1: %s)", seen_software.magic1, yes(seen_software.magic1 == FP_XSTATE_MAGIC1));
    check("xstate_size covers the legacy area, the header and AVX", seen_software.xstate_size >= avx_offset + 256);
    check("extended_size is xstate_size + 4", seen_software.extended_size == seen_software.xstate_size + FP_XSTATE_MAGIC2_SIZE);
    say("magic2 after the XSAVE area: 0x%x (FP_XSTATE_MAGIC2: %s)", seen_magic2, yes(seen_magic2 == FP_XSTATE_MAGIC2));
    say("xfeatures x87/SSE/AVX bits: 0x%llx", (unsigned long long)seen_software.xstate_bv & 7);
    say("XSTATE_BV x87/SSE/AVX bits: 0x%lx", seen_state_bitmap & 7);
    int lower_same = 1, upper_same = 1;
    for (int r = 0; r < REGISTERS; r++) {
        lower_same &= memcmp(observed_frame_lower + r * REGISTER_BYTES, values + r * REGISTER_BYTES, HALF) == 0;
        upper_same &= memcmp(observed_frame_upper + r * REGISTER_BYTES + HALF, values + r * REGISTER_BYTES + HALF, HALF) == 0;
    }
    check("the frame's legacy area has the interrupted XMM registers", lower_same);
    check("the frame's AVX area has the interrupted YMM upper halves", upper_same);
    say("ymm15's upper half in the frame: %s", hex8(observed_frame_upper + 15 * REGISTER_BYTES + HALF));
    check("the interrupted code's YMM registers back after the handler", memcmp(after, values, SET_BYTES) == 0);
    unsigned long minimum = getauxval(AT_MINSIGSTKSZ);
    check("AT_MINSIGSTKSZ at least a frame with this XSAVE area", minimum >= RT_SIGFRAME_SIZE + seen_software.xstate_size + FP_XSTATE_MAGIC2_SIZE);

    /* A handler's change to the image is what the interrupted code gets back. */
    fill_pattern(values, 2);
    memcpy(expected_back, values, SET_BYTES);
    memset(expected_back + 3 * REGISTER_BYTES + HALF, 0xA5, HALF);
    memset(expected_back + 4 * REGISTER_BYTES, 0xA5, HALF);
    mode = CHANGE_IMAGE;
    signal_around(values, after);
    check("a handler's change to the frame's ymm3 upper half and xmm4 is taken back", memcmp(after, expected_back, SET_BYTES) == 0);

    /* MAGIC2 missing: the legacy area only; AVX's state starts over (upper halves zero). */
    fill_pattern(values, 3);
    memcpy(expected_back, values, SET_BYTES);
    memset(expected_back + 5 * REGISTER_BYTES, 0xA5, HALF);
    for (int r = 0; r < REGISTERS; r++)
        memset(expected_back + r * REGISTER_BYTES + HALF, 0, HALF);
    mode = BREAK_MAGIC2;
    signal_around(values, after);
    check("MAGIC2 broken: XMM registers from the legacy area, YMM upper halves zero", memcmp(after, expected_back, SET_BYTES) == 0);

    /* An image the processor would refuse: the process ends with SIGSEGV (in a child). */
    static const struct { int mode; const char *label; } bad[] = {
        { BREAK_HEADER, "XSTATE_BV naming no component" },
        { BREAK_MXCSR, "MXCSR with a reserved bit" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pid_t child = fork();
        if (child == 0) {
            struct rlimit none = { 0, 0 };
            setrlimit(RLIMIT_CORE, &none);
            mode = bad[i].mode;
            fill_pattern(values, 4);
            signal_around(values, after);
            _exit(0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        say("a frame with %s: %s %d", bad[i].label, WIFSIGNALED(status) ? "killed by signal" : "exit status",
            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    }
    mode = OBSERVE;
}

/* ---- the alternate stack: AT_MINSIGSTKSZ covers the frame ---- */

static void altstack_checks(void)
{
    enum { ALTERNATE = 65536 };
    static char alternate[ALTERNATE] __attribute__((aligned(64)));
    stack_t stack = { .ss_sp = alternate, .ss_size = ALTERNATE, .ss_flags = 0 };
    say("sigaltstack: %s", outcome(sigaltstack(&stack, NULL)));
    struct sigaction action = { 0 };
    action.sa_sigaction = vector_handler;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
    register_set values, after;
    fill_pattern(values, 5);
    signal_around(values, after);
    uintptr_t top = (uintptr_t)alternate + ALTERNATE;
    check("frame on the alternate stack", seen_frame_bottom >= (uintptr_t)alternate && seen_frame_bottom < top);
    check("the frame within AT_MINSIGSTKSZ of the alternate stack's top", top - seen_frame_bottom <= getauxval(AT_MINSIGSTKSZ));
    check("YMM registers back after a handler on the alternate stack", memcmp(after, values, SET_BYTES) == 0);
    stack.ss_flags = SS_DISABLE;
    sigaltstack(&stack, NULL);
}

/* ---- system calls, fork, threads, execve ---- */

static void yield_checks(void)
{
    register_set values, after;
    fill_pattern(values, 6);
    long result = ymm_around_syscall(values, after, SYS_sched_yield, 0, 0, 0, 500);
    say("sched_yield 500 times: %s", outcome(result));
    check("YMM registers intact across 500 sched_yield calls", memcmp(after, values, SET_BYTES) == 0);
    fill_pattern(values, 7);
    ymm_around_syscall(values, after, SYS_getppid, 0, 0, 0, 100);
    check("YMM registers intact across 100 getppid calls", memcmp(after, values, SET_BYTES) == 0);
}

static void fork_checks(void)
{
    register_set values, after, own, own_after;
    fill_pattern(values, 8);
    long child = ymm_around_syscall(values, after, SYS_fork, 0, 0, 0, 1);
    if (child == 0) {
        int status = memcmp(after, values, SET_BYTES) == 0 ? 0 : 1;   /* the parent's values, copied */
        fill_pattern(own, 9);
        ymm_around_syscall(own, own_after, SYS_sched_yield, 0, 0, 0, 200);
        if (memcmp(own_after, own, SET_BYTES) != 0)
            status |= 2;
        _exit(status);
    }
    check("fork: the parent's YMM registers intact", memcmp(after, values, SET_BYTES) == 0);
    ymm_around_syscall(values, after, SYS_sched_yield, 0, 0, 0, 200);
    check("the parent's YMM registers intact while its child uses its own", memcmp(after, values, SET_BYTES) == 0);
    int status = 0;
    waitpid((pid_t)child, &status, 0);
    check("the child started with the parent's YMM registers", WIFEXITED(status) && (WEXITSTATUS(status) & 1) == 0);
    check("the child's own YMM registers intact across its sched_yield calls", WIFEXITED(status) && (WEXITSTATUS(status) & 2) == 0);
}

enum { ROUNDS = 200 };
static volatile int thread_errors;

static void *other_thread(void *argument)
{
    (void)argument;
    register_set values, after;
    fill_pattern(values, 10);
    for (int i = 0; i < ROUNDS; i++) {
        ymm_around_syscall(values, after, SYS_sched_yield, 0, 0, 0, 2);
        if (memcmp(after, values, SET_BYTES) != 0)
            thread_errors++;
    }
    return NULL;
}

static void thread_checks(void)
{
    pthread_t thread;
    say("pthread_create: %s", pthread_create(&thread, NULL, other_thread, NULL) == 0 ? "ok" : "failed");
    register_set values, after;
    fill_pattern(values, 11);
    int errors = 0;
    for (int i = 0; i < ROUNDS; i++) {
        ymm_around_syscall(values, after, SYS_sched_yield, 0, 0, 0, 2);
        if (memcmp(after, values, SET_BYTES) != 0)
            errors++;
    }
    pthread_join(thread, NULL);
    check("the first thread's YMM registers intact while another thread runs with its own", errors == 0);
    check("the second thread's YMM registers intact", thread_errors == 0);
}

static void exec_checks(const char *self)
{
    pid_t child = fork();
    if (child == 0) {
        register_set values, after;
        fill_pattern(values, 12);
        char *arguments[] = { (char *)"vectorstate", (char *)"fresh-program", NULL };
        char *environment[] = { NULL };
        ymm_around_syscall(values, after, SYS_execve, (long)self, (long)arguments, (long)environment, 1);
        _exit(3);
    }
    int status = 0;
    waitpid(child, &status, 0);
    say("a program started by execve with YMM registers loaded: %s",
        WIFEXITED(status) ? (WEXITSTATUS(status) == 0 ? "upper halves zero" : WEXITSTATUS(status) == 3 ? "execve failed" : "upper halves not zero")
                          : "killed");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "fresh-program") == 0) {
        register_set now;
        store_ymm(now);
        _exit(upper_halves_zero(now) ? 0 : 1);
    }
    if (!__builtin_cpu_supports("avx2")) {
        say("AVX2 not usable here (CPUID or XCR0): skipped");
        return 0;
    }
    unsigned low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    say("XCR0 x87/SSE/AVX bits: 0x%x", low & 7);
    yield_checks();
    signal_checks();
    altstack_checks();
    fork_checks();
    thread_checks();
    exec_checks((const char *)getauxval(AT_EXECFN));
    return 0;
}
