/*
 * POSIX-X's vDSO: the Fast path that never enters the kernel. A small ELF shared object mapped read+execute into
 * every Linux process (one physical copy, posix_x/Optimization/Vdso.cs), found by the C library through
 * AT_SYSINFO_EHDR. glibc (static or dynamic) looks up __vdso_clock_gettime, __vdso_gettimeofday, __vdso_time,
 * __vdso_getcpu and __vdso_clock_getres with version LINUX_2.6 (vdso.lds) and calls them instead of SYSCALL.
 *
 * Time comes from RDTSC and the kernel's time page (kernel/Time/TimeDataPage.cs), mapped read-only one page below
 * this image: the boot TSC, the TSC's rate as nanoseconds per tick in 32.32 fixed point, and the wall clock at
 * boot. The kernel's own clocks (SystemClock.UptimeNanoseconds, WallClock) use the same formula on the same
 * numbers, so the vDSO and the system call agree to the nanosecond. The kernel maps the vDSO only once the TSC
 * is calibrated, so a program that finds it may always read the TSC.
 *
 * What it does not handle (CPU-time clocks, alarm clocks, clocks it does not know) it passes to the real system
 * call, as Linux's vDSO does: glibc does not retry a vDSO failure itself.
 *
 * Built with the host's gcc (tools/scripts/build-vdso.sh): position-independent, no relocations, no calls out,
 * nothing but this file. The layout of struct time_data is the kernel's (the offsets are checked here at build
 * time; TimeDataPage.cs states the same numbers).
 */
typedef unsigned int u32;
typedef unsigned long u64;
typedef long s64;

/* Linux's struct timespec, struct timeval and struct timezone on x86-64. */
struct timespec { s64 tv_sec; s64 tv_nsec; };
struct timeval { s64 tv_sec; s64 tv_usec; };
struct timezone { int tz_minuteswest; int tz_dsttime; };

/* The kernel's time page (kernel/Time/TimeDataPage.cs, same offsets). */
struct time_data {
    u64 boot_tsc;            /* TSC at uptime zero */
    u64 multiplier;          /* nanoseconds per TSC tick x 2^32 */
    s64 wall_at_boot;        /* nanoseconds since 1970 at uptime zero */
    u64 tsc_frequency;       /* ticks per second (for reference) */
    u32 flags;               /* PROCESSOR_* below */
};
_Static_assert(__builtin_offsetof(struct time_data, boot_tsc) == 0, "TimeDataPage: BootTsc at 0");
_Static_assert(__builtin_offsetof(struct time_data, multiplier) == 8, "TimeDataPage: Multiplier at 8");
_Static_assert(__builtin_offsetof(struct time_data, wall_at_boot) == 16, "TimeDataPage: WallAtBoot at 16");
_Static_assert(__builtin_offsetof(struct time_data, tsc_frequency) == 24, "TimeDataPage: TscFrequency at 24");
_Static_assert(__builtin_offsetof(struct time_data, flags) == 32, "TimeDataPage: Flags at 32");

#define PROCESSOR_IN_TSC_AUX 1u   /* IA32_TSC_AUX holds the processor index: RDTSCP reads it */
#define PROCESSOR_BY_RDPID 2u     /* RDPID exists and reads it alone (cheaper than RDTSCP) */

/*
 * Defined by vdso.lds one page below the image's first byte: where the kernel maps its time page. Only
 * wall_at_boot changes once a program can see the page (settimeofday), as one aligned 64-bit store: it is read
 * through a volatile view, whole, and needs no sequence lock; the rest are constants.
 */
extern const struct time_data vdso_time_data __attribute__((visibility("hidden")));
#define CHANGING (*(const volatile struct time_data *)&vdso_time_data)

/* Clock ids (Linux's include/uapi/linux/time.h). */
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7

#define SYS_clock_gettime 228
#define SYS_clock_getres 229
#define SYS_getcpu 309

static long system_call3(long number, long a, long b, long c)
{
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return result;
}

/* The TSC, not read before earlier loads complete (as Linux's rdtsc_ordered). */
static inline u64 read_tsc(void)
{
    u32 low, high;
    __asm__ volatile("lfence; rdtsc" : "=a"(low), "=d"(high) : : "memory");
    return ((u64)high << 32) | low;
}

/* Nanoseconds since boot: (elapsed ticks x multiplier) >> 32 in 128 bits, the kernel's SystemClock formula. */
static inline u64 uptime_nanoseconds(void)
{
    u64 elapsed = read_tsc() - vdso_time_data.boot_tsc;
    return (u64)(((unsigned __int128)elapsed * vdso_time_data.multiplier) >> 32);
}

/* The wall clock: the base as it is now (one whole load), plus the uptime. */
static inline s64 wall_nanoseconds(void)
{
    return CHANGING.wall_at_boot + (s64)uptime_nanoseconds();
}

static inline void to_timespec(u64 nanoseconds, struct timespec *ts)
{
    ts->tv_sec = (s64)(nanoseconds / 1000000000);
    ts->tv_nsec = (s64)(nanoseconds % 1000000000);
}

__attribute__((visibility("default"))) int __vdso_clock_gettime(int clock, struct timespec *ts)
{
    /* CLOCK_MONOTONIC first: what programs time with, one compare away. */
    if (__builtin_expect(clock == CLOCK_MONOTONIC, 1)) {
        to_timespec(uptime_nanoseconds(), ts);
        return 0;
    }
    switch (clock) {
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        to_timespec(uptime_nanoseconds(), ts);
        return 0;
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        to_timespec((u64)wall_nanoseconds(), ts);
        return 0;
    default:   /* CPU-time clocks, alarm clocks, anything else: the kernel's answer (or its EINVAL) */
        return (int)system_call3(SYS_clock_gettime, clock, (long)ts, 0);
    }
}

__attribute__((visibility("default"))) int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz)
{
    if (tv) {
        s64 now = wall_nanoseconds();
        tv->tv_sec = now / 1000000000;
        tv->tv_usec = now % 1000000000 / 1000;
    }
    if (tz) {   /* the zone is always UTC, as the system call says */
        tz->tz_minuteswest = 0;
        tz->tz_dsttime = 0;
    }
    return 0;
}

__attribute__((visibility("default"))) s64 __vdso_time(s64 *t)
{
    s64 seconds = wall_nanoseconds() / 1000000000;
    if (t)
        *t = seconds;
    return seconds;
}

/* The kernel's resolutions (TimeCalls.DoClockGetResolution): 1 ns, the coarse clocks the 1 ms tick. */
__attribute__((visibility("default"))) int __vdso_clock_getres(int clock, struct timespec *res)
{
    long resolution;
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_BOOTTIME:
        resolution = 1;
        break;
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
        resolution = 1000000;
        break;
    default:
        return (int)system_call3(SYS_clock_getres, clock, (long)res, 0);
    }
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = resolution;
    }
    return 0;
}

/* getcpu(cpu, node, cache): IA32_TSC_AUX holds the processor index (node 0), set by the kernel on each processor. */
__attribute__((visibility("default"))) int __vdso_getcpu(u32 *cpu, u32 *node, void *cache)
{
    u64 auxiliary;
    if (vdso_time_data.flags & PROCESSOR_BY_RDPID) {
        __asm__ volatile("rdpid %0" : "=r"(auxiliary));
    } else if (vdso_time_data.flags & PROCESSOR_IN_TSC_AUX) {
        u32 low, high, processor;
        __asm__ volatile("rdtscp" : "=a"(low), "=d"(high), "=c"(processor));
        auxiliary = processor;
    } else {
        return (int)system_call3(SYS_getcpu, (long)cpu, (long)node, (long)cache);
    }
    if (cpu)
        *cpu = (u32)(auxiliary & 0xFFF);
    if (node)
        *node = (u32)(auxiliary >> 12) & 0xFFFFF;
    return 0;
}

/*
 * The "Linux" note Linux's vDSO carries (name "Linux", type 0, the version code): a dynamically linked glibc reads
 * the kernel's version from it instead of calling uname. 6.1.0, what uname answers (SystemInformationCalls).
 */
__asm__(".pushsection .note.Linux, \"a\", @note\n"
        ".balign 4\n"
        ".long 6, 4, 0\n"            /* name size ("Linux" and its zero), description size, type */
        ".asciz \"Linux\"\n"
        ".balign 4\n"
        ".long (6 << 16) | (1 << 8) | 0\n"
        ".popsection\n");

/* The names without the prefix, as Linux's vDSO also exports them. */
int clock_gettime(int, struct timespec *) __attribute__((weak, alias("__vdso_clock_gettime"), visibility("default")));
int gettimeofday(struct timeval *, struct timezone *) __attribute__((weak, alias("__vdso_gettimeofday"), visibility("default")));
s64 time(s64 *) __attribute__((weak, alias("__vdso_time"), visibility("default")));
int clock_getres(int, struct timespec *) __attribute__((weak, alias("__vdso_clock_getres"), visibility("default")));
int getcpu(u32 *, u32 *, void *) __attribute__((weak, alias("__vdso_getcpu"), visibility("default")));
