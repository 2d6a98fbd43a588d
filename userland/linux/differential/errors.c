/* Errors across the call families, as raw system calls (no C library in between): every call that takes a
 * descriptor, given -1, a large number and a closed one (EBADF); every call that takes a pointer, given the null
 * page, a kernel address and a non-canonical one (EFAULT); unknown numbers and flags (ENOSYS, EINVAL); and the
 * errno a failing call leaves in the C library. */
#include "difftest.h"
#include <linux/stat.h>
#include <sys/resource.h>
#include <sys/utsname.h>

static const char *call5(long number, long a, long b, long c, long d, long e)
{
    long result = syscall(number, a, b, c, d, e, 0);
    return result >= 0 ? "ok" : errno_name(errno);
}

static const char *call(long number, long a, long b, long c, long d) { return call5(number, a, b, c, d, 0); }

int main(void)
{
    scratch_enter("errors");
    write_file("file", "contents");
    mkdir("dir", 0755);
    symlink("file", "link");

    /* unknown system call numbers */
    say("system call 1000: %s", call(1000, 0, 0, 0, 0));
    say("system call -1: %s", call(-1, 0, 0, 0, 0));

    /* bad descriptors */
    char buffer[64];
    struct stat status;
    const long bad_fds[3] = { -1, 1000000, 42 };
    const char *fd_names[3] = { "-1", "1000000", "closed 42" };
    for (int i = 0; i < 3; i++) {
        long fd = bad_fds[i];
        say("descriptor %s: read %s, write %s, close %s, fstat %s, lseek %s, dup %s", fd_names[i],
            call(SYS_read, fd, (long)buffer, 1, 0), call(SYS_write, fd, (long)buffer, 1, 0), call(SYS_close, fd, 0, 0, 0),
            call(SYS_fstat, fd, (long)&status, 0, 0), call(SYS_lseek, fd, 0, SEEK_SET, 0), call(SYS_dup, fd, 0, 0, 0));
        say("descriptor %s: pread %s, pwrite %s, fcntl %s, ioctl %s, ftruncate %s, fsync %s", fd_names[i],
            call(SYS_pread64, fd, (long)buffer, 1, 0), call(SYS_pwrite64, fd, (long)buffer, 1, 0),
            call(SYS_fcntl, fd, F_GETFL, 0, 0), call(SYS_ioctl, fd, 0x5401, (long)buffer, 0),
            call(SYS_ftruncate, fd, 0, 0, 0), call(SYS_fsync, fd, 0, 0, 0));
        say("descriptor %s: fchdir %s, getdents64 %s, fchmod %s, fchown %s, fstatfs %s, dup2 from it %s", fd_names[i],
            call(SYS_fchdir, fd, 0, 0, 0), call(SYS_getdents64, fd, (long)buffer, sizeof buffer, 0),
            call(SYS_fchmod, fd, 0644, 0, 0), call(SYS_fchown, fd, 0, 0, 0), call(SYS_fstatfs, fd, (long)buffer, 0, 0),
            call(SYS_dup2, fd, 20, 0, 0));
        say("descriptor %s as dirfd: openat %s, newfstatat %s, mkdirat %s, unlinkat %s, fchmodat %s, readlinkat %s", fd_names[i],
            call(SYS_openat, fd, (long)"x", O_RDONLY, 0), call(SYS_newfstatat, fd, (long)"x", (long)&status, 0),
            call(SYS_mkdirat, fd, (long)"x", 0755, 0), call(SYS_unlinkat, fd, (long)"x", 0, 0),
            call(SYS_fchmodat, fd, (long)"x", 0644, 0), call(SYS_readlinkat, fd, (long)"x", (long)buffer, sizeof buffer));
        say("descriptor %s as dirfd with an absolute path: openat %s", fd_names[i], call(SYS_openat, fd, (long)"/", O_RDONLY, 0));
    }
    close(open("/", O_RDONLY));   /* (the absolute-path opens above made descriptors; drop them) */
    for (int fd = 3; fd < 10; fd++)
        close(fd);

    /* bad pointers */
    int fd = open("file", O_RDWR);
    void *bad[3] = { BAD_NULL, BAD_KERNEL, BAD_NONCANONICAL };
    const char *pointer_names[3] = { "null", "kernel", "non-canonical" };
    for (int i = 0; i < 3; i++) {
        long p = (long)bad[i];
        lseek(fd, 0, SEEK_SET);
        say("%s pointer: read %s, write %s, pread %s, pwrite %s, readv %s, writev %s", pointer_names[i],
            call(SYS_read, fd, p, 4, 0), call(SYS_write, fd, p, 4, 0), call(SYS_pread64, fd, p, 4, 0),
            call(SYS_pwrite64, fd, p, 4, 0), call(SYS_readv, fd, p, 1, 0), call(SYS_writev, fd, p, 1, 0));
        say("%s path: open %s, stat %s, lstat %s, access %s, mkdir %s, rmdir %s, unlink %s, chdir %s", pointer_names[i],
            call(SYS_open, p, O_RDONLY, 0, 0), call(SYS_stat, p, (long)&status, 0, 0), call(SYS_lstat, p, (long)&status, 0, 0),
            call(SYS_access, p, F_OK, 0, 0), call(SYS_mkdir, p, 0755, 0, 0), call(SYS_rmdir, p, 0, 0, 0),
            call(SYS_unlink, p, 0, 0, 0), call(SYS_chdir, p, 0, 0, 0));
        say("%s path: rename from %s, rename to %s, link %s, symlink target %s, readlink %s, chmod %s, truncate %s", pointer_names[i],
            call(SYS_rename, p, (long)"x", 0, 0), call(SYS_rename, (long)"file", p, 0, 0), call(SYS_link, (long)"file", p, 0, 0),
            call(SYS_symlink, p, (long)"y", 0, 0), call(SYS_readlink, p, (long)buffer, sizeof buffer, 0),
            call(SYS_chmod, p, 0644, 0, 0), call(SYS_truncate, p, 0, 0, 0));
        say("%s result buffer: fstat %s, stat %s, statfs %s, getcwd %s, getdents64 %s, readlink %s", pointer_names[i],
            call(SYS_fstat, fd, p, 0, 0), call(SYS_stat, (long)"file", p, 0, 0), call(SYS_statfs, (long)".", p, 0, 0),
            call(SYS_getcwd, p, 4096, 0, 0), call(SYS_getdents64, open("dir", O_RDONLY | O_DIRECTORY), p, 4096, 0),
            call(SYS_readlink, (long)"link", p, 16, 0));
        say("%s result buffer: uname %s, sysinfo %s, getrlimit %s, getrusage %s, times %s, getresuid %s", pointer_names[i],
            call(SYS_uname, p, 0, 0, 0), call(SYS_sysinfo, p, 0, 0, 0), call(SYS_getrlimit, RLIMIT_NOFILE, p, 0, 0),
            call(SYS_getrusage, 0, p, 0, 0), call(SYS_times, p, 0, 0, 0), call(SYS_getresuid, p, p, p, 0));
        say("%s pointer: statx buffer %s, getrandom %s, setgroups (root; EPERM first otherwise) %s, utimensat times %s", pointer_names[i],
            call5(SYS_statx, AT_FDCWD, (long)"file", 0, STATX_BASIC_STATS, p), call(SYS_getrandom, p, 8, 0, 0),
            geteuid() == 0 ? call(SYS_setgroups, 1, p, 0, 0) : "EFAULT", call(SYS_utimensat, AT_FDCWD, (long)"file", p, 0));
        for (int extra = 4; extra < 12; extra++)
            close(extra == fd ? 99 : extra);
    }

    /* bad flags and arguments */
    say("open with O_TMPFILE without write access: %s", call(SYS_open, (long)".", O_TMPFILE | O_RDONLY, 0600, 0));
    say("lseek whence 5: %s", call(SYS_lseek, fd, 0, 5, 0));
    say("dup3 flags 1: %s", call(SYS_dup3, fd, 30, 1, 0));
    say("fcntl command 12345: %s", call(SYS_fcntl, fd, 12345, 0, 0));
    say("ioctl on a regular file, TCGETS: %s", call(SYS_ioctl, fd, 0x5401, (long)buffer, 0));
    say("ioctl on a regular file, request 0: %s", call(SYS_ioctl, fd, 0, 0, 0));
    say("unlinkat flags 0x8000: %s", call(SYS_unlinkat, AT_FDCWD, (long)"file", 0x8000, 0));
    say("newfstatat flags 0x10: %s", call(SYS_newfstatat, AT_FDCWD, (long)"file", (long)&status, 0x10));
    say("access mode 8: %s", call(SYS_access, (long)"file", 8, 0, 0));
    say("mmap length 0: %s", call5(SYS_mmap, 0, 0, 1 /* PROT_READ */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1));
    say("getrandom flags 0x100: %s", call(SYS_getrandom, (long)buffer, 8, 0x100, 0));
    say("prlimit64 resource 1000: %s", call(SYS_prlimit64, 0, 1000, 0, (long)buffer));
    say("renameat2 flags RENAME_NOREPLACE|RENAME_EXCHANGE: %s", call5(SYS_renameat2, AT_FDCWD, (long)"file", AT_FDCWD, (long)"x", 3));
    say("getdents64 with a 1-byte buffer: %s", call(SYS_getdents64, open("dir", O_RDONLY | O_DIRECTORY), (long)buffer, 1, 0));
    say("readv with 1025 vectors: %s", call(SYS_readv, fd, (long)buffer, 1025, 0));
    say("write to a directory descriptor: %s", call(SYS_write, open("dir", O_RDONLY | O_DIRECTORY), (long)buffer, 1, 0));
    say("read a directory descriptor: %s", call(SYS_read, open("dir", O_RDONLY | O_DIRECTORY), (long)buffer, 1, 0));
    say("getdents64 on a regular file: %s", call(SYS_getdents64, fd, (long)buffer, sizeof buffer, 0));

    /* the C library's errno: left as the failing call set it, untouched by calls that succeed */
    errno = 0;
    close(-1);
    int after_failure = errno;
    getpid();
    say("errno after close(-1): %s, still after getpid(): %s", errno_name(after_failure), errno_name(errno));
    errno = 0;
    say("errno untouched by a successful lseek: %s", lseek(fd, 0, SEEK_SET) == 0 && errno == 0 ? "yes" : "no");

    close(fd);
    scratch_leave();
    return 0;
}
