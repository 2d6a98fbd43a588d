/* Directories and names: mkdir/mkdirat, rmdir, chdir/fchdir, getcwd, getdents64 (listings sorted: the order is the
 * file system's), rename/renameat/renameat2, unlink/unlinkat, link/linkat, symlink/symlinkat, readlink/readlinkat,
 * mknod/mknodat, and their errors: EEXIST, ENOENT, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL, ELOOP, EPERM, ERANGE,
 * EFAULT, EBADF, ENAMETOOLONG. */
#include "difftest.h"
#include <limits.h>
#include <linux/fs.h>
#include <sys/sysmacros.h>

/* ls -F's marks for d_type: / directory, @ symlink, | FIFO, % character device, nothing for a regular file. */
static const char *type_mark(unsigned char type)
{
    switch (type) {
    case DT_DIR: return "/";
    case DT_LNK: return "@";
    case DT_FIFO: return "|";
    case DT_CHR: return "%";
    case DT_REG: return "";
    default: return "?";
    }
}

/* The directory's names (without . and ..), sorted, joined with spaces; and whether . and .. were both there. */
static const char *listing(const char *path, int *dots)
{
    static char text[1024];
    char names[64][64];
    int count = 0, dot = 0, dotdot = 0;
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return errno_name(errno);
    char buffer[512];
    while (1) {
        long got = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (got < 0) {
            close(fd);
            return errno_name(errno);
        }
        if (got == 0)
            break;
        for (long offset = 0; offset < got;) {
            struct dirent64 *entry = (struct dirent64 *)(buffer + offset);
            if (strcmp(entry->d_name, ".") == 0 && ++dot > 1) {
                close(fd);
                return "getdents64 returned . twice";   /* it would never end */
            }
            if (strcmp(entry->d_name, ".") == 0)
                ;
            else if (strcmp(entry->d_name, "..") == 0)
                dotdot++;
            else if (count < 64)
                snprintf(names[count++], 64, "%.50s%s", entry->d_name, type_mark(entry->d_type));
            offset += entry->d_reclen;
        }
    }
    close(fd);
    qsort(names, count, 64, (int (*)(const void *, const void *))strcmp);
    text[0] = '\0';
    for (int i = 0; i < count; i++) {
        strcat(text, i ? " " : "");
        strcat(text, names[i]);
    }
    if (count == 0)
        strcpy(text, "(empty)");
    if (dots)
        *dots = dot == 1 && dotdot == 1;
    return text;
}

/* getcwd relative to the scratch directory ("." for itself), or what went wrong. */
static const char *where(void)
{
    static char text[PATH_MAX];
    char buffer[PATH_MAX];
    if (getcwd(buffer, sizeof buffer) == NULL)
        return errno_name(errno);
    size_t length = strlen(scratch_path);
    if (strncmp(buffer, scratch_path, length) != 0)
        return "outside the scratch directory";
    snprintf(text, sizeof text, ".%s", buffer + length);
    return text;
}

int main(void)
{
    scratch_enter("directories");
    int dots = 0;
    say("empty directory: %s", listing(".", &dots));
    check("an empty directory lists . and .. once each", dots);

    say("mkdir d: %s", outcome(mkdir("d", 0755)));
    say("mkdir d again: %s", failure(mkdir("d", 0755)));
    say("mkdir missing/d: %s", failure(mkdir("missing/d", 0755)));
    say("mkdir d/e/f (no parent): %s", failure(mkdir("d/e/f", 0755)));
    say("mkdir d/e: %s", outcome(mkdir("d/e", 0700)));
    say("mkdir with a trailing slash (d/g/): %s", outcome(mkdir("d/g/", 0755)));
    say("mkdir empty path: %s", failure(mkdir("", 0755)));
    say("mkdir bad pointer: %s", failure(mkdir(BAD_KERNEL, 0755)));
    char long_name[NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    say("mkdir a 256-byte name: %s", failure(mkdir(long_name, 0755)));
    long_name[NAME_MAX] = '\0';
    say("mkdir a 255-byte name: %s", outcome(mkdir(long_name, 0755)));
    say("rmdir it: %s", outcome(rmdir(long_name)));
    char long_path[PATH_MAX + 10];
    memset(long_path, 'p', sizeof long_path - 1);
    for (int i = 100; i < (int)sizeof long_path - 1; i += 100)
        long_path[i] = '/';
    long_path[sizeof long_path - 1] = '\0';
    say("mkdir a path longer than PATH_MAX: %s", failure(mkdir(long_path, 0755)));
    write_file("d/file", "data");
    say("mkdir through a file (d/file/x): %s", failure(mkdir("d/file/x", 0755)));
    say("mkdirat relative to d: %s", outcome(mkdirat(open("d", O_RDONLY | O_DIRECTORY), "h", 0755)));
    say("mkdirat relative to a file: %s", failure(mkdirat(open("d/file", O_RDONLY), "h", 0755)));
    say("mkdirat relative to a closed descriptor: %s", failure(mkdirat(999, "h", 0755)));
    struct stat status;
    stat("d", &status);
    say("d's link count (2 + subdirectories): %lu", (unsigned long)status.st_nlink);
    say("listing of d: %s", listing("d", NULL));

    /* chdir, fchdir, getcwd */
    say("getcwd: %s", where());
    say("chdir d/e: %s", outcome(chdir("d/e")));
    say("getcwd: %s", where());
    say("chdir ..: %s", outcome(chdir("..")));
    say("getcwd: %s", where());
    say("chdir to a file: %s", failure(chdir("file")));
    say("chdir missing: %s", failure(chdir("missing")));
    say("chdir bad pointer: %s", failure(chdir(BAD_KERNEL)));
    int up = open("..", O_RDONLY | O_DIRECTORY);
    say("fchdir ..: %s", outcome(fchdir(up)));
    say("getcwd: %s", where());
    close(up);
    int file = open("d/file", O_RDONLY);
    say("fchdir to a file: %s", failure(fchdir(file)));
    close(file);
    say("fchdir to a closed descriptor: %s", failure(fchdir(999)));
    char small[4];
    say("getcwd into 4 bytes: %s", failure((long)syscall(SYS_getcwd, small, sizeof small)));
    say("getcwd with size 0: %s", failure((long)syscall(SYS_getcwd, small, 0)));
    say("getcwd bad pointer: %s", failure((long)syscall(SYS_getcwd, BAD_KERNEL, 4096)));
    char exact[PATH_MAX];
    getcwd(exact, sizeof exact);
    size_t length = strlen(exact);
    say("getcwd with exactly its length + 1 (raw: the length with the null): %s",
        yes(syscall(SYS_getcwd, exact, length + 1) == (long)length + 1));
    say("getcwd with exactly its length: %s", failure((long)syscall(SYS_getcwd, exact, length)));
    say("chdir /: %s", outcome(chdir("/")));
    char root[8];
    say("getcwd at / : %s", getcwd(root, sizeof root) ? root : errno_name(errno));
    say("chdir /..: %s", outcome(chdir("/..")));
    say("getcwd after /.. : %s", getcwd(root, sizeof root) ? root : errno_name(errno));
    chdir(scratch_path);

    /* the working directory removed under the process */
    mkdir("gone", 0755);
    chdir("gone");
    say("rmdir the working directory (by its absolute path): %s", outcome(rmdir(strcat(strcpy(exact, scratch_path), "/gone"))));
    say("getcwd in a removed directory: %s", failure(getcwd(exact, sizeof exact) ? 0 : -1));
    say("creating a file in a removed directory: %s", failure(open("x", O_WRONLY | O_CREAT, 0644)));
    say("listing a removed directory: %s", listing(".", NULL));
    chdir(scratch_path);

    /* rmdir */
    say("rmdir a non-empty directory: %s", failure(rmdir("d")));
    say("rmdir a file: %s", failure(rmdir("d/file")));
    say("rmdir missing: %s", failure(rmdir("missing")));
    say("rmdir .: %s", failure(rmdir(".")));
    say("rmdir d/e/.: %s", failure(rmdir("d/e/.")));
    say("rmdir d/e/..: %s", failure(rmdir("d/e/..")));
    say("rmdir d/g: %s", outcome(rmdir("d/g")));
    say("rmdir d/h: %s", outcome(rmdir("d/h")));

    /* unlink */
    write_file("u", "u");
    say("unlink u: %s", outcome(unlink("u")));
    say("unlink u again: %s", failure(unlink("u")));
    say("unlink a directory: %s", failure(unlink("d/e")));
    say("unlinkat AT_REMOVEDIR a file: %s", failure(unlinkat(AT_FDCWD, "d/file", AT_REMOVEDIR)));
    say("unlinkat bad flags: %s", failure(unlinkat(AT_FDCWD, "d/file", 0x1)));
    mkdir("r", 0755);
    say("unlinkat AT_REMOVEDIR a directory: %s", outcome(unlinkat(AT_FDCWD, "r", AT_REMOVEDIR)));
    write_file("open-unlinked", "still here");
    int held = open("open-unlinked", O_RDONLY);
    unlink("open-unlinked");
    char text[32] = { 0 };
    say("reading a file unlinked while open: %s", read(held, text, sizeof text - 1) == 10 ? text : errno_name(errno));
    fstat(held, &status);
    say("its link count: %lu", (unsigned long)status.st_nlink);
    close(held);

    /* link */
    write_file("original", "linked");
    say("link: %s", outcome(link("original", "hard")));
    struct stat a, b;
    stat("original", &a);
    stat("hard", &b);
    check("the same inode through both names", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    say("link count: %lu", (unsigned long)a.st_nlink);
    say("link onto an existing name: %s", failure(link("original", "hard")));
    say("link a directory: %s", failure(link("d", "dlink")));
    say("link missing: %s", failure(link("missing", "m2")));
    say("linkat: %s", outcome(linkat(AT_FDCWD, "original", AT_FDCWD, "hard2", 0)));
    say("linkat bad flags: %s", failure(linkat(AT_FDCWD, "original", AT_FDCWD, "hard3", 0x1)));
    unlink("original");
    stat("hard", &b);
    say("link count after unlinking the first name: %lu", (unsigned long)b.st_nlink);

    /* symlink, readlink */
    say("symlink: %s", outcome(symlink("hard", "soft")));
    say("symlink onto an existing name: %s", failure(symlink("x", "soft")));
    say("symlink empty target: %s", failure(symlink("", "empty")));
    char target[64] = { 0 };
    say("readlink: %s", value(readlink("soft", target, sizeof target)));
    say("readlink target: %s", target);
    memset(target, 0, sizeof target);
    say("readlink into 2 bytes (truncated, no null): %s", value(readlink("soft", target, 2)));
    say("readlink truncated text: %s", target);
    say("readlink a file: %s", failure(readlink("hard", target, sizeof target)));
    say("readlink missing: %s", failure(readlink("missing", target, sizeof target)));
    say("readlink with size 0: %s", failure(readlink("soft", target, 0)));
    say("readlink bad buffer: %s", failure(readlink("soft", BAD_KERNEL, 64)));
    say("readlinkat relative to the directory: %s", value(readlinkat(open(".", O_RDONLY | O_DIRECTORY), "soft", target, sizeof target)));
    symlink("d", "dsoft");
    say("lstat sees the link: %s", yes(lstat("dsoft", &status) == 0 && S_ISLNK(status.st_mode)));
    say("the link's size is its target's length: %lld", (long long)status.st_size);
    say("stat follows it: %s", yes(stat("dsoft", &status) == 0 && S_ISDIR(status.st_mode)));
    say("chdir through a symlink: %s", outcome(chdir("dsoft/e")));
    say("getcwd shows the real path: %s", where());
    chdir(scratch_path);
    say("rmdir a symlink to a directory: %s", failure(rmdir("dsoft")));
    say("unlink a symlink (not its target): %s", outcome(unlink("dsoft")));
    check("the target is still there", stat("d", &status) == 0);
    symlink("self", "self");
    say("stat a symlink to itself: %s", failure(stat("self", &status)));
    say("lstat it: %s", outcome(lstat("self", &status)));
    symlink("hard/x", "through-file");
    say("stat through a symlink to a file: %s", failure(stat("through-file/", &status)));
    symlink("/", "to-root");
    say("a symlink to / leads to /: %s", yes(stat("to-root", &a) == 0 && stat("/", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev));
    symlink("../directories-nope/x", "relative");
    say("stat a relative dangling link: %s", failure(stat("relative", &status)));
    say("symlinkat: %s", outcome(symlinkat("hard", AT_FDCWD, "soft2")));

    /* rename */
    write_file("r1", "one");
    write_file("r2", "two");
    say("rename r1 r3: %s", outcome(rename("r1", "r3")));
    check("r1 is gone", access("r1", F_OK) != 0 && errno == ENOENT);
    say("rename r3 over r2: %s", outcome(rename("r3", "r2")));
    int r = open("r2", O_RDONLY);
    memset(text, 0, sizeof text);
    read(r, text, sizeof text - 1);
    close(r);
    say("r2 now holds: %s", text);
    say("rename onto itself: %s", outcome(rename("r2", "r2")));
    say("rename missing: %s", failure(rename("missing", "r9")));
    say("rename a file over a directory: %s", failure(rename("r2", "d")));
    mkdir("m", 0755);
    say("rename a directory over a file: %s", failure(rename("m", "r2")));
    say("rename a directory into itself: %s", failure(rename("d", "d/e/inside")));
    say("rename a directory over a non-empty one: %s", failure(rename("m", "d")));
    mkdir("empty", 0755);
    say("rename a directory over an empty one: %s", outcome(rename("m", "empty")));
    say("rename . : %s", failure(rename(".", "dot")));
    say("rename into a missing directory: %s", failure(rename("r2", "missing/r2")));
    say("rename a hard link over its other name (nothing happens): %s", outcome(rename("hard", "hard2")));
    check("both names still there", access("hard", F_OK) == 0 && access("hard2", F_OK) == 0);
    say("renameat2 RENAME_NOREPLACE onto an existing name: %s", failure(renameat2(AT_FDCWD, "r2", AT_FDCWD, "hard", RENAME_NOREPLACE)));
    say("renameat2 RENAME_NOREPLACE: %s", outcome(renameat2(AT_FDCWD, "r2", AT_FDCWD, "r5", RENAME_NOREPLACE)));
    say("renameat2 bad flags: %s", failure(renameat2(AT_FDCWD, "r5", AT_FDCWD, "r6", 0x100)));
    say("renameat: %s", outcome(renameat(AT_FDCWD, "r5", AT_FDCWD, "d/r5")));
    check("a directory moved keeps its contents", rename("d", "moved") == 0 && access("moved/e", F_OK) == 0 && access("moved/r5", F_OK) == 0);
    stat("moved/e", &a);
    stat("moved/e/..", &b);
    stat("moved", &status);
    check("its child's .. is the moved directory", b.st_ino == status.st_ino);

    /* mknod */
    say("mknod a regular file: %s", outcome(mknod("node", S_IFREG | 0644, 0)));
    say("it is a regular file: %s", yes(stat("node", &status) == 0 && S_ISREG(status.st_mode)));
    say("mknod a FIFO: %s", outcome(mknod("fifo", S_IFIFO | 0644, 0)));
    say("it is a FIFO: %s", yes(lstat("fifo", &status) == 0 && S_ISFIFO(status.st_mode)));
    say("mknod a character device (as root; else EPERM): %s",
        yes(geteuid() == 0 ? mknod("chr", S_IFCHR | 0644, makedev(1, 3)) == 0 : mknod("chr", S_IFCHR | 0644, makedev(1, 3)) != 0 && errno == EPERM));
    if (geteuid() == 0) {
        stat("chr", &status);
        say("its device number: %u,%u", major(status.st_rdev), minor(status.st_rdev));
    } else {
        say("its device number: %u,%u", 1, 3);
    }
    unlink("chr");
    say("mknod a directory type: %s", failure(mknod("dir", S_IFDIR | 0755, 0)));
    say("mknod an existing name: %s", failure(mknod("node", S_IFREG | 0644, 0)));
    say("mknodat bad type: %s", failure(mknodat(AT_FDCWD, "bad", 0170000 | 0644, 0)));

    say("final listing: %s", listing(".", &dots));
    check("it still lists . and .. once each", dots);
    scratch_leave();
    return 0;
}
