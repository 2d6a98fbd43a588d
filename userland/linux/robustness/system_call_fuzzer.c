/* A system call fuzzer: CALLS random Linux system calls from a seeded generator, with arguments drawn from values
 * that find mistakes (0, -1, small and huge numbers, kernel and non-canonical addresses, unmapped and misaligned
 * pointers, valid buffers, valid and invalid descriptors, paths). The kernel must answer each with a result or an
 * errno and never panic or hang; what the program does with what it gets back is its own business.
 *
 *   system_call_fuzzer CALLS [SEED [CALLS_PER_CHILD [FIRST]]] [--verbose] [--threads=N]
 *
 * Call number I (from 0) is made from the generator seeded with (SEED, I) alone, so any stretch of calls can be made
 * again from its first index (FIRST) and a run is reproducible. The calls are made by children, CALLS_PER_CHILD
 * (default 2000) each: a child that dies by a signal (a call unmapped its code, or a fault it provoked) is reported
 * with the call it was making, and the next child starts at the call after it. A child making no progress for
 * HANG_SECONDS is a hang: reported with its call, killed, and counted (the program then exits with 1). The parent
 * prints one line per child and a summary: "system_call_fuzzer: seed S: N calls made by C children, K ended by a
 * signal, H hung". --verbose prints every call before it is made (to find the one that stopped the kernel).
 *
 * Calls that would legitimately end or stop the fuzzer or wreck the machine are not made (exit, execve, pause, reboot,
 * mount, ...), and some arguments are bounded (see prepare()): memory calls act on a scratch region the child owns,
 * signals are sent only to the child itself and only those it ignores, descriptors never reach the console
 * (standard input, output and error are /dev/null in the child), paths stay in a scratch directory or /proc. An
 * interval timer interrupts every blocking call (SIGALRM, caught without SA_RESTART: EINTR within 20 ms).
 *
 * --threads=N (2 to 8): each child makes its calls in N threads at once (thread K makes the calls FIRST+K, FIRST+K+N,
 * ...; each with its own generator, buffers and paths, sharing the descriptors and the scratch region and
 * directory), while its first thread sends each of them SIGALRM every 20 ms (a process-directed timer signal would
 * interrupt only one thread). A child ended by a signal is then reported with the call one of its threads made last:
 * which one is not known. set_tid_address is not made (a thread's end would write through its random address). */
#include "robustness.h"
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/sysmacros.h>

#define HANG_SECONDS 20
#define PAGE 4096UL
#define BUFFER_PAGES 24      /* guard, 22 pages of buffers, guard */
#define SCRATCH_PAGES 64
#define SCRATCH_ADDRESS 0x200000000000UL   /* far from the image, the heap, the stack and mmap's choices */

/* ---- the generator: splitmix64, seeded per call from (seed, index) ---- */

static __thread uint64_t state;

static uint64_t next(void)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t bound) { return bound == 0 ? 0 : next() % bound; }

static void seed_call(uint64_t seed, uint64_t index)
{
    state = seed;
    next();
    state ^= index * 0xD1B54A32D192ED03ULL;
    next();
}

/* ---- what the child owns ---- */

/* Each fuzzing thread's own (--threads): */
static __thread unsigned char *buffer_region;   /* BUFFER_PAGES pages: the first and last PROT_NONE */
static __thread unsigned char *buffers;         /* the usable pages between them */
static __thread size_t buffers_length;
static __thread char *paths[24];                /* path strings, in the buffers' last pages, rebuilt before each call */
static __thread int path_count;
static int thread_count = 1;                    /* --threads */
static uint64_t scratch;                   /* SCRATCH_PAGES pages for memory calls */
static uint64_t initial_break;
static int descriptors[16];
static int descriptor_count;
static char directory[256];                /* the child's scratch directory (its working directory) */
static void *signal_restorer;              /* glibc's sa_restorer, for handlers the fuzzer installs */
static int verbose_descriptor = -1;

/* A process-wide record of the call being made, in memory shared with the parent (which reports it). */
struct progress {
    volatile uint64_t index;
    volatile uint64_t number;
    volatile uint64_t arguments[6];
    volatile uint64_t calls_made;
};
static struct progress *progress;

static void on_alarm(int signal_number) { (void)signal_number; }
static void on_signal(int signal_number) { (void)signal_number; }

static void arm_timer(void)
{
    struct itimerval timer = { { 0, 20000 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &timer, NULL);
}

/* ---- argument values ---- */

static const uint64_t interesting[] = {
    0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 100, 127, 128, 255, 256, 511, 512, 1023, 1024, 4095, 4096, 4097,
    65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
    (uint64_t)-1, (uint64_t)-2, (uint64_t)-100, (uint64_t)-4095, (uint64_t)-4096,
};

/* Addresses no call may read or write: kernel half, non-canonical, the null guard, unmapped user space. */
static const uint64_t bad_addresses[] = {
    0, 1, 0x1000, 0xfff, 0x10000 - 8,
    0xffff800000000000ULL, 0xffff800000001000ULL, 0xffffffff80000000ULL, 0xffffffff80100000ULL,
    0xfffffffffffff000ULL, 0xffffffffffffffffULL - 7,
    0x0000800000000000ULL, 0x0000800000001000ULL, 0x1000000000000000ULL, 0xdead000000000000ULL,
    0x00007ffffffff000ULL, 0x00007fffffffeff8ULL, 0x0000100000000000ULL, 0x0000300000000000ULL,
};

static uint64_t random_buffer(void)
{
    switch (below(6)) {
    case 0: return (uint64_t)buffers;                                   /* the start */
    case 1: return (uint64_t)buffers + 1 + below(7);                    /* misaligned */
    case 2: return (uint64_t)buffers + buffers_length - 1 - below(64);  /* up against the guard page */
    case 3: return (uint64_t)buffers + PAGE - 1 - below(16);            /* across a page end */
    default: return (uint64_t)buffers + (below(buffers_length / 8) * 8);
    }
}

static uint64_t random_descriptor(void)
{
    switch (below(8)) {
    case 0: case 1: case 2: case 3: return descriptor_count ? (uint64_t)descriptors[below(descriptor_count)] : 3;
    case 4: return below(40);
    case 5: return (uint64_t)-100;   /* AT_FDCWD */
    case 6: { static const uint64_t bad[] = { (uint64_t)-1, 1024, 65535, 0x7fffffff, 0x80000000, (uint64_t)-2 }; return bad[below(6)]; }
    default: return (uint64_t)(int)next();
    }
}

/* A random 32-bit value, never inside the program's image and heap (so that a call writing through it cannot
 * overwrite the fuzzer itself). */
static uint64_t random32(void)
{
    uint64_t value = next() & 0xffffffff;
    if (value >= 0x400000 && value < 0x4000000)
        value |= 0x80000000;
    return value;
}

static uint64_t random_flags(void)
{
    uint64_t flags = 0;
    int bits = (int)below(4);
    for (int i = 0; i < bits; i++)
        flags |= 1ULL << below(32);
    return flags;
}

static uint64_t random_argument(void)
{
    switch (below(12)) {
    case 0: case 1: return interesting[below(sizeof interesting / sizeof interesting[0])];
    case 2: return bad_addresses[below(sizeof bad_addresses / sizeof bad_addresses[0])];
    case 3: case 4: return random_buffer();
    case 5: return (uint64_t)paths[below(path_count)];
    case 6: case 7: return random_descriptor();
    case 8: return below(64);
    case 9: return random_flags();
    case 10: return random32();
    default: return next();
    }
}

/* An address for a memory call: a page (or a misaligned byte) of the scratch region, or a bad address. */
static uint64_t memory_address(void)
{
    if (below(5) == 0)
        return bad_addresses[below(sizeof bad_addresses / sizeof bad_addresses[0])];
    uint64_t address = scratch + below(SCRATCH_PAGES) * PAGE;
    if (below(8) == 0)
        address += 1 + below(PAGE - 1);
    return address;
}

/* A length for a memory call at 'address': inside the scratch region, or too large for any address space (never a
 * length that would reach past the region into memory the fuzzer needs). */
static uint64_t memory_length(uint64_t address)
{
    if (below(6) == 0) {
        static const uint64_t huge[] = { (uint64_t)-1, (uint64_t)-4096, 1ULL << 47, 1ULL << 62, 0x8000000000000000ULL };
        return huge[below(5)];
    }
    if (below(8) == 0)
        return below(2) ? 0 : 1;
    uint64_t end = scratch + SCRATCH_PAGES * PAGE;
    if (address < scratch || address >= end)
        return below(64) * PAGE;
    uint64_t room = end - address;
    uint64_t length = below(room + 1);
    return below(2) ? length & ~(PAGE - 1) : length;
}

/* ---- the calls ---- */

/* Numbers never made: they end, stop or replace the fuzzer, or act on the whole machine. */
static int forbidden(uint64_t number)
{
    switch (number) {
    case SYS_rt_sigreturn: case SYS_pause: case SYS_clone: case SYS_vfork: case SYS_execve: case SYS_exit:
    case SYS_ptrace: case SYS_rt_sigsuspend: case SYS_vhangup: case SYS_pivot_root: case SYS_chroot: case SYS_mount:
    case SYS_umount2: case SYS_swapon: case SYS_swapoff: case SYS_reboot: case SYS_iopl: case SYS_ioperm:
    case SYS_init_module: case SYS_delete_module: case SYS_acct: case SYS_exit_group: case SYS_kexec_load:
    case SYS_unshare: case SYS_setns: case SYS_process_vm_readv: case SYS_process_vm_writev: case SYS_finit_module:
    case SYS_seccomp: case SYS_kexec_file_load: case SYS_execveat: case SYS_pidfd_send_signal: case SYS_clone3:
    case SYS_personality: case SYS_quotactl: case SYS_syslog: case SYS_perf_event_open: case SYS_bpf:
    case SYS_userfaultfd: case SYS_io_uring_setup: case SYS_io_uring_enter: case SYS_io_uring_register:
    case SYS_fsopen: case SYS_fsmount: case SYS_move_mount: case SYS_open_tree: case SYS_mount_setattr:
        return 1;
    case SYS_set_tid_address:
        return thread_count > 1;   /* a fuzzing thread's end would write through it */
    }
    return 0;
}

/* The calls the kernel implements, where it says so (Exo-OS: /proc/posix_x/calls, "NUMBER NAME PATH COUNT" with PATH
 * "unimplemented" for numbers only called): most calls are drawn from these, so that most reach real code. */
static uint64_t implemented[512];
static int implemented_count;

static void read_implemented(void)
{
    int fd = open("/proc/posix_x/calls", O_RDONLY);
    if (fd < 0)
        return;
    static char text[64 * 1024];
    size_t length = 0;
    ssize_t got;
    while (length < sizeof text - 1 && (got = read(fd, text + length, sizeof text - 1 - length)) > 0)
        length += (size_t)got;
    close(fd);
    text[length] = 0;
    for (char *line = text; *line && implemented_count < 512;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        unsigned number;
        char name[64], path[32];
        if (sscanf(line, "%u %63s %31s", &number, name, path) == 3 && strcmp(path, "unimplemented") != 0 && !forbidden(number))
            implemented[implemented_count++] = number;
        if (!end)
            break;
        line = end + 1;
    }
}

static uint64_t random_number(void)
{
    uint64_t choice = below(100);
    if (implemented_count > 0 && choice >= 30)
        return implemented[below(implemented_count)];
    if (choice < 2)
        return random32();   /* numbers no table has */
    if (choice < 3)
        return next();
    for (;;) {
        uint64_t number = below(100) < 85 ? below(335) : 424 + below(40);
        if (!forbidden(number))
            return number;
    }
}

/* Signals the child ignores or catches harmlessly (sending them to itself can do no harm). */
static int harmless_signal(uint64_t signal_number)
{
    if (signal_number == 0 || signal_number > 64)
        return 1;   /* a check, or EINVAL */
    switch (signal_number) {
    case SIGKILL: case SIGSTOP: case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGTRAP:
        return 0;
    }
    return 1;
}

/* Another process's id nothing has (where a call may not reach another process). */
#define NOBODY 0x3ffffff0ULL

static int in_buffers(uint64_t pointer, size_t length)
{
    return pointer >= (uint64_t)buffers && pointer + length <= (uint64_t)buffers + buffers_length && pointer + length >= pointer;
}

/* Takes SIGALRM out of a signal set the call would block (the timer must keep interrupting blocking calls). */
static void unblock_alarm(uint64_t set)
{
    if (in_buffers(set, 8))
        *(uint64_t *)set &= ~(1ULL << (SIGALRM - 1));
}

/* Fills the part of the buffers a call may read: random bytes, with some useful values (pointers into the buffers,
 * small numbers, descriptors) as 8-byte words. */
static void fill_buffers(void)
{
    size_t offset = below(buffers_length / 512) * 512;
    uint64_t *words = (uint64_t *)(buffers + offset);
    for (int i = 0; i < 64; i++) {
        switch (below(4)) {
        case 0: words[i] = next(); break;
        case 1: words[i] = random_buffer(); break;
        case 2: words[i] = below(64); break;
        default: words[i] = random_argument(); break;
        }
    }
}

static const char *const path_pool[] = {
    "file", "dir", "new", "link", "fifo", "dir/sub", "dir/..", "missing/x", "file/notdir", ".", "",
    "/proc/self/maps", "/proc/self/status", "/proc/self/fd", "/proc", "/proc/meminfo", "/proc/self/stat",
    "dir/../file", "./link", "link/x",
};

static void build_paths(void)
{
    char *area = (char *)buffers + buffers_length - 2 * PAGE - 512;
    path_count = 0;
    int pool = (int)(sizeof path_pool / sizeof path_pool[0]);
    for (int i = 0; i < pool; i++) {
        paths[path_count++] = area;
        area += snprintf(area, 64, "%s", path_pool[i]) + 1;
    }
    paths[path_count++] = area;   /* the scratch directory's absolute path, and a file in it */
    area += snprintf(area, 300, "%s/file", directory) + 1;
    /* A name longer than NAME_MAX, and a path longer than PATH_MAX runs into the guard page (EFAULT or
     * ENAMETOOLONG): both at the end of the buffers. */
    paths[path_count++] = area;
    memset(area, 'n', 300);
    area[300] = 0;
    area += 301;
    char *end = (char *)buffers + buffers_length;
    paths[path_count++] = (char *)buffers + buffers_length - PAGE - 100;
    memset(paths[path_count - 1], 'p', (size_t)(end - paths[path_count - 1]));   /* no terminator before the guard */
}

/* Bounds a call's arguments (see the comment at the top); returns 0 to skip the call. */
static int prepare(uint64_t number, uint64_t *a)
{
    switch (number) {
    case SYS_mmap:
        if (a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
            a[0] = memory_address();
            a[1] = memory_length(a[0]);
        } else if (below(2)) {
            a[1] = memory_length(scratch);
        }
        a[3] &= ~(uint64_t)MAP_GROWSDOWN;
        break;
    case SYS_munmap: case SYS_mprotect: case SYS_madvise: case SYS_msync: case SYS_mincore: case SYS_mlock:
    case SYS_munlock: case SYS_mlock2: case SYS_remap_file_pages: case SYS_pkey_mprotect: case SYS_process_madvise:
        if (number == SYS_process_madvise)
            return 0;
        a[0] = memory_address();
        a[1] = memory_length(a[0]);
        break;
    case SYS_mremap:
        a[0] = memory_address();
        a[1] = memory_length(a[0]);
        a[2] = below(3) ? memory_length(scratch) : a[2];
        a[4] = memory_address();
        break;
    case SYS_brk:
        if (a[0] != 0 && a[0] < initial_break)
            a[0] = initial_break + below(64) * PAGE;
        break;
    case SYS_shmat: case SYS_shmdt:
        a[1] = memory_address();
        if (number == SYS_shmdt)
            a[0] = a[1];
        break;
    case SYS_kill: case SYS_tkill: case SYS_rt_sigqueueinfo:
        if (!((a[0] == (uint64_t)getpid() || (a[0] == 0 && a[1] == 0)) && harmless_signal(a[1])))
            a[0] = NOBODY;
        break;
    case SYS_tgkill: case SYS_rt_tgsigqueueinfo:
        if (!((a[0] == (uint64_t)getpid() || a[1] == (uint64_t)getpid()) && harmless_signal(a[2])))
            a[0] = a[1] = NOBODY;
        break;
    case SYS_rt_sigaction:
        if ((a[0] & 0xffffffff) == SIGALRM)
            return 0;
        if (in_buffers(a[1], 32)) {
            uint64_t *action = (uint64_t *)a[1];
            int synchronous = a[0] == SIGSEGV || a[0] == SIGBUS || a[0] == SIGILL || a[0] == SIGFPE || a[0] == SIGTRAP;
            action[0] = below(2) || synchronous ? (uint64_t)SIG_IGN : (uint64_t)on_signal;
            action[1] = (random_flags() | 0x04000000) & ~(uint64_t)SA_ONSTACK;   /* SA_RESTORER */
            action[2] = (uint64_t)signal_restorer;
        }
        break;
    case SYS_rt_sigprocmask:
        unblock_alarm(a[1]);
        break;
    case SYS_ppoll:
        unblock_alarm(a[3]);
        break;
    case SYS_pselect6:
        if (in_buffers(a[5], 16))
            unblock_alarm(*(uint64_t *)a[5]);
        break;
    case SYS_epoll_pwait: case SYS_epoll_pwait2:
        unblock_alarm(a[4]);
        break;
    case SYS_setrlimit: case SYS_prlimit64: {
        uint64_t resource = number == SYS_setrlimit ? a[0] : a[1];
        switch (resource & 0xffffffff) {
        case RLIMIT_CPU: case RLIMIT_DATA: case RLIMIT_STACK: case RLIMIT_NOFILE: case RLIMIT_AS: case RLIMIT_FSIZE:
            if (number == SYS_setrlimit)
                return 0;
            a[2] = 0;   /* prlimit64: read only */
        }
        if (number == SYS_prlimit64 && a[0] != 0 && a[0] != (uint64_t)getpid())
            a[2] = 0;
        break;
    }
    case SYS_prctl:
        switch (a[0]) {
        case 22: case 35: case 26: case 36:   /* PR_SET_SECCOMP, PR_SET_MM, PR_SET_TSC, PR_SET_CHILD_SUBREAPER */
            return 0;
        }
        break;
    case SYS_arch_prctl:
        if (a[0] == 0x1002 || a[0] == 0x1012)   /* ARCH_SET_FS (glibc's thread pointer), ARCH_SET_CPUID */
            return 0;
        break;
    case SYS_mknod: case SYS_mknodat: {
        uint64_t *mode = number == SYS_mknod ? &a[1] : &a[2];
        if ((*mode & S_IFMT) == S_IFCHR || (*mode & S_IFMT) == S_IFBLK)
            *(number == SYS_mknod ? &a[2] : &a[3]) = makedev(250, 250);   /* no device has this number */
        break;
    }
    case SYS_setpgid: case SYS_setpriority: case SYS_sched_setscheduler: case SYS_sched_setparam:
    case SYS_sched_setaffinity: case SYS_ioprio_set: case SYS_sched_setattr:
        if (number == SYS_setpriority || number == SYS_ioprio_set) {
            /* A group or a user (0: the child's own, which the harness shares) would reach other processes. */
            if ((a[1] != 0 && a[1] != (uint64_t)getpid()) || (number == SYS_setpriority && (uint32_t)a[0] != 0)
                || (number == SYS_ioprio_set && (uint32_t)a[0] != 1))
                a[1] = NOBODY;
        } else if (a[0] != 0 && a[0] != (uint64_t)getpid()) {
            a[0] = NOBODY;
        }
        break;
    case SYS_sethostname: case SYS_setdomainname:
        break;
    }
    return 1;
}

/* Puts back what a call may have moved that the fuzzer needs. */
static void restore(uint64_t number, uint64_t *a, long result)
{
    uint64_t end = scratch + SCRATCH_PAGES * PAGE;
    switch (number) {
    case SYS_mmap: case SYS_mremap:
        if (result > 0 && (uint64_t)result < 0xffff800000000000ULL && ((uint64_t)result < scratch || (uint64_t)result >= end))
            syscall(SYS_munmap, result, number == SYS_mmap ? a[1] : a[2]);
        if (number == SYS_mremap)
            syscall(SYS_munmap, end, 1UL << 30);   /* what grew in place past the region */
        break;
    case SYS_brk:
        syscall(SYS_brk, initial_break);
        break;
    case SYS_chdir: case SYS_fchdir:
        if (chdir(directory) != 0)
            _exit(90);
        break;
    case SYS_alarm: case SYS_setitimer:
        arm_timer();
        break;
    }
}

static long raw_call(uint64_t number, uint64_t *a)
{
    long result;
    register uint64_t r10 __asm__("r10") = a[3];
    register uint64_t r8 __asm__("r8") = a[4];
    register uint64_t r9 __asm__("r9") = a[5];
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return result;
}

/* The calling thread's buffers, between two guard pages. */
static void setup_buffers(void)
{
    buffer_region = mmap(NULL, BUFFER_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buffer_region == MAP_FAILED)
        _exit(92);
    mprotect(buffer_region, PAGE, PROT_NONE);
    mprotect(buffer_region + (BUFFER_PAGES - 1) * PAGE, PAGE, PROT_NONE);
    buffers = buffer_region + PAGE;
    buffers_length = (BUFFER_PAGES - 2) * PAGE;
    memset(buffers, 0, buffers_length);
}

static void child_setup(void)
{
    int null = open("/dev/null", O_RDWR);
    if (null < 0)
        _exit(91);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (null > 2)
        close(null);

    setup_buffers();

    void *region = mmap((void *)SCRATCH_ADDRESS, SCRATCH_PAGES * PAGE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (region == MAP_FAILED)
        _exit(93);
    scratch = (uint64_t)region;
    initial_break = (uint64_t)syscall(SYS_brk, 0);

    if (chdir(directory) != 0)
        _exit(94);
    write_file("file", "a file the fuzzer may change\n");
    mkdir("dir", 0755);
    mkfifo("fifo", 0644);
    descriptor_count = 0;
    descriptors[descriptor_count++] = open("file", O_RDWR);
    descriptors[descriptor_count++] = open(".", O_RDONLY | O_DIRECTORY);
    descriptors[descriptor_count++] = open("/dev/zero", O_RDWR);
    descriptors[descriptor_count++] = open("/proc/self/status", O_RDONLY);
    int pipe_ends[2];
    if (pipe(pipe_ends) == 0) {
        descriptors[descriptor_count++] = pipe_ends[0];
        descriptors[descriptor_count++] = pipe_ends[1];
    }
    descriptors[descriptor_count++] = 0;

    /* Every signal ignored but those of faults (they end the child: reported) and SIGALRM (the timer). */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    for (int signal_number = 1; signal_number < 32; signal_number++) {
        if (signal_number == SIGKILL || signal_number == SIGSTOP || signal_number == SIGSEGV || signal_number == SIGBUS
            || signal_number == SIGILL || signal_number == SIGFPE || signal_number == SIGTRAP || signal_number == SIGCHLD)
            continue;
        action.sa_handler = SIG_IGN;
        sigaction(signal_number, &action, NULL);
    }
    for (int signal_number = SIGRTMIN; signal_number <= SIGRTMAX; signal_number++) {
        action.sa_handler = SIG_IGN;
        sigaction(signal_number, &action, NULL);
    }
    action.sa_handler = on_alarm;
    action.sa_flags = 0;   /* no SA_RESTART: a blocking call ends with EINTR */
    sigaction(SIGALRM, &action, NULL);
    /* glibc's restorer, for the handlers prepare() installs with the raw call. */
    uint64_t installed[4] = { 0 };
    syscall(SYS_rt_sigaction, SIGALRM, NULL, installed, 8);
    signal_restorer = (void *)installed[2];
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    arm_timer();
}

static const char *call_name(uint64_t number);

static void describe_call(char *text, size_t size, uint64_t index, uint64_t number, const volatile uint64_t *a)
{
    snprintf(text, size, "call %llu: %s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx)", (unsigned long long)index,
             call_name(number), (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2],
             (unsigned long long)a[3], (unsigned long long)a[4], (unsigned long long)a[5]);
}

/* Calls first, first + step, ... below last. */
static void make_calls(uint64_t seed, uint64_t first, uint64_t last, uint64_t step)
{
    for (uint64_t index = first; index < last; index += step) {
        seed_call(seed, index);
        uint64_t number = random_number();
        uint64_t a[6];
        build_paths();
        fill_buffers();
        for (int i = 0; i < 6; i++)
            a[i] = random_argument();
        if (!prepare(number, a))
            continue;
        progress->index = index;
        progress->number = number;
        for (int i = 0; i < 6; i++)
            progress->arguments[i] = a[i];
        if (verbose_descriptor >= 0) {
            char line[256];
            describe_call(line, sizeof line, index, number, a);
            size_t length = strlen(line);
            line[length++] = '\n';
            if (write(verbose_descriptor, line, length) < 0) { /* nothing to do */ }
        }
        long result;
        if (number == SYS_fork) {
            result = syscall(SYS_fork);
            if (result == 0)
                syscall(SYS_exit_group, 0);
            if (result > 0)
                while (waitpid((pid_t)result, NULL, 0) < 0 && errno == EINTR)
                    ;
        } else {
            result = raw_call(number, a);
        }
        restore(number, a, result);
        __atomic_fetch_add(&progress->calls_made, 1, __ATOMIC_RELAXED);
    }
}

enum { MaximumThreads = 8 };

struct worker {
    uint64_t seed, first, last;
    volatile pid_t thread_id;
    volatile int done;
};

static void *fuzz_in_thread(void *argument)
{
    struct worker *worker = argument;
    worker->thread_id = (pid_t)syscall(SYS_gettid);
    setup_buffers();
    make_calls(worker->seed, worker->first, worker->last, (uint64_t)thread_count);
    __atomic_store_n(&worker->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* The child: calls [first, last), in thread_count threads at once when more than one. */
static void fuzz(uint64_t seed, uint64_t first, uint64_t last)
{
    child_setup();
    if (thread_count == 1) {
        make_calls(seed, first, last, 1);
        syscall(SYS_exit_group, 0);
    }
    static struct worker workers[MaximumThreads];
    for (int i = 0; i < thread_count; i++) {
        workers[i] = (struct worker){ .seed = seed, .first = first + (uint64_t)i, .last = last };
        pthread_t thread;
        if (pthread_create(&thread, NULL, fuzz_in_thread, &workers[i]) != 0)
            _exit(95);
    }
    /* Not joined (a thread may have moved its CLONE_CHILD_CLEARTID word): their done flags say when all are. */
    for (int left = thread_count; left > 0;) {
        left = 0;
        for (int i = 0; i < thread_count; i++) {
            if (__atomic_load_n(&workers[i].done, __ATOMIC_ACQUIRE))
                continue;
            left++;
            if (workers[i].thread_id != 0)
                syscall(SYS_tgkill, getpid(), workers[i].thread_id, SIGALRM);
        }
        struct timespec pause_time = { 0, 20 * 1000 * 1000 };
        nanosleep(&pause_time, NULL);
    }
    syscall(SYS_exit_group, 0);
}

int main(int argc, char **argv)
{
    uint64_t arguments[4] = { 0, 1, 2000, 0 };
    int count = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--verbose") == 0)
            verbose_descriptor = 1000;
        else if (strncmp(argv[i], "--threads=", 10) == 0)
            thread_count = atoi(argv[i] + 10);
        else if (count < 4)
            arguments[count++] = strtoull(argv[i], NULL, 0);
    }
    if (count < 1 || arguments[2] == 0 || thread_count < 1 || thread_count > MaximumThreads) {
        say("usage: system_call_fuzzer CALLS [SEED [CALLS_PER_CHILD [FIRST]]] [--verbose] [--threads=N (at most 8)]");
        return 2;
    }
    uint64_t calls = arguments[0], seed = arguments[1], per_child = arguments[2], first = arguments[3];
    input_from_null();
    read_implemented();
    if (verbose_descriptor >= 0)
        dup2(1, verbose_descriptor);
    progress = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (progress == MAP_FAILED) {
        say("system_call_fuzzer: no shared page for the children's progress: %s", errno_name(errno));
        return 1;
    }
    const char *base = getenv("TMPDIR");
    snprintf(directory, sizeof directory, "%s/system-call-fuzzer-%d", base && *base ? base : "/tmp", (int)getpid());
    say("system_call_fuzzer: seed %llu, calls %llu to %llu, %llu per child, %d implemented calls preferred, %d thread(s) each",
        (unsigned long long)seed, (unsigned long long)first, (unsigned long long)calls, (unsigned long long)per_child,
        implemented_count, thread_count);

    double started = now();
    uint64_t children = 0, signalled = 0, hung = 0, made = 0;
    while (first < calls) {
        uint64_t last = first + per_child < calls ? first + per_child : calls;
        remove_tree(directory);
        if (mkdir(directory, 0755) != 0) {
            say("system_call_fuzzer: cannot make %s: %s", directory, errno_name(errno));
            return 1;
        }
        memset((void *)progress, 0, sizeof *progress);
        progress->index = first;
        pid_t child = fork();
        if (child < 0) {
            say("system_call_fuzzer: fork: %s", errno_name(errno));
            return 1;
        }
        if (child == 0)
            fuzz(seed, first, last);
        children++;
        int status = 0;
        uint64_t seen = (uint64_t)-1, seen_made = 0;
        double last_progress = now();
        const char *hang = NULL;
        for (;;) {
            pid_t ended = waitpid(child, &status, WNOHANG);
            if (ended == child)
                break;
            if (ended < 0 && errno != EINTR) {
                say("system_call_fuzzer: waitpid: %s", errno_name(errno));
                return 1;
            }
            if (progress->index != seen || progress->calls_made != seen_made) {
                seen = progress->index;
                seen_made = progress->calls_made;
                last_progress = now();
            } else if (now() - last_progress > HANG_SECONDS && hang == NULL) {
                hang = "hung";
                char line[256];
                describe_call(line, sizeof line, progress->index, progress->number, progress->arguments);
                say("child %llu (calls %llu to %llu): no progress for %d s in %s: HANG, killed", (unsigned long long)children,
                    (unsigned long long)first, (unsigned long long)last, HANG_SECONDS, line);
                kill(child, SIGKILL);
            }
            struct timespec pause_time = { 0, 20 * 1000 * 1000 };
            nanosleep(&pause_time, NULL);
        }
        made += progress->calls_made;
        if (hang != NULL) {
            hung++;
            say("child %llu: the hung child %s", (unsigned long long)children, ending(status));
            first = progress->index + 1;
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            say("child %llu (calls %llu to %llu): %s", (unsigned long long)children, (unsigned long long)first,
                (unsigned long long)last, ending(status));
            first = last;
        } else {
            if (WIFSIGNALED(status))
                signalled++;
            char line[256];
            describe_call(line, sizeof line, progress->index, progress->number, progress->arguments);
            say("child %llu (calls %llu to %llu): %s in %s", (unsigned long long)children, (unsigned long long)first,
                (unsigned long long)last, ending(status), line);
            first = progress->index + 1;
        }
    }
    remove_tree(directory);
    say("system_call_fuzzer: seed %llu: %llu calls made by %llu children, %llu ended by a signal, %llu hung, %.1f s",
        (unsigned long long)seed, (unsigned long long)made, (unsigned long long)children, (unsigned long long)signalled,
        (unsigned long long)hung, now() - started);
    return hung == 0 ? 0 : 1;
}

static const char *call_name(uint64_t number)
{
    static const char *const names[] = {
#include "system_call_names.h"
    };
    if (number < sizeof names / sizeof names[0] && names[number] != NULL)
        return names[number];
    char *text = scratch_string();
    snprintf(text, 64, "call_%llu", (unsigned long long)number);
    return text;
}
