/* Attributes: umask, chmod/fchmod/fchmodat, chown/fchown/lchown/fchownat, utimensat/futimens/utimes (exact times,
 * UTIME_NOW, UTIME_OMIT, AT_SYMLINK_NOFOLLOW), what each changes (ctime) and the permission checks that follow
 * (EACCES, EPERM for a user that is not root, decided by the program itself), and the errors. */
#include "difftest.h"
#include <sys/time.h>

static mode_t mode_of(const char *path)
{
    struct stat status;
    return lstat(path, &status) == 0 ? status.st_mode & 07777 : 0xffff;
}

static int newer_or_same(struct timespec a, struct timespec b)
{
    return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec >= b.tv_nsec);
}

int main(void)
{
    scratch_enter("attributes");
    int root = geteuid() == 0;

    /* umask */
    say("umask(077) returns the old mask (022 at start? %s)", yes(umask(077) == 022));
    say("umask(022) returns: %03o", (unsigned)umask(022));
    say("umask(0777777) keeps 0777: %03o", (unsigned)(umask(0777777), umask(022)));
    umask(027);
    int fd = open("f", O_RDWR | O_CREAT, 0777);
    say("a file created 0777 under umask 027: %04o", (unsigned)mode_of("f"));
    mkdir("d", 0777);
    say("a directory created 0777 under umask 027: %04o", (unsigned)mode_of("d"));
    umask(0);
    close(open("g", O_RDWR | O_CREAT, 0666));
    say("a file created 0666 under umask 0: %04o", (unsigned)mode_of("g"));
    umask(022);

    /* chmod */
    say("chmod 0600: %s", outcome(chmod("f", 0600)));
    say("mode: %04o", (unsigned)mode_of("f"));
    say("chmod with setuid, setgid and sticky (07755): %s", outcome(chmod("f", 07755)));
    say("mode: %04o", (unsigned)mode_of("f"));
    say("chmod keeps only 07777 (0177777): %s", outcome(chmod("f", 0177777)));
    say("mode: %04o", (unsigned)mode_of("f"));
    say("fchmod 0640: %s", outcome(fchmod(fd, 0640)));
    say("mode: %04o", (unsigned)mode_of("f"));
    say("fchmodat 0604: %s", outcome(fchmodat(AT_FDCWD, "f", 0604, 0)));
    say("mode: %04o", (unsigned)mode_of("f"));
    symlink("f", "s");
    say("chmod through a symlink changes the target: %s", yes(chmod("s", 0611) == 0 && mode_of("f") == 0611 && mode_of("s") == 0777));
    say("fchmodat AT_SYMLINK_NOFOLLOW on a symlink: %s", failure(fchmodat(AT_FDCWD, "s", 0600, AT_SYMLINK_NOFOLLOW)));
    say("fchmodat bad flags: %s", failure(fchmodat(AT_FDCWD, "f", 0600, 0x1)));
    say("chmod missing: %s", failure(chmod("missing", 0600)));
    say("chmod bad path pointer: %s", failure(chmod(BAD_KERNEL, 0600)));
    say("fchmod bad descriptor: %s", failure(fchmod(999, 0600)));
    say("chmod a directory 0700: %s", outcome(chmod("d", 0700)));
    say("mode: %04o", (unsigned)mode_of("d"));

    /* chmod moves ctime, not mtime */
    struct stat before, after;
    struct timespec fixed[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
    utimensat(AT_FDCWD, "f", fixed, 0);
    stat("f", &before);
    chmod("f", 0644);
    stat("f", &after);
    check("chmod leaves mtime alone", after.st_mtim.tv_sec == 1000000000 && after.st_mtim.tv_nsec == 0);
    check("chmod moves ctime forward (not back)", newer_or_same(after.st_ctim, before.st_ctim));

    /* chown: root may give a file away; others may only "change" to their own ids */
    uid_t uid = geteuid();
    gid_t gid = getegid();
    say("chown to its own owner: %s", outcome(chown("f", uid, gid)));
    say("chown -1 -1 changes nothing: %s", yes(chown("f", -1, -1) == 0 && stat("f", &after) == 0 && after.st_uid == uid && after.st_gid == gid));
    int given = chown("f", 1234, 5678);
    say("chown to 1234:5678: root may, others EPERM: %s", yes(root ? given == 0 : given != 0 && errno == EPERM));
    stat("f", &after);
    check("the owner is as expected after it", root ? after.st_uid == 1234 && after.st_gid == 5678 : after.st_uid == uid);
    if (root) {
        chmod("f", 06755);
        chown("f", 1234, 5678);
        say("chown by root clears setuid and setgid on an executable (mode after: %04o)", (unsigned)mode_of("f"));
        chown("f", uid, gid);
    } else {
        say("chown by root clears setuid and setgid on an executable (mode after: %04o)", 0755u);
    }
    say("fchown to its own owner: %s", outcome(fchown(fd, uid, gid)));
    say("lchown a symlink (the link, not the target): %s", outcome(lchown("s", uid, gid)));
    say("fchownat AT_SYMLINK_NOFOLLOW: %s", outcome(fchownat(AT_FDCWD, "s", uid, gid, AT_SYMLINK_NOFOLLOW)));
    say("fchownat AT_EMPTY_PATH on a descriptor: %s", outcome(fchownat(fd, "", uid, gid, AT_EMPTY_PATH)));
    say("fchownat bad flags: %s", failure(fchownat(AT_FDCWD, "f", uid, gid, 0x1)));
    say("chown missing: %s", failure(chown("missing", uid, gid)));
    say("fchown bad descriptor: %s", failure(fchown(999, uid, gid)));

    /* utimensat */
    struct timespec times[2] = { { 1234567890, 500000000 }, { 1300000000, 123456789 } };
    say("utimensat exact times: %s", outcome(utimensat(AT_FDCWD, "f", times, 0)));
    stat("f", &after);
    say("atime %lld.%09ld mtime %lld.%09ld", (long long)after.st_atim.tv_sec, after.st_atim.tv_nsec, (long long)after.st_mtim.tv_sec,
        after.st_mtim.tv_nsec);
    struct timespec omit_now[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
    struct stat moment;
    stat("g", &moment);
    say("utimensat UTIME_OMIT, UTIME_NOW: %s", outcome(utimensat(AT_FDCWD, "f", omit_now, 0)));
    stat("f", &after);
    check("atime kept", after.st_atim.tv_sec == 1234567890 && after.st_atim.tv_nsec == 500000000);
    check("mtime is now (not before an earlier file's ctime)", newer_or_same(after.st_mtim, moment.st_ctim));
    say("utimensat NULL (both now): %s", outcome(utimensat(AT_FDCWD, "f", NULL, 0)));
    stat("f", &after);
    check("atime is now", newer_or_same(after.st_atim, moment.st_ctim));
    struct timespec old[2] = { { 100, 0 }, { 200, 0 } };
    say("futimens: %s", outcome(futimens(fd, old)));
    fstat(fd, &after);
    say("atime %lld mtime %lld", (long long)after.st_atim.tv_sec, (long long)after.st_mtim.tv_sec);
    struct timespec negative[2] = { { -1, 0 }, { -86400, 0 } };
    say("times before 1970: %s", outcome(utimensat(AT_FDCWD, "f", negative, 0)));
    stat("f", &after);
    say("atime %lld mtime %lld", (long long)after.st_atim.tv_sec, (long long)after.st_mtim.tv_sec);
    struct timeval tv[2] = { { 400, 5 }, { 500, 6 } };
    say("utimes (microseconds): %s", outcome(utimes("f", tv)));
    stat("f", &after);
    say("atime %lld.%09ld mtime %lld.%09ld", (long long)after.st_atim.tv_sec, after.st_atim.tv_nsec, (long long)after.st_mtim.tv_sec,
        after.st_mtim.tv_nsec);
    struct timespec link_times[2] = { { 700, 0 }, { 800, 0 } };
    say("utimensat AT_SYMLINK_NOFOLLOW on a symlink: %s", outcome(utimensat(AT_FDCWD, "s", link_times, AT_SYMLINK_NOFOLLOW)));
    lstat("s", &after);
    say("the link's mtime: %lld", (long long)after.st_mtim.tv_sec);
    stat("f", &after);
    say("the target's mtime unchanged: %lld", (long long)after.st_mtim.tv_sec);
    struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
    say("utimensat tv_nsec 1000000000: %s", failure(utimensat(AT_FDCWD, "f", bad, 0)));
    struct timespec bad2[2] = { { 0, -5 }, { 0, 0 } };
    say("utimensat tv_nsec -5: %s", failure(utimensat(AT_FDCWD, "f", bad2, 0)));
    say("utimensat bad flags: %s", failure(utimensat(AT_FDCWD, "f", times, 0x1)));
    say("utimensat missing: %s", failure(utimensat(AT_FDCWD, "missing", times, 0)));
    say("utimensat bad times pointer: %s", failure(syscall(SYS_utimensat, AT_FDCWD, "f", BAD_KERNEL, 0)));
    say("futimens bad descriptor: %s", failure(futimens(999, times)));

    /* permissions take effect (as root only the execute bits and directories' search matter) */
    write_file("secret", "x");
    chmod("secret", 0);
    int opened = open("secret", O_RDONLY);
    say("open a mode-0 file: root may, others EACCES: %s", yes(root ? opened >= 0 : opened < 0 && errno == EACCES));
    if (opened >= 0)
        close(opened);
    chmod("d", 0);
    write_file("d2", "");
    mkdir("locked", 0);
    int made = open("locked/x", O_WRONLY | O_CREAT, 0644);
    say("create in a mode-0 directory: root may, others EACCES: %s", yes(root ? made >= 0 : made < 0 && errno == EACCES));
    if (made >= 0)
        close(made);
    chmod("locked", 0755);

    close(fd);
    scratch_leave();
    return 0;
}
