/*
 * mount and umount2 as a Linux program uses them (busybox's mount and umount make these calls): a tmpfs mounted on
 * a directory of /tmp holds files, shows in /proc/mounts with its source and statfs's TMPFS_MAGIC, a second mount
 * stacks on it; unmounting it is
 * refused while its directory is the working directory or a file in it is open (EBUSY), then succeeds, and the
 * directory is empty again; the refusals (an unknown type ENODEV, a bind mount EINVAL, a directory that is no mount
 * point EINVAL, "/" EBUSY, a user that is not root EPERM); a read-only remount refuses writes (EROFS); and 40 rounds
 * of mount, a 64 KiB file, umount give the memory back (/proc/meminfo's Shmem as before). Static without a C
 * library, like proc_test; Exo-OS only (on the build machine it would mount on the host). One line per check; exits
 * with the number of the first that failed, 0 when all held.
 */
#define CHECK_PREFIX "mount"
#include "freestanding.h"

#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_chdir 80
#define SYS_mkdir 83
#define SYS_rmdir 84
#define SYS_unlink 87
#define SYS_fork 57
#define SYS_wait4 61
#define SYS_setuid 105
#define SYS_statfs 137
#define SYS_mount 165
#define SYS_umount2 166
#define SYS_exit_group 231

#define O_RDONLY 0
#define O_WRONLY 1
#define O_CREAT 0x40
#define MS_RDONLY 1
#define MS_REMOUNT 32
#define MS_BIND 4096
#define TMPFS_MAGIC 0x01021994

#define EPERM 1
#define ENOENT 2
#define EBUSY 16
#define ENODEV 19
#define EINVAL 22
#define EROFS 30

static char text[16384];

static i64 mount(const char *source, const char *target, const char *type, u64 flags, const char *data)
{
    register i64 r10 __asm__("r10") = (i64)flags;
    register i64 r8 __asm__("r8") = (i64)data;
    i64 result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(SYS_mount), "D"(source), "S"(target), "d"(type), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return result;
}

static i64 unmount(const char *target) { return system_call3(SYS_umount2, (i64)target, 0, 0); }

static const char *find(const char *haystack, const char *needle)
{
    for (; *haystack; haystack++)
        if (starts_with(haystack, needle))
            return haystack;
    return 0;
}

// The whole of a small file into 'text' (zero-terminated); its length, or -1.
static i64 read_file(const char *path)
{
    i64 fd = system_call3(SYS_open, (i64)path, O_RDONLY, 0);
    if (fd < 0)
        return -1;
    i64 total = 0, got;
    while ((got = system_call3(SYS_read, fd, (i64)(text + total), (i64)(sizeof text - 1 - total))) > 0)
        total += got;
    system_call3(SYS_close, fd, 0, 0);
    text[total] = 0;
    return total;
}

// /proc/meminfo's Shmem, in KiB.
static u64 shared_memory(void)
{
    if (read_file("/proc/meminfo") < 0)
        return 0;
    const char *line = find(text, "Shmem:");
    if (!line)
        return 0;
    line += 6;
    while (*line == ' ')
        line++;
    u64 value = 0;
    while (*line >= '0' && *line <= '9')
        value = value * 10 + (u64)(*line++ - '0');
    return value;
}

static int write_file(const char *path, u64 bytes)
{
    static char block[4096];
    i64 fd = system_call3(SYS_open, (i64)path, O_WRONLY | O_CREAT, 0644);
    if (fd < 0)
        return (int)fd;
    for (u64 done = 0; done < bytes; done += sizeof block)
        if (system_call3(SYS_write, fd, (i64)block, sizeof block) != sizeof block)
            return -1;
    system_call3(SYS_close, fd, 0, 0);
    return 0;
}

__attribute__((used)) void start_c(u64 *stack)
{
    (void)stack;
    const char *point = "/tmp/mount-test";
    system_call3(SYS_mkdir, (i64)point, 0755, 0);

    check("mount a tmpfs", mount("scratch", point, "tmpfs", 0, "mode=700,size=1m") == 0);
    check("a file in it", write_file("/tmp/mount-test/file", 8192) == 0);
    u64 statistics[15] = { 0 };
    check("statfs says tmpfs", system_call3(SYS_statfs, (i64)point, (i64)statistics, 0) == 0 && statistics[0] == TMPFS_MAGIC);
    check("/proc/mounts lists it with its source", read_file("/proc/mounts") > 0 && find(text, "scratch /tmp/mount-test tmpfs rw"));
    check("a second mount on the same directory stacks on the first, as Linux's do", mount("again", point, "tmpfs", 0, 0) == 0
          && system_call3(SYS_open, (i64)"/tmp/mount-test/file", O_RDONLY, 0) == -ENOENT);
    i64 uncovered = unmount(point) == 0 ? system_call3(SYS_open, (i64)"/tmp/mount-test/file", O_RDONLY, 0) : -1;
    check("its umount uncovers the first", uncovered >= 0);
    system_call3(SYS_close, uncovered, 0, 0);

    system_call3(SYS_chdir, (i64)point, 0, 0);
    check("umount while it is the working directory: EBUSY", unmount(point) == -EBUSY);
    system_call3(SYS_chdir, (i64)"/", 0, 0);
    i64 open_file = system_call3(SYS_open, (i64)"/tmp/mount-test/file", O_RDONLY, 0);
    check("umount while a file in it is open: EBUSY", open_file >= 0 && unmount(point) == -EBUSY);
    system_call3(SYS_close, open_file, 0, 0);

    check("a read-only remount", mount(0, point, 0, MS_REMOUNT | MS_RDONLY, 0) == 0);
    check("then writing is EROFS", system_call3(SYS_open, (i64)"/tmp/mount-test/other", O_WRONLY | O_CREAT, 0644) == -EROFS);
    check("/proc/mounts says ro", read_file("/proc/mounts") > 0 && find(text, "scratch /tmp/mount-test tmpfs ro"));
    check("a read-write remount", mount(0, point, 0, MS_REMOUNT, 0) == 0);

    check("umount", unmount(point) == 0);
    check("the file is gone with it", system_call3(SYS_open, (i64)"/tmp/mount-test/file", O_RDONLY, 0) == -ENOENT);
    check("/proc/mounts no longer lists it", read_file("/proc/mounts") > 0 && !find(text, "/tmp/mount-test"));

    check("an unknown type: ENODEV", mount("x", point, "nosuchfs", 0, 0) == -ENODEV);
    check("a bind mount: EINVAL (not offered)", mount("/tmp", point, 0, MS_BIND, 0) == -EINVAL);
    check("umount of a directory that is no mount point: EINVAL", unmount(point) == -EINVAL);
    check("umount of /: EBUSY", unmount("/") == -EBUSY);
    check("umount of a missing path: ENOENT", unmount("/tmp/no-such-directory") == -ENOENT);

    i64 child = system_call3(SYS_fork, 0, 0, 0);
    if (child == 0)
    {
        system_call3(SYS_setuid, 1000, 0, 0);
        system_call3(SYS_exit_group, mount("x", point, "tmpfs", 0, 0) == -EPERM && unmount("/proc") == -EPERM ? 0 : 1, 0, 0);
    }
    int status = -1;
    check("mount and umount by a user that is not root: EPERM", child > 0 && system_call4(SYS_wait4, child, (i64)&status, 0, 0) == child
          && status == 0);

    u64 before = shared_memory();
    int rounds = 1;
    for (int i = 0; i < 40 && rounds; i++)
        rounds = mount("round", point, "tmpfs", 0, 0) == 0 && write_file("/tmp/mount-test/data", 65536) == 0 && unmount(point) == 0;
    u64 after = shared_memory();
    check("40 rounds of mount, 64 KiB, umount", rounds);
    check("give their memory back (Shmem as before)", before > 0 && after <= before);
    system_call3(SYS_rmdir, (i64)point, 0, 0);

    system_call3(SYS_exit_group, failed, 0, 0);
}
