/* memfd_create: an anonymous memory file (its flags, its name in /proc/self/fd, fstat), read, write, ftruncate, two
 * MAP_SHARED mappings and read(2) seeing the same bytes (a fork child's writes too), and fcntl's seals: F_SEAL_SHRINK,
 * F_SEAL_GROW, F_SEAL_WRITE (write, truncate and mmap refused with EPERM, mprotect of a read-only shared mapping EACCES),
 * F_SEAL_SEAL; a memfd made without MFD_ALLOW_SEALING; EINVAL, EFAULT, EPERM. */
#include "difftest.h"
#include <sys/mman.h>
#include <sys/wait.h>

static int make(const char *name, unsigned flags) { return (int)syscall(SYS_memfd_create, name, flags); }

/* What .NET's JIT does (its doublemapping.cpp): a memfd sized to 2 TiB, a PROT_NONE MAP_SHARED reservation made
 * executable with mprotect, a second read-write mapping of the same offset where code is written; then the code runs
 * through the executable view. */
static void double_mapping(void)
{
    int fd = make("doublemapper", MFD_CLOEXEC);
    say("ftruncate of a memfd to 2 TiB: %s", outcome(ftruncate(fd, 2048L << 30)));
    const long offset = 64L << 20;   /* not far: Exo-OS keeps a table of the file's pages up to the highest used */
    unsigned char *code = mmap(NULL, 4096, PROT_NONE, MAP_SHARED, fd, offset);
    say("a PROT_NONE MAP_SHARED reservation at 64 MiB: %s", yes(code != MAP_FAILED));
    say("made executable: %s", outcome(mprotect(code, 4096, PROT_READ | PROT_EXEC)));
    unsigned char *writable = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
    say("a read-write view of the same page: %s", yes(writable != MAP_FAILED && writable != code));
    static const unsigned char function[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };   /* mov eax, 42; ret */
    memcpy(writable, function, sizeof function);
    say("the executable view shows the code: %s", yes(memcmp(code, function, sizeof function) == 0));
    int (*call)(void) = (int (*)(void))code;
    say("calling it through the executable view: %d", call());
    unsigned char byte = 0;
    pread(fd, &byte, 1, offset + 5);
    say("and read(2) at 64 MiB sees it: %s", yes(byte == 0xc3));
    munmap(writable, 4096);
    munmap(code, 4096);
    close(fd);
}

int main(void)
{
    int fd = make("exo test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    say("memfd_create(\"exo test\", MFD_CLOEXEC | MFD_ALLOW_SEALING): %s", outcome(fd));
    say("close-on-exec: %s", yes(fcntl(fd, F_GETFD) == FD_CLOEXEC));
    say("open for reading and writing: %s", yes((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR));
    struct stat status;
    fstat(fd, &status);
    say("a regular file of 0 bytes, no link, mode 0777: %s %lld %lu %o", yes(S_ISREG(status.st_mode)),
        (long long)status.st_size, (unsigned long)status.st_nlink, (unsigned)(status.st_mode & 07777));
    char link[128] = { 0 }, path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    say("its /proc/self/fd link: %s", readlink(path, link, sizeof link - 1) > 0 ? link : errno_name(errno));

    say("write 5 bytes: %s", value(write(fd, "hello", 5)));
    char buffer[16] = { 0 };
    say("pread them: %s \"%s\"", value(pread(fd, buffer, sizeof buffer - 1, 0)), buffer);
    say("ftruncate to 8192: %s", outcome(ftruncate(fd, 8192)));
    fstat(fd, &status);
    say("size now %lld", (long long)status.st_size);

    char *first = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *second = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    say("two MAP_SHARED mappings: %s", yes(first != MAP_FAILED && second != MAP_FAILED && first != second));
    say("the first shows the file's bytes: %s", yes(memcmp(first, "hello", 5) == 0));
    memcpy(first + 4096, "page two", 8);
    say("a write through the first is in the second: %s", yes(memcmp(second + 4096, "page two", 8) == 0));
    memset(buffer, 0, sizeof buffer);
    pread(fd, buffer, 8, 4096);
    say("and read(2) sees it: \"%s\"", buffer);
    pwrite(fd, "HELLO", 5, 0);
    say("pwrite is seen by both mappings: %s", yes(memcmp(first, "HELLO", 5) == 0 && memcmp(second, "HELLO", 5) == 0));
    pid_t child = fork();
    if (child == 0) {
        memcpy(second + 100, "child", 5);
        _exit(0);
    }
    int wait_status;
    waitpid(child, &wait_status, 0);
    say("a fork child's write to the shared mapping: %s", yes(memcmp(first + 100, "child", 5) == 0));
    munmap(first, 8192);
    munmap(second, 8192);

    double_mapping();

    say("F_GET_SEALS: %s", value(fcntl(fd, F_GET_SEALS)));
    say("F_ADD_SEALS F_SEAL_SHRINK: %s", outcome(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)));
    say("ftruncate to 100: %s", failure(ftruncate(fd, 100)));
    say("ftruncate to 12288: %s", outcome(ftruncate(fd, 12288)));
    say("F_ADD_SEALS F_SEAL_GROW: %s", outcome(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW)));
    say("ftruncate to 16384: %s", failure(ftruncate(fd, 16384)));
    say("ftruncate to its size: %s", outcome(ftruncate(fd, 12288)));
    say("a write across the end (short): %s", value(pwrite(fd, "xy", 2, 12287)));
    say("a write at the end: %s", failure(pwrite(fd, "xy", 2, 12288)));
    say("a write inside: %s", value(pwrite(fd, "xy", 2, 12286)));
    say("F_GET_SEALS: %s", value(fcntl(fd, F_GET_SEALS)));
    say("F_ADD_SEALS F_SEAL_WRITE: %s", outcome(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE)));
    say("write: %s", failure(write(fd, "x", 1)));
    say("pwrite: %s", failure(pwrite(fd, "x", 1, 0)));
    say("a writable MAP_SHARED mapping: %s", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED
        ? errno_name(errno) : "succeeded");
    char *reading = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    say("a read-only MAP_SHARED mapping: %s, shows the file: %s", yes(reading != MAP_FAILED),
        yes(reading != MAP_FAILED && memcmp(reading, "HELLO", 5) == 0));
    say("mprotect of it to PROT_WRITE: %s", failure(mprotect(reading, 4096, PROT_READ | PROT_WRITE)));
    munmap(reading, 4096);
    char *private_copy = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    say("a writable MAP_PRIVATE mapping: %s", yes(private_copy != MAP_FAILED));
    if (private_copy != MAP_FAILED) {
        private_copy[0] = 'p';
        memset(buffer, 0, sizeof buffer);
        pread(fd, buffer, 5, 0);
        say("its write stays private: \"%s\"", buffer);
        munmap(private_copy, 4096);
    }
    say("an unknown seal: %s", failure(fcntl(fd, F_ADD_SEALS, 0x100)));
    say("F_ADD_SEALS F_SEAL_SEAL: %s", outcome(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL)));
    say("then F_ADD_SEALS F_SEAL_SHRINK again: %s", failure(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)));
    say("F_GET_SEALS: %s", value(fcntl(fd, F_GET_SEALS)));
    memset(buffer, 0, sizeof buffer);
    lseek(fd, 0, SEEK_SET);
    say("read still works: %s \"%s\"", value(read(fd, buffer, 5)), buffer);
    close(fd);

    int plain = make("", 0);
    say("memfd_create(\"\", 0): %s, not close-on-exec: %s", outcome(plain), yes(fcntl(plain, F_GETFD) == 0));
    snprintf(path, sizeof path, "/proc/self/fd/%d", plain);
    memset(link, 0, sizeof link);
    say("its /proc/self/fd link: %s", readlink(path, link, sizeof link - 1) > 0 ? link : errno_name(errno));
    say("F_GET_SEALS without MFD_ALLOW_SEALING: %s", value(fcntl(plain, F_GET_SEALS)));
    say("F_ADD_SEALS: %s", failure(fcntl(plain, F_ADD_SEALS, F_SEAL_WRITE)));
    close(plain);

    int pipes[2];
    if (pipe(pipes) != 0)
        return 1;
    say("F_GET_SEALS of a pipe: %s", failure(fcntl(pipes[0], F_GET_SEALS)));
    say("F_ADD_SEALS on a pipe's write end: %s", failure(fcntl(pipes[1], F_ADD_SEALS, F_SEAL_WRITE)));
    say("F_ADD_SEALS on its read end: %s", failure(fcntl(pipes[0], F_ADD_SEALS, F_SEAL_WRITE)));
    close(pipes[0]);
    close(pipes[1]);

    char long_name[300];
    memset(long_name, 'n', sizeof long_name);
    long_name[249] = '\0';
    int longest = make(long_name, 0);
    say("a 249-byte name: %s", outcome(longest));
    close(longest);
    long_name[249] = 'n';
    long_name[250] = '\0';
    say("a 250-byte name: %s", failure(make(long_name, 0)));
    say("an unknown flag: %s", failure(make("x", 0x100)));
    say("a null name: %s", failure(syscall(SYS_memfd_create, BAD_NULL, 0)));
    say("a kernel-half name: %s", failure(syscall(SYS_memfd_create, BAD_KERNEL, 0)));
    return 0;
}
