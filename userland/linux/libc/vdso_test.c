/*
 * The vDSO as a C library sees it: a static glibc program (gcc -static, the build machine's glibc, as busybox-static
 * is built) that checks what the kernel gave it at AT_SYSINFO_EHDR and the clocks glibc reads through it. It prints
 * one line per check, the same on Linux and on Exo-OS (the differential boot test runs it on both and compares),
 * and exits with 0 when every check held, else with the number of the first that failed.
 *
 * On Exo-OS the kernel suite "linux" also counts the system calls the program made (LinuxTests): clock_gettime
 * entered the kernel only for the RAW_CLOCK_GETTIME_CALLS calls below that ask for the system call on purpose, or
 * that the vDSO passes on (CPU-time clocks, an unknown clock); gettimeofday, time and getcpu never.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* How often each sandwich (vDSO, system call, vDSO) runs per clock. */
#define SANDWICHES 8
/*
 * clock_gettime system calls this program makes: SANDWICHES for CLOCK_MONOTONIC and for CLOCK_REALTIME, one each
 * for the two CPU-time clocks and one for an unknown clock (the vDSO passes those three to the kernel).
 * kernel/Tests/LinuxTests.cs expects exactly this many.
 */
#define RAW_CLOCK_GETTIME_CALLS (2 * SANDWICHES + 3)
#define MONOTONIC_CALLS 100000

static int failed;
static int checks;

static void check(const char *what, int held)
{
    checks++;
    printf("vdso: %s: %s\n", what, held ? "yes" : "NO");
    if (!held && !failed)
        failed = checks;
}

static int64_t nanoseconds(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec; }

static int64_t raw_clock(clockid_t clock)
{
    struct timespec t;
    if (syscall(SYS_clock_gettime, clock, &t) != 0)
        return -1;
    return nanoseconds(&t);
}

static int64_t vdso_clock(clockid_t clock)
{
    struct timespec t;
    if (clock_gettime(clock, &t) != 0)
        return -1;
    return nanoseconds(&t);
}

/* ---------------------------------------------------------------- the vDSO's ELF image, as glibc reads it */

static uintptr_t image_offset;   /* the image's address minus its first PT_LOAD's p_vaddr */
static const Elf64_Sym *symbols;
static const char *strings;
static const Elf64_Half *versions;
static const Elf64_Verdef *definitions;
static uint32_t symbol_count;

static int read_image(const Elf64_Ehdr *header)
{
    if (memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_ident[EI_CLASS] != ELFCLASS64
        || header->e_type != ET_DYN || header->e_machine != EM_X86_64)
        return 0;
    const Elf64_Phdr *segments = (const Elf64_Phdr *)((const char *)header + header->e_phoff);
    const Elf64_Dyn *dynamic = NULL;
    int loads = 0;
    for (int i = 0; i < header->e_phnum; i++) {
        if (segments[i].p_type == PT_LOAD && loads++ == 0)
            image_offset = (uintptr_t)header - segments[i].p_vaddr;
        if (segments[i].p_type == PT_DYNAMIC)
            dynamic = (const Elf64_Dyn *)segments[i].p_vaddr;   /* relative until the first PT_LOAD is known */
    }
    if (loads == 0 || dynamic == NULL)
        return 0;
    dynamic = (const Elf64_Dyn *)((uintptr_t)dynamic + image_offset);
    const uint32_t *hash = NULL;
    for (; dynamic->d_tag != DT_NULL; dynamic++) {
        uintptr_t address = dynamic->d_un.d_ptr + image_offset;
        switch (dynamic->d_tag) {
        case DT_SYMTAB: symbols = (const Elf64_Sym *)address; break;
        case DT_STRTAB: strings = (const char *)address; break;
        case DT_HASH: hash = (const uint32_t *)address; break;
        case DT_VERSYM: versions = (const Elf64_Half *)address; break;
        case DT_VERDEF: definitions = (const Elf64_Verdef *)address; break;
        }
    }
    if (hash != NULL)
        symbol_count = hash[1];   /* nchain: one per symbol */
    return symbols != NULL && strings != NULL && hash != NULL;
}

/* The name of version index 'index' (DT_VERDEF), or NULL. */
static const char *version_name(Elf64_Half index)
{
    const Elf64_Verdef *definition = definitions;
    while (definition != NULL) {
        if ((definition->vd_ndx & 0x7FFF) == (index & 0x7FFF)) {
            const Elf64_Verdaux *auxiliary = (const Elf64_Verdaux *)((const char *)definition + definition->vd_aux);
            return strings + auxiliary->vda_name;
        }
        if (definition->vd_next == 0)
            break;
        definition = (const Elf64_Verdef *)((const char *)definition + definition->vd_next);
    }
    return NULL;
}

/* A defined function of the vDSO with version LINUX_2.6 (what glibc's dl_vdso_vsym asks for), or NULL. */
static void *find(const char *name)
{
    for (uint32_t i = 1; i < symbol_count; i++) {
        const Elf64_Sym *symbol = &symbols[i];
        if (strcmp(strings + symbol->st_name, name) != 0 || symbol->st_shndx == SHN_UNDEF
            || ELF64_ST_TYPE(symbol->st_info) != STT_FUNC)
            continue;
        const char *version = versions != NULL ? version_name(versions[i]) : NULL;
        if (version == NULL || strcmp(version, "LINUX_2.6") != 0)
            continue;
        return (void *)(symbol->st_value + image_offset);
    }
    return NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const Elf64_Ehdr *header = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
    check("AT_SYSINFO_EHDR is in the auxiliary vector", header != NULL);
    if (header == NULL) {
        printf("vdso: no vDSO: nothing more to check\n");
        return failed;
    }
    int readable = read_image(header);
    check("it points to an x86-64 ELF shared object with dynamic symbols", readable);
    if (!readable)
        return failed;
    check("the vDSO defines __vdso_clock_gettime@LINUX_2.6", find("__vdso_clock_gettime") != NULL);
    check("the vDSO defines __vdso_gettimeofday@LINUX_2.6", find("__vdso_gettimeofday") != NULL);
    check("the vDSO defines __vdso_time@LINUX_2.6", find("__vdso_time") != NULL);
    check("the vDSO defines __vdso_getcpu@LINUX_2.6", find("__vdso_getcpu") != NULL);
    check("the vDSO defines __vdso_clock_getres@LINUX_2.6", find("__vdso_clock_getres") != NULL);

    /* CLOCK_MONOTONIC never goes back, over many calls. */
    int64_t previous = vdso_clock(CLOCK_MONOTONIC), first = previous;
    int monotonic = previous >= 0;
    for (int i = 0; i < MONOTONIC_CALLS && monotonic; i++) {
        int64_t now = vdso_clock(CLOCK_MONOTONIC);
        monotonic = now >= previous;
        previous = now;
    }
    check("CLOCK_MONOTONIC never goes back over 100000 calls", monotonic);
    check("and it advanced", previous > first);

    /* The vDSO and the system call read the same clocks: each system call's reading lies between two vDSO ones. */
    static const clockid_t clocks[2] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
    static const char *const names[2] = {"CLOCK_MONOTONIC", "CLOCK_REALTIME"};
    for (int c = 0; c < 2; c++) {
        int ordered = 1, close = 1;
        for (int i = 0; i < SANDWICHES; i++) {
            int64_t before = vdso_clock(clocks[c]), kernel = raw_clock(clocks[c]), after = vdso_clock(clocks[c]);
            ordered &= before >= 0 && before <= kernel && kernel <= after;
            close &= after - before < 1000000000;   /* one second: generous for an emulator under load */
        }
        char what[120];
        snprintf(what, sizeof what, "%s by the system call lies between two vDSO readings", names[c]);
        check(what, ordered);
        snprintf(what, sizeof what, "%s: the vDSO and the system call agree within one second", names[c]);
        check(what, close);
    }

    /* gettimeofday and time agree with clock_gettime(CLOCK_REALTIME). */
    struct timespec before, after;
    struct timeval day;
    struct timezone zone = {123, 456};
    clock_gettime(CLOCK_REALTIME, &before);
    int day_result = gettimeofday(&day, &zone);
    clock_gettime(CLOCK_REALTIME, &after);
    int64_t day_microseconds = (int64_t)day.tv_sec * 1000000 + day.tv_usec;
    check("gettimeofday succeeds", day_result == 0);
    check("gettimeofday lies between two CLOCK_REALTIME readings (microseconds)",
          nanoseconds(&before) / 1000 <= day_microseconds && day_microseconds <= nanoseconds(&after) / 1000);
    check("gettimeofday's tv_usec is below one million", day.tv_usec >= 0 && day.tv_usec < 1000000);
    /*
     * time() is the coarse clock's seconds (Linux's vDSO reads the last tick's, so at a second boundary it lags
     * CLOCK_REALTIME by one); CLOCK_REALTIME_COARSE is the same clock on both systems.
     */
    clock_gettime(CLOCK_REALTIME_COARSE, &before);
    time_t stored = 0, seconds = time(&stored);
    clock_gettime(CLOCK_REALTIME_COARSE, &after);
    check("time lies between two CLOCK_REALTIME_COARSE readings (seconds)", before.tv_sec <= seconds && seconds <= after.tv_sec);
    check("time stores what it returns", stored == seconds);
    check("the wall clock is after 2019", before.tv_sec > 1546300800);

    /* The coarse and boot clocks the vDSO serves too. */
    int64_t boot = vdso_clock(CLOCK_BOOTTIME), raw = vdso_clock(CLOCK_MONOTONIC_RAW);
    int64_t coarse = vdso_clock(CLOCK_MONOTONIC_COARSE), wall_coarse = vdso_clock(CLOCK_REALTIME_COARSE);
    check("CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW and the coarse clocks read", boot > 0 && raw > 0 && coarse > 0 && wall_coarse > 0);

    /* What the vDSO passes to the kernel: CPU-time clocks, and an unknown clock's EINVAL. */
    struct timespec cpu;
    check("CLOCK_PROCESS_CPUTIME_ID reads", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0 && cpu.tv_sec >= 0);
    check("CLOCK_THREAD_CPUTIME_ID reads", clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0 && cpu.tv_sec >= 0);
    errno = 0;
    check("an unknown clock is EINVAL", clock_gettime(12345, &cpu) == -1 && errno == EINVAL);

    struct timespec resolution;
    check("CLOCK_MONOTONIC's resolution is 1 ns",
          clock_getres(CLOCK_MONOTONIC, &resolution) == 0 && resolution.tv_sec == 0 && resolution.tv_nsec == 1);

    /* getcpu through the vDSO's own entry, and glibc's sched_getcpu. */
    long processors = sysconf(_SC_NPROCESSORS_ONLN);
    int (*vdso_getcpu)(unsigned *, unsigned *, void *) = (int (*)(unsigned *, unsigned *, void *))find("__vdso_getcpu");
    unsigned cpu_index = 9999, node = 9999;
    check("__vdso_getcpu names an online processor and node 0",
          vdso_getcpu != NULL && vdso_getcpu(&cpu_index, &node, NULL) == 0 && cpu_index < (unsigned)processors && node == 0);
    int scheduled = sched_getcpu();
    check("sched_getcpu names an online processor", scheduled >= 0 && scheduled < processors);
    return failed;
}
