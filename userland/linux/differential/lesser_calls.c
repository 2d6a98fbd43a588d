/* Less common calls real programs still make: fallocate (mode 0 and FALLOC_FL_KEEP_SIZE), sync_file_range, readahead,
 * utimes, futimesat, utime, preadv2/pwritev2 (flags 0, an offset of -1), the old getdents, mincore, personality,
 * capget/capset (version 3; root's capabilities, none after setuid), ioprio_get/ioprio_set; each with its errors. */
#include "difftest.h"
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <utime.h>

#define NOBODY 0x3ffffff0
#define STRANGER 54321

static long long size_of(int fd)
{
    struct stat status;
    return fstat(fd, &status) == 0 ? (long long)status.st_size : -1;
}

static void file_calls(void)
{
    write_file("file", "0123456789");
    int fd = open("file", O_RDWR);
    say("fallocate 0..100: %s", outcome(fallocate(fd, 0, 0, 100)));
    say("size %lld", size_of(fd));
    char bytes[100];
    pread(fd, bytes, sizeof bytes, 0);
    say("the new bytes read as zeros: %s", yes(memcmp(bytes, "0123456789", 10) == 0 && all_bytes(bytes + 10, 90, 0)));
    say("fallocate inside: %s, size %lld", outcome(fallocate(fd, 0, 20, 10)), size_of(fd));
    say("FALLOC_FL_KEEP_SIZE past the end: %s", outcome(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4096)));
    say("size still %lld", size_of(fd));
    say("an unknown mode bit: %s", failure(fallocate(fd, 0x100, 0, 10)));
    say("a negative offset: %s", failure(fallocate(fd, 0, -1, 10)));
    say("a length of 0: %s", failure(fallocate(fd, 0, 0, 0)));
    int reader = open("file", O_RDONLY);
    say("a read-only descriptor: %s", failure(fallocate(reader, 0, 0, 10)));
    int pipes[2];
    if (pipe(pipes) != 0)
        _exit(1);
    say("a pipe: %s", failure(fallocate(pipes[1], 0, 0, 10)));
    say("a closed descriptor: %s", failure(fallocate(99, 0, 0, 10)));
    int sealed = (int)syscall(SYS_memfd_create, "sealed", MFD_ALLOW_SEALING);
    fcntl(sealed, F_ADD_SEALS, F_SEAL_GROW);
    say("a memfd sealed against growing: %s", failure(fallocate(sealed, 0, 0, 10)));
    close(sealed);

    say("sync_file_range: %s", outcome(sync_file_range(fd, 0, 0, 0)));
    say("with every flag: %s", outcome(sync_file_range(fd, 0, 10, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER)));
    say("an unknown flag: %s", failure(sync_file_range(fd, 0, 0, 8)));
    say("a negative offset: %s", failure(sync_file_range(fd, -1, 0, 0)));
    say("a pipe: %s", failure(sync_file_range(pipes[0], 0, 0, 0)));
    say("a closed descriptor: %s", failure(sync_file_range(99, 0, 0, 0)));

    say("readahead: %s", outcome(readahead(fd, 0, 4096)));
    say("of a pipe: %s", failure(readahead(pipes[0], 0, 10)));
    int writer = open("file", O_WRONLY);
    say("of a write-only descriptor: %s", failure(readahead(writer, 0, 10)));
    say("of a closed descriptor: %s", failure(readahead(99, 0, 10)));

    /* preadv2 and pwritev2. */
    char first[4] = "ABCD", second[3] = "EFG";
    struct iovec out[2] = { { first, 4 }, { second, 3 } };
    say("pwritev2 at 50: %s", value(syscall(SYS_pwritev2, fd, out, 2, 50L, 0L, 0)));
    char in_first[3] = { 0 }, in_second[5] = { 0 };
    struct iovec in[2] = { { in_first, 2 }, { in_second, 4 } };
    say("preadv2 at 50: %s \"%s\" \"%s\"", value(syscall(SYS_preadv2, fd, in, 2, 50L, 0L, 0)), in_first, in_second);
    lseek(fd, 2, SEEK_SET);
    memset(in_first, 0, sizeof in_first);
    memset(in_second, 0, sizeof in_second);
    say("preadv2 at -1 (the file's offset, 2): %s \"%s\" \"%s\"", value(syscall(SYS_preadv2, fd, in, 2, -1L, 0L, 0)), in_first, in_second);
    say("the offset moved to %lld", (long long)lseek(fd, 0, SEEK_CUR));
    say("pwritev2 with RWF_DSYNC: %s", value(syscall(SYS_pwritev2, fd, out, 1, 60L, 0L, RWF_DSYNC)));
    say("an unknown flag: %s", failure(syscall(SYS_preadv2, fd, in, 2, 0L, 0L, 0x1000)));
    say("an offset of -2: %s", failure(syscall(SYS_preadv2, fd, in, 2, -2L, 0L, 0)));
    say("a kernel-half vector: %s", failure(syscall(SYS_pwritev2, fd, BAD_KERNEL, 2, 0L, 0L, 0)));
    say("a closed descriptor: %s", failure(syscall(SYS_preadv2, 99, in, 2, 0L, 0L, 0)));
    close(pipes[0]);
    close(pipes[1]);
    close(reader);
    close(writer);
    close(fd);
}

static void time_calls(void)
{
    struct stat status;
    struct timeval times[2] = { { 1000000, 500000 }, { 2000000, 250000 } };
    say("utimes: %s", outcome(utimes("file", times)));
    stat("file", &status);
    say("atime %ld.%09ld, mtime %ld.%09ld", (long)status.st_atim.tv_sec, status.st_atim.tv_nsec, (long)status.st_mtim.tv_sec,
        status.st_mtim.tv_nsec);
    times[1].tv_usec = 1000000;
    say("a million microseconds: %s", failure(utimes("file", times)));
    say("null times (now): %s", outcome(utimes("file", NULL)));
    stat("file", &status);
    say("mtime is now: %s", yes(status.st_mtim.tv_sec > 2000000));
    say("a missing file: %s", failure(utimes("missing", NULL)));
    say("a kernel-half times: %s", failure(syscall(SYS_utimes, "file", BAD_KERNEL)));
    say("a null path: %s", failure(syscall(SYS_utimes, BAD_NULL, NULL)));

    struct utimbuf seconds = { .actime = 3000, .modtime = 4000 };
    say("utime: %s", outcome(utime("file", &seconds)));
    stat("file", &status);
    say("atime %ld.%09ld, mtime %ld.%09ld", (long)status.st_atim.tv_sec, status.st_atim.tv_nsec, (long)status.st_mtim.tv_sec,
        status.st_mtim.tv_nsec);
    say("utime with null times: %s", outcome(utime("file", NULL)));
    say("a kernel-half utimbuf: %s", failure(syscall(SYS_utime, "file", BAD_KERNEL)));

    int directory = open(".", O_RDONLY | O_DIRECTORY);
    struct timeval later[2] = { { 5000, 1 }, { 6000, 2 } };
    say("futimesat relative to a directory: %s", outcome(syscall(SYS_futimesat, directory, "file", later)));
    stat("file", &status);
    say("atime %ld.%09ld, mtime %ld.%09ld", (long)status.st_atim.tv_sec, status.st_atim.tv_nsec, (long)status.st_mtim.tv_sec,
        status.st_mtim.tv_nsec);
    say("futimesat(AT_FDCWD, NULL): %s", failure(syscall(SYS_futimesat, AT_FDCWD, NULL, later)));
    say("futimesat of a closed directory: %s", failure(syscall(SYS_futimesat, 99, "file", later)));
    close(directory);
}

/* The old getdents's records: d_ino, d_off, d_reclen, the name, d_type in the record's last byte. */
static void old_directory_records(void)
{
    mkdir("listed", 0755);
    write_file("listed/a", "a");
    mkdir("listed/sub", 0755);
    int directory = open("listed", O_RDONLY | O_DIRECTORY);
    char buffer[4096];
    long got = syscall(SYS_getdents, directory, buffer, sizeof buffer);
    say("getdents: %s", outcome(got));
    int seen = 0, types_right = 1;
    for (long at = 0; at < got;) {
        unsigned short length = *(unsigned short *)(buffer + at + 16);
        const char *name = buffer + at + 18;
        char type = buffer[at + length - 1];
        if (strcmp(name, "a") == 0)
            seen |= 1, types_right &= type == DT_REG;
        else if (strcmp(name, "sub") == 0)
            seen |= 2, types_right &= type == DT_DIR;
        else if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            seen |= 4, types_right &= type == DT_DIR;
        at += length;
    }
    check("\".\", \"..\", \"a\" and \"sub\" listed", seen == 7);
    check("their d_type in each record's last byte", types_right);
    say("at the end: %s", value(syscall(SYS_getdents, directory, buffer, sizeof buffer)));
    lseek(directory, 0, SEEK_SET);
    say("a buffer too small for one record: %s", failure(syscall(SYS_getdents, directory, buffer, 10)));
    say("a kernel-half buffer: %s", failure(syscall(SYS_getdents, directory, BAD_KERNEL, 4096)));
    int file = open("listed/a", O_RDONLY);
    say("a file: %s", failure(syscall(SYS_getdents, file, buffer, sizeof buffer)));
    say("a closed descriptor: %s", failure(syscall(SYS_getdents, 99, buffer, sizeof buffer)));
    close(file);
    close(directory);
}

static void residency(void)
{
    char *pages = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pages[0] = 1;
    pages[2 * 4096] = 1;
    unsigned char vector[4] = { 9, 9, 9, 9 };
    long result = mincore(pages, 4 * 4096, vector);
    say("mincore after touching pages 0 and 2: %s %d%d%d%d", outcome(result), vector[0] & 1, vector[1] & 1, vector[2] & 1, vector[3] & 1);
    say("a length not a multiple of the page: %s", outcome(mincore(pages, 4096 + 1, vector)));
    say("an unaligned address: %s", failure(mincore(pages + 1, 4096, vector)));
    say("a kernel-half vector: %s", failure(mincore(pages, 4096, BAD_KERNEL)));
    munmap(pages + 4096, 4096);
    say("a range with an unmapped page: %s", failure(mincore(pages, 4 * 4096, vector)));
    say("a kernel-half range: %s", failure(mincore(BAD_KERNEL, 4096, vector)));
    munmap(pages, 4 * 4096);
}

static void personality_calls(void)
{
    say("personality(0xffffffff): %#x", personality(0xffffffff));
    say("set ADDR_NO_RANDOMIZE: the previous %#x", personality(ADDR_NO_RANDOMIZE));
    say("now %#x", personality(0xffffffff));
    pid_t child = fork();
    if (child == 0) {
        say("child: inherited %#x", personality(0xffffffff));
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    say("back to PER_LINUX: the previous %#x", personality(PER_LINUX));
}

static int has(const struct __user_cap_data_struct *data, int capability, int set)
{
    unsigned word = set == 0 ? data[capability / 32].effective : set == 1 ? data[capability / 32].permitted
        : data[capability / 32].inheritable;
    return (word >> (capability % 32)) & 1;
}

static void capability_calls(void)
{
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    say("capget version 3: %s", outcome(syscall(SYS_capget, &header, data)));
    int wanted[] = { CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_KILL, CAP_SETUID, CAP_NET_BIND_SERVICE, CAP_SYS_ADMIN, CAP_SYS_NICE };
    int effective = 1, permitted = 1, inheritable = 0;
    for (unsigned i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        effective &= has(data, wanted[i], 0);
        permitted &= has(data, wanted[i], 1);
        inheritable |= has(data, wanted[i], 2);
    }
    check("root's effective set has CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_KILL, CAP_SETUID, CAP_NET_BIND_SERVICE, CAP_SYS_ADMIN, CAP_SYS_NICE", effective);
    check("and its permitted set", permitted);
    check("none of them inheritable", !inheritable);
    say("capset of the same sets: %s", outcome(syscall(SYS_capset, &header, data)));
    header.pid = NOBODY;
    say("capset of another process: %s", failure(syscall(SYS_capset, &header, data)));
    header.pid = 0;
    header.version = _LINUX_CAPABILITY_VERSION_1;
    say("capget version 1: %s", outcome(syscall(SYS_capget, &header, data)));
    header.version = 0x12345678;
    long unknown = syscall(SYS_capget, &header, data);
    say("an unknown version: %s, version written back %#x", failure(unknown), header.version);
    header.version = 0x12345678;
    long probe = syscall(SYS_capget, &header, NULL);
    say("an unknown version without data (a probe): %s, version %#x", outcome(probe), header.version);
    header.pid = -1;
    say("pid -1: %s", failure(syscall(SYS_capget, &header, data)));
    header.pid = NOBODY;
    say("no such process: %s", failure(syscall(SYS_capget, &header, data)));
    header.pid = 0;
    say("a null header: %s", failure(syscall(SYS_capget, BAD_NULL, data)));
    say("a kernel-half data: %s", failure(syscall(SYS_capget, &header, BAD_KERNEL)));

    pid_t child = fork();
    if (child == 0) {
        if (setgid(STRANGER) != 0 || setuid(STRANGER) != 0)
            _exit(3);
        struct __user_cap_header_struct own = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct sets[2];
        long result = syscall(SYS_capget, &own, sets);
        say("child after setuid: capget %s, no capability left: %s", outcome(result),
            yes(sets[0].effective == 0 && sets[1].effective == 0 && sets[0].permitted == 0 && sets[1].permitted == 0));
        sets[0].effective = 1;
        say("child: capset adding CAP_CHOWN: %s", failure(syscall(SYS_capset, &own, sets)));
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
}

#define IOPRIO(class, level) ((class) << 13 | (level))

static void io_priorities(void)
{
    say("ioprio_get of itself: %s", value(syscall(SYS_ioprio_get, 1, 0)));
    say("best-effort 3: %s", outcome(syscall(SYS_ioprio_set, 1, 0, IOPRIO(2, 3))));
    say("now %s", value(syscall(SYS_ioprio_get, 1, 0)));
    say("idle: %s", outcome(syscall(SYS_ioprio_set, 1, getpid(), IOPRIO(3, 0))));
    say("now %s", value(syscall(SYS_ioprio_get, 1, getpid())));
    say("real-time 2 (root): %s", outcome(syscall(SYS_ioprio_set, 1, 0, IOPRIO(1, 2))));
    say("now %s", value(syscall(SYS_ioprio_get, 1, 0)));
    say("class none with a level: %s", failure(syscall(SYS_ioprio_set, 1, 0, IOPRIO(0, 1))));
    say("class 7: %s", failure(syscall(SYS_ioprio_set, 1, 0, IOPRIO(7, 0))));
    say("which 4: %s %s", failure(syscall(SYS_ioprio_get, 4, 0)), failure(syscall(SYS_ioprio_set, 4, 0, IOPRIO(2, 0))));
    say("no such process: %s", failure(syscall(SYS_ioprio_get, 1, NOBODY)));
    say("set for no such process: %s", failure(syscall(SYS_ioprio_set, 1, NOBODY, IOPRIO(2, 0))));
    syscall(SYS_ioprio_set, 1, 0, IOPRIO(2, 5));
    int to_parent[2], to_child[2];
    if (pipe(to_parent) != 0 || pipe(to_child) != 0)
        _exit(1);
    pid_t child = fork();
    if (child == 0) {
        say("child: inherited %s", value(syscall(SYS_ioprio_get, 1, 0)));
        setpgid(0, 0);
        if (setgid(STRANGER) != 0 || setuid(STRANGER) != 0)
            _exit(3);
        say("child: unprivileged real-time: %s", failure(syscall(SYS_ioprio_set, 1, 0, IOPRIO(1, 0))));
        say("child: best-effort 7: %s", outcome(syscall(SYS_ioprio_set, 1, 0, IOPRIO(2, 7))));
        say("child: its parent's (root's): %s", failure(syscall(SYS_ioprio_set, 1, getppid(), IOPRIO(2, 7))));
        char c = 'g';
        if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
            _exit(4);
        _exit(0);
    }
    char c;
    if (read(to_parent[0], &c, 1) != 1)
        _exit(1);
    say("IOPRIO_WHO_PGRP of the child's group: %s", value(syscall(SYS_ioprio_get, 2, child)));
    say("IOPRIO_WHO_USER of the child's user: %s", value(syscall(SYS_ioprio_get, 3, STRANGER)));
    say("set IOPRIO_WHO_PGRP idle: %s", outcome(syscall(SYS_ioprio_set, 2, child, IOPRIO(3, 0))));
    say("now %s", value(syscall(SYS_ioprio_get, 1, child)));
    say("set IOPRIO_WHO_USER best-effort 1: %s", outcome(syscall(SYS_ioprio_set, 3, STRANGER, IOPRIO(2, 1))));
    say("now %s", value(syscall(SYS_ioprio_get, 1, child)));
    if (write(to_child[1], &c, 1) != 1)
        _exit(1);
    int status;
    waitpid(child, &status, 0);
    say("IOPRIO_WHO_USER of nobody's user: %s", failure(syscall(SYS_ioprio_get, 3, STRANGER)));
    syscall(SYS_ioprio_set, 1, 0, 0);
}

int main(void)
{
    scratch_enter("lesser_calls");
    file_calls();
    time_calls();
    old_directory_records();
    residency();
    personality_calls();
    capability_calls();
    io_priorities();
    scratch_leave();
    return 0;
}
