/* The stat family: stat/lstat/fstat/fstatat (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH), statx, statfs/fstatfs,
 * access/faccessat/faccessat2: types, modes, sizes, link counts, inode and device relations, device numbers of
 * /dev's nodes, times as relations, and the errors ENOENT, ENOTDIR, EFAULT, EBADF, EINVAL, ELOOP. */
#include "difftest.h"
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>

static const char *type_of(mode_t mode)
{
    return S_ISREG(mode) ? "regular" : S_ISDIR(mode) ? "directory" : S_ISLNK(mode) ? "symlink" : S_ISCHR(mode) ? "character"
         : S_ISBLK(mode) ? "block" : S_ISFIFO(mode) ? "fifo" : S_ISSOCK(mode) ? "socket" : "unknown";
}

static void device(const char *path)
{
    struct stat status;
    if (stat(path, &status) != 0) {
        say("%s: %s", path, errno_name(errno));
        return;
    }
    say("%s: %s %u,%u mode %04o", path, type_of(status.st_mode), major(status.st_rdev), minor(status.st_rdev),
        (unsigned)(status.st_mode & 07777));
}

int main(void)
{
    scratch_enter("stat");
    umask(022);
    struct stat a, b, status;

    write_file("f", "12345");
    say("stat f: %s", outcome(stat("f", &a)));
    say("type %s, mode %04o, size %lld, links %lu", type_of(a.st_mode), (unsigned)(a.st_mode & 07777), (long long)a.st_size,
        (unsigned long)a.st_nlink);
    check("owner is the effective uid and gid", a.st_uid == geteuid() && a.st_gid == getegid());
    check("st_blksize > 0", a.st_blksize > 0);
    check("st_blocks (512-byte units) covers the size, or is 0", a.st_blocks == 0 || a.st_blocks * 512 >= a.st_size);
    check("st_rdev is 0 for a regular file", a.st_rdev == 0);
    int fd = open("f", O_RDWR);
    say("fstat: %s", outcome(fstat(fd, &b)));
    check("fstat and stat agree (ino, dev, mode, size, nlink)",
          a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_mode == b.st_mode && a.st_size == b.st_size && a.st_nlink == b.st_nlink);
    say("fstatat AT_EMPTY_PATH on the descriptor: %s", outcome(fstatat(fd, "", &b, AT_EMPTY_PATH)));
    check("same inode", a.st_ino == b.st_ino);
    say("fstatat empty path without AT_EMPTY_PATH: %s", failure(fstatat(fd, "", &b, 0)));
    say("fstatat bad flags: %s", failure(fstatat(AT_FDCWD, "f", &b, 0x4)));
    write(fd, "more bytes", 10);
    fstat(fd, &b);
    say("size after writing 10 at 0: %lld", (long long)b.st_size);
    check("mtime did not go back after the write", b.st_mtim.tv_sec > a.st_mtim.tv_sec
          || (b.st_mtim.tv_sec == a.st_mtim.tv_sec && b.st_mtim.tv_nsec >= a.st_mtim.tv_nsec));
    check("ctime >= mtime's second", b.st_ctim.tv_sec >= b.st_mtim.tv_sec);
    check("mtime is after 2020", b.st_mtim.tv_sec > 1577836800);

    write_file("g", "");
    stat("g", &b);
    check("two files have different inode numbers", a.st_ino != b.st_ino);
    check("two files in one directory have the same device", a.st_dev == b.st_dev);
    say("an empty file's size: %lld", (long long)b.st_size);

    /* links */
    link("f", "f2");
    stat("f2", &b);
    check("st_ino equal after link", a.st_ino == b.st_ino);
    say("link count after link: %lu", (unsigned long)b.st_nlink);
    fstat(fd, &b);
    say("the open descriptor sees it: %lu", (unsigned long)b.st_nlink);
    symlink("f", "s");
    say("lstat s: %s", outcome(lstat("s", &b)));
    say("lstat: type %s, size %lld, mode %04o", type_of(b.st_mode), (long long)b.st_size, (unsigned)(b.st_mode & 07777));
    check("a symlink has its own inode", b.st_ino != a.st_ino);
    say("stat s follows: %s", yes(stat("s", &b) == 0 && b.st_ino == a.st_ino));
    say("fstatat AT_SYMLINK_NOFOLLOW: %s", yes(fstatat(AT_FDCWD, "s", &b, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(b.st_mode)));
    symlink("missing", "dangling");
    say("stat a dangling symlink: %s", failure(stat("dangling", &b)));
    say("lstat a dangling symlink: %s", outcome(lstat("dangling", &b)));
    symlink("loop", "loop");
    say("stat a symlink loop: %s", failure(stat("loop", &b)));

    /* directories */
    mkdir("d", 0750);
    stat("d", &b);
    say("directory: type %s, mode %04o, links %lu", type_of(b.st_mode), (unsigned)(b.st_mode & 07777), (unsigned long)b.st_nlink);
    mkdir("d/sub", 0755);
    stat("d", &b);
    say("links after a subdirectory: %lu", (unsigned long)b.st_nlink);
    stat("d/sub/..", &status);
    check("d/sub/.. is d", status.st_ino == b.st_ino);
    stat(".", &status);
    stat(scratch_path, &b);
    check(". is the working directory", status.st_ino == b.st_ino);

    /* errors */
    say("stat missing: %s", failure(stat("missing", &b)));
    say("stat empty path: %s", failure(stat("", &b)));
    say("stat through a file: %s", failure(stat("f/x", &b)));
    say("stat file/ (trailing slash): %s", failure(stat("f/", &b)));
    say("stat bad path pointer: %s", failure(stat(BAD_KERNEL, &b)));
    say("stat bad buffer: %s", failure(stat("f", BAD_KERNEL)));
    say("stat null buffer: %s", failure(stat("f", BAD_NULL)));
    say("fstat bad descriptor: %s", failure(fstat(999, &b)));
    say("fstat -1: %s", failure(fstat(-1, &b)));
    say("fstat bad buffer: %s", failure(fstat(fd, BAD_KERNEL)));
    say("fstatat relative to a file: %s", failure(fstatat(fd, "x", &b, 0)));
    say("fstatat relative to a closed descriptor: %s", failure(fstatat(999, "x", &b, 0)));

    /* statx */
    struct statx x;
    say("statx f: %s", outcome(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &x)));
    check("statx has the basic fields", (x.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
    stat("f", &a);
    check("statx agrees with stat (ino, size, mode, nlink, uid, dev)",
          x.stx_ino == a.st_ino && (long long)x.stx_size == a.st_size && x.stx_mode == a.st_mode && x.stx_nlink == a.st_nlink
          && x.stx_uid == a.st_uid && makedev(x.stx_dev_major, x.stx_dev_minor) == a.st_dev);
    check("statx mtime equals stat's", x.stx_mtime.tv_sec == a.st_mtim.tv_sec && x.stx_mtime.tv_nsec == (unsigned)a.st_mtim.tv_nsec);
    say("statx AT_SYMLINK_NOFOLLOW on s: %s", yes(statx(AT_FDCWD, "s", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &x) == 0 && S_ISLNK(x.stx_mode)));
    say("statx AT_EMPTY_PATH on a descriptor: %s", yes(statx(fd, "", AT_EMPTY_PATH, STATX_INO, &x) == 0 && x.stx_ino == a.st_ino));
    say("statx mask with the reserved bit: %s", failure(statx(AT_FDCWD, "f", 0, 0x80000000u, &x)));
    say("statx bad flags: %s", failure(statx(AT_FDCWD, "f", 0x40000000, STATX_BASIC_STATS, &x)));
    say("statx missing: %s", failure(statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &x)));
    say("statx bad buffer: %s", failure(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, BAD_KERNEL)));
    say("statx device of /dev/null: %s", yes(statx(AT_FDCWD, "/dev/null", 0, STATX_BASIC_STATS, &x) == 0
        && x.stx_rdev_major == 1 && x.stx_rdev_minor == 3));

    /* statfs */
    struct statfs fs, fs2;
    say("statfs .: %s", outcome(statfs(".", &fs)));
    check("f_bsize > 0, f_blocks >= f_bfree >= f_bavail", fs.f_bsize > 0 && fs.f_blocks >= fs.f_bfree && fs.f_bfree >= fs.f_bavail);
    say("f_namelen: %ld", (long)fs.f_namelen);
    say("fstatfs: %s", outcome(fstatfs(fd, &fs2)));
    check("fstatfs and statfs agree on the type and fsid", fs.f_type == fs2.f_type
          && memcmp(&fs.f_fsid, &fs2.f_fsid, sizeof fs.f_fsid) == 0);
    say("statfs /dev is devtmpfs or tmpfs: %s", yes(statfs("/dev", &fs) == 0 && fs.f_type == TMPFS_MAGIC));
    say("statfs missing: %s", failure(statfs("missing", &fs)));
    say("statfs bad buffer: %s", failure(statfs(".", BAD_KERNEL)));
    say("fstatfs bad descriptor: %s", failure(fstatfs(999, &fs)));

    /* access */
    chmod("g", 0);
    say("access f F_OK: %s", outcome(access("f", F_OK)));
    say("access f R_OK|W_OK: %s", outcome(access("f", R_OK | W_OK)));
    say("access f X_OK (mode 0644): %s", failure(access("f", X_OK)));
    say("access missing: %s", failure(access("missing", F_OK)));
    say("access bad mode: %s", failure(access("f", 0x10)));
    say("access through a file: %s", failure(access("f/x", F_OK)));
    say("access a mode-0 file for reading: root may, others EACCES: %s",
        yes(geteuid() == 0 ? access("g", R_OK) == 0 : access("g", R_OK) != 0 && errno == EACCES));
    say("access a mode-0 file for executing: %s", failure(access("g", X_OK)));
    say("access a directory X_OK: %s", outcome(access("d", X_OK)));
    say("faccessat relative to d: %s", outcome(faccessat(open("d", O_RDONLY | O_DIRECTORY), "sub", F_OK, 0)));
    say("faccessat AT_SYMLINK_NOFOLLOW on a dangling link: %s", outcome(faccessat(AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW)));
    say("faccessat bad flags: %s", failure(faccessat(AT_FDCWD, "f", F_OK, 0x1)));
    say("faccessat2 AT_EACCESS: %s", outcome(syscall(SYS_faccessat2, AT_FDCWD, "f", R_OK, AT_EACCESS)));
    say("faccessat2 AT_EMPTY_PATH on a descriptor: %s", outcome(syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH)));

    /* the device nodes */
    device("/dev/null");
    device("/dev/zero");
    device("/dev/full");
    device("/dev/random");
    device("/dev/urandom");
    device("/dev/tty");
    stat("/dev", &a);
    say("/dev: %s", type_of(a.st_mode));
    stat("/", &a);
    stat("/..", &b);
    check("/.. is /", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    stat("/tmp", &b);
    check("/tmp is a directory with the sticky bit", S_ISDIR(b.st_mode) && (b.st_mode & S_ISVTX));

    close(fd);
    scratch_leave();
    return 0;
}
