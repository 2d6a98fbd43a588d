/* Extended attributes on a file system that keeps none for a fresh file (Linux's ext4 or tmpfs without security
 * modules; POSIX-X keeps none at all): reading one is ENODATA, the list is empty, and the name and the file are
 * checked as Linux checks them. Setting a user attribute is left out (ext4 keeps it, POSIX-X refuses it). */
#include "difftest.h"
#include <sys/xattr.h>

int main(void)
{
    scratch_enter("extended_attributes");
    write_file("f", "data");
    say("symlink: %s", outcome(symlink("f", "link")));
    char buffer[64];

    say("getxattr user.missing: %s", failure(getxattr("f", "user.missing", buffer, sizeof buffer)));
    say("getxattr security.selinux: %s", failure(getxattr("f", "security.selinux", buffer, sizeof buffer)));
    say("getxattr system.posix_acl_access: %s", failure(getxattr("f", "system.posix_acl_access", buffer, sizeof buffer)));
    say("getxattr size 0: %s", failure(getxattr("f", "user.missing", NULL, 0)));
    say("lgetxattr on the link: %s", failure(lgetxattr("link", "user.missing", buffer, sizeof buffer)));
    int fd = open("f", O_RDONLY);
    say("fgetxattr: %s", failure(fgetxattr(fd, "user.missing", buffer, sizeof buffer)));
    say("fgetxattr on a closed descriptor: %s", failure(fgetxattr(999, "user.missing", buffer, sizeof buffer)));
    say("getxattr of a missing file: %s", failure(getxattr("nothing", "user.missing", buffer, sizeof buffer)));
    say("getxattr empty name: %s", failure(getxattr("f", "", buffer, sizeof buffer)));
    char long_name[300];
    memset(long_name, 'a', sizeof long_name);
    memcpy(long_name, "user.", 5);
    long_name[256] = 0;
    say("getxattr 256-byte name: %s", failure(getxattr("f", long_name, buffer, sizeof buffer)));
    long_name[255] = 0;
    say("getxattr 255-byte name: %s", failure(getxattr("f", long_name, buffer, sizeof buffer)));
    say("getxattr unknown namespace: %s", failure(getxattr("f", "other.name", buffer, sizeof buffer)));
    say("getxattr bad name pointer: %s", failure(getxattr("f", BAD_NULL, buffer, sizeof buffer)));
    say("getxattr bad path pointer: %s", failure(getxattr(BAD_KERNEL, "user.missing", buffer, sizeof buffer)));

    char list[256];
    say("listxattr: %s", value(listxattr("f", list, sizeof list)));
    say("listxattr size 0: %s", value(listxattr("f", NULL, 0)));
    say("llistxattr on the link: %s", value(llistxattr("link", list, sizeof list)));
    say("flistxattr: %s", value(flistxattr(fd, list, sizeof list)));
    say("flistxattr on a closed descriptor: %s", failure(flistxattr(999, list, sizeof list)));

    say("setxattr unknown flags: %s", failure(setxattr("f", "user.x", "v", 1, 8)));
    say("setxattr unknown namespace: %s", failure(setxattr("f", "other.name", "v", 1, 0)));
    say("setxattr empty name: %s", failure(setxattr("f", "", "v", 1, 0)));
    say("fsetxattr on a closed descriptor: %s", failure(fsetxattr(999, "user.x", "v", 1, 0)));
    say("removexattr unknown namespace: %s", failure(removexattr("f", "other.name")));
    say("removexattr of a missing file: %s", failure(removexattr("nothing", "user.x")));
    close(fd);
    scratch_leave();
    return 0;
}
