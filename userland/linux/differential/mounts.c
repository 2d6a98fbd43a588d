/* mount and umount2 on a tmpfs in the scratch directory: statfs of the new file system, its size= limit (ENOSPC),
 * a remount read-only (EROFS) and back, a mount over a mount, propagation changes, the busy rule (an open file, a
 * working directory), MNT_EXPIRE, MNT_DETACH, and the errors: ENOENT, ENOTDIR, ENODEV, EINVAL (no type, bad options,
 * bad flags, not a mount point), EPERM for a user that is not root. Run as root (the boot tests are). Whatever happens,
 * the mounts are taken away at the end (MNT_DETACH), so a failure leaves nothing mounted on the build machine. */
#include "difftest.h"
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

static char mount_point[600];

static const char *listed(void)
{
    char *line = scratch_string();
    FILE *mounts = fopen("/proc/self/mounts", "r");
    int count = 0;
    char wanted[700];
    snprintf(wanted, sizeof wanted, " %s tmpfs ", mount_point);
    while (mounts != NULL && fgets(line, 256, mounts) != NULL)
        count += strstr(line, wanted) != NULL;
    if (mounts != NULL)
        fclose(mounts);
    snprintf(line, 64, "%d", count);
    return line;
}

static int same_device(const char *a, const char *b)
{
    struct stat first, second;
    return stat(a, &first) == 0 && stat(b, &second) == 0 && first.st_dev == second.st_dev;
}

int main(void)
{
    scratch_enter("mounts");
    snprintf(mount_point, sizeof mount_point, "%s/m", scratch_path);
    mkdir("m", 0755);
    write_file("file", "a file\n");

    /* a new tmpfs with a size */
    say("mount tmpfs size=1m: %s", outcome(mount("scratch-tmpfs", "m", "tmpfs", 0, "size=1m,mode=0750")));
    say("lines in /proc/self/mounts for it: %s", listed());
    check("another device than its directory's", !same_device("m", "."));
    struct statfs figures;
    say("statfs: %s", outcome(statfs("m", &figures)));
    say("f_type: %#lx, f_bsize: %ld, f_blocks: %ld, f_bfree: %ld", (long)figures.f_type, (long)figures.f_bsize,
        (long)figures.f_blocks, (long)figures.f_bfree);
    struct stat root;
    stat("m", &root);
    say("its root's mode: %o", root.st_mode & 07777);

    /* the size limit */
    static char megabyte[1 << 20];
    memset(megabyte, 'x', sizeof megabyte);
    int big = open("m/big", O_WRONLY | O_CREAT, 0644);
    say("write 1 MiB: %s", value(write(big, megabyte, sizeof megabyte)));
    say("write past the size: %s", failure(write(big, megabyte, 4096)));
    close(big);
    unlink("m/big");
    statfs("m", &figures);
    say("f_bfree after the file went: %ld", (long)figures.f_bfree);

    /* remount read-only and back */
    write_file("m/inside", "inside\n");
    say("remount read-only: %s", outcome(mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL)));
    say("create on it: %s", failure(open("m/new", O_WRONLY | O_CREAT, 0644)));
    statfs("m", &figures);
    say("statfs says ST_RDONLY: %s", yes((figures.f_flags & ST_RDONLY) != 0));
    say("remount read-write: %s", outcome(mount(NULL, "m", NULL, MS_REMOUNT, NULL)));
    int created = open("m/new", O_WRONLY | O_CREAT, 0644);
    say("create after: %s", outcome(created));
    close(created);
    say("remount a directory that is no mount: %s", failure(mount(NULL, ".", NULL, MS_REMOUNT, NULL)));
    say("propagation change on the mount: %s", outcome(mount(NULL, "m", NULL, MS_PRIVATE, NULL)));
    say("propagation change on a plain directory: %s", failure(mount(NULL, scratch_path, NULL, MS_PRIVATE, NULL)));

    /* a mount over the mount hides it until it goes */
    say("mount a second tmpfs on it: %s", outcome(mount("second", "m", "tmpfs", 0, NULL)));
    check("the first one's file is hidden", access("m/inside", F_OK) != 0);
    say("lines in /proc/self/mounts: %s", listed());
    say("umount the second: %s", outcome(umount("m")));
    check("the first one's file is back", access("m/inside", F_OK) == 0);

    /* busy */
    int open_inside = open("m/inside", O_RDONLY);
    say("umount with a file open in it: %s", failure(umount("m")));
    close(open_inside);
    chdir("m");
    say("umount with the working directory in it: %s", failure(umount(mount_point)));
    chdir(scratch_path);
    say("MNT_EXPIRE the first time: %s", failure(umount2("m", MNT_EXPIRE)));
    say("MNT_EXPIRE with MNT_DETACH: %s", failure(umount2("m", MNT_EXPIRE | MNT_DETACH)));
    say("umount2 with unknown flags: %s", failure(umount2("m", 0x100)));

    /* another user */
    pid_t child = fork();
    if (child == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        int refused = mount("x", "m", "tmpfs", 0, NULL) == -1 && errno == EPERM;
        refused &= umount("m") == -1 && errno == EPERM;
        _exit(refused ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    check("mount and umount refused to another user (EPERM)", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* umount */
    say("umount: %s", outcome(umount("m")));
    check("the directory's own device again", same_device("m", "."));
    check("the files went with it", access("m/inside", F_OK) != 0);
    say("lines in /proc/self/mounts: %s", listed());
    say("umount again: %s", failure(umount("m")));

    /* MNT_DETACH of a busy mount: it leaves the tree, the open file stays usable */
    mount("detached", "m", "tmpfs", 0, NULL);
    write_file("m/kept", "kept\n");
    int kept = open("m/kept", O_RDONLY);
    say("MNT_DETACH while a file is open: %s", outcome(umount2("m", MNT_DETACH)));
    char buffer[16] = { 0 };
    say("read the open file after: %s", value(read(kept, buffer, sizeof buffer - 1)));
    close(kept);
    say("lines in /proc/self/mounts: %s", listed());

    /* errors */
    say("mount on a missing directory: %s", failure(mount("x", "missing", "tmpfs", 0, NULL)));
    say("mount on a file: %s", failure(mount("x", "file", "tmpfs", 0, NULL)));
    say("mount an unknown type: %s", failure(mount("x", "m", "no-such-type", 0, NULL)));
    say("mount with no type: %s", failure(mount("x", "m", NULL, 0, NULL)));
    say("mount with a bad size: %s", failure(mount("x", "m", "tmpfs", 0, "size=many")));
    say("mount with an unknown option: %s", failure(mount("x", "m", "tmpfs", 0, "colour=blue")));
    say("mount with a bad type pointer: %s", failure(mount("x", "m", BAD_KERNEL, 0, NULL)));
    say("umount a missing path: %s", failure(umount("missing")));
    say("umount a plain directory: %s", failure(umount(scratch_path)));

    while (umount2("m", MNT_DETACH) == 0)
        ;
    rmdir("m");
    unlink("file");
    scratch_leave();
    return 0;
}
