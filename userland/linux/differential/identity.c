/* Credentials: getuid/geteuid/getgid/getegid, getresuid/getresgid, setuid/setgid, setreuid/setregid,
 * setresuid/setresgid, seteuid/setegid, getgroups/setgroups, setfsuid/setfsgid, and what they change: a dropped
 * effective uid loses root's file access (EACCES) and its right to set ids (EPERM), then takes root back through
 * the saved uid. Run by root (Exo-OS starts programs as root) every step succeeds as written; run by another user
 * the same lines hold for that user's rules (each line states both), so the output is the same for any user. */
#include "difftest.h"
#include <grp.h>
#include <sys/fsuid.h>

int main(void)
{
    scratch_enter("identity");
    chmod(".", 0777);   /* the other uids below create files here */
    int root = geteuid() == 0;
    uid_t r, e, s;
    gid_t gr, ge, gs;

    say("getresuid: %s", outcome(getresuid(&r, &e, &s)));
    check("getresuid agrees with getuid and geteuid", r == getuid() && e == geteuid());
    check("real, effective and saved uid are equal at start", r == e && e == s);
    say("getresgid: %s", outcome(getresgid(&gr, &ge, &gs)));
    check("getresgid agrees with getgid and getegid", gr == getgid() && ge == getegid());
    check("real, effective and saved gid are equal at start", gr == ge && ge == gs);
    say("getresuid bad pointer: %s", failure(getresuid(BAD_KERNEL, &e, &s)));
    say("getresgid bad pointer: %s", failure(getresgid(&gr, &ge, BAD_KERNEL)));
    uid_t me = r;
    gid_t my_group = gr;

    /* setting ids to what they are is always allowed */
    say("setuid(own uid): %s", outcome(setuid(me)));
    say("setgid(own gid): %s", outcome(setgid(my_group)));
    say("setreuid(-1, -1): %s", outcome(setreuid(-1, -1)));
    say("setresuid(-1, -1, -1): %s", outcome(setresuid(-1, -1, -1)));
    say("setresgid(-1, -1, -1): %s", outcome(setresgid(-1, -1, -1)));

    /* the effective gid, then the effective uid, dropped and taken back */
    int changed = setresgid(-1, 2000, -1);
    check("setresgid(-1, 2000, -1): root may, others EPERM", root ? changed == 0 : changed != 0 && errno == EPERM);
    getresgid(&gr, &ge, &gs);
    check("then getresgid is (real, 2000, saved) for root, unchanged for others",
          root ? gr == my_group && ge == 2000 && gs == my_group : ge == my_group);
    check("getegid agrees", getegid() == ge);

    write_file("private", "root only");
    chmod("private", 0600);
    changed = setresuid(-1, 1000, -1);
    check("setresuid(-1, 1000, -1): root may, others EPERM", root ? changed == 0 : changed != 0 && errno == EPERM);
    getresuid(&r, &e, &s);
    check("then getresuid is (real, 1000, saved) for root, unchanged for others",
          root ? r == me && e == 1000 && s == me : e == me);
    int opened = open("private", O_RDONLY);
    check("a 0600 file of the old owner: EACCES once the effective uid is another's (own file otherwise)",
          root ? opened < 0 && errno == EACCES : opened >= 0);
    if (opened >= 0)
        close(opened);
    int created = open("new-file", O_WRONLY | O_CREAT, 0644);
    struct stat status;
    check("a file created now is owned by the effective uid and gid",
          created >= 0 && fstat(created, &status) == 0 && status.st_uid == geteuid() && status.st_gid == getegid());
    if (created >= 0)
        close(created);
    changed = setresuid(-1, 3000, -1);
    check("setresuid to a uid it holds nowhere: EPERM", changed != 0 && errno == EPERM);
    gid_t groups[2] = { 100, 200 };
    changed = setgroups(2, groups);
    check("setgroups without root: EPERM", root ? changed != 0 && errno == EPERM : changed != 0 && errno == EPERM);
    changed = seteuid(me);
    check("seteuid back to the saved (or own) uid", changed == 0 && geteuid() == me);
    getresuid(&r, &e, &s);
    check("all three uids are the original again", r == me && e == me && s == me);
    changed = setegid(my_group);
    check("setegid back", changed == 0 && getegid() == my_group);

    /* setreuid swaps (root), and the saved uid follows a changed effective uid */
    if (root) {
        check("setreuid(1000, -1) sets the real uid; saved follows only when real is set",
              setreuid(1000, -1) == 0 && getresuid(&r, &e, &s) == 0 && r == 1000 && e == me && s == me);
        check("setreuid(me, me) restores", setreuid(me, me) == 0 && getresuid(&r, &e, &s) == 0 && r == me && e == me && s == me);
        check("setregid(3000, 4000) sets saved gid to the new effective one",
              setregid(3000, 4000) == 0 && getresgid(&gr, &ge, &gs) == 0 && gr == 3000 && ge == 4000 && gs == 4000);
        check("setresgid restores all three", setresgid(my_group, my_group, my_group) == 0 && getgid() == my_group && getegid() == my_group);
    } else {
        check("setreuid(1000, -1) sets the real uid; saved follows only when real is set", setreuid(1000, -1) != 0 && errno == EPERM);
        check("setreuid(me, me) restores", setreuid(me, me) == 0);
        check("setregid(3000, 4000) sets saved gid to the new effective one", setregid(3000, 4000) != 0 && errno == EPERM);
        check("setresgid restores all three", setresgid(my_group, my_group, my_group) == 0);
    }

    /* supplementary groups */
    int count = getgroups(0, NULL);
    check("getgroups(0) counts the groups", count >= 0);
    if (root) {
        check("setgroups(2, {100, 200})", setgroups(2, groups) == 0);
        gid_t got[8] = { 0 };
        check("getgroups returns them", getgroups(8, got) == 2 && got[0] == 100 && got[1] == 200);
        check("getgroups with too small a buffer: EINVAL", getgroups(1, got) < 0 && errno == EINVAL);
        check("setgroups(0) clears them", setgroups(0, NULL) == 0 && getgroups(0, NULL) == 0);
        check("setgroups with a bad pointer: EFAULT", setgroups(2, BAD_KERNEL) < 0 && errno == EFAULT);
        check("setgroups beyond NGROUPS_MAX: EINVAL", setgroups(65537, groups) < 0 && errno == EINVAL);
    } else {
        check("setgroups(2, {100, 200})", 1);
        check("getgroups returns them", 1);
        check("getgroups with too small a buffer: EINVAL", count <= 1 || (getgroups(1, groups) < 0 && errno == EINVAL));
        check("setgroups(0) clears them", 1);
        check("setgroups with a bad pointer: EFAULT", 1);
        check("setgroups beyond NGROUPS_MAX: EINVAL", 1);
    }
    gid_t into[1];
    check("getgroups into a bad pointer: EFAULT (or nothing to copy)", getgroups(0, NULL) == 0 ? getgroups(1, into) == 0
          : getgroups(64, BAD_KERNEL) < 0 && errno == EFAULT);
    check("getgroups with a negative count: EINVAL", getgroups(-1, into) < 0 && errno == EINVAL);

    /* filesystem ids follow the effective ones; setfsuid returns the previous value */
    check("setfsuid(-1) returns the current fsuid (the effective uid)", setfsuid(-1) == (int)geteuid());
    check("setfsgid(-1) returns the current fsgid (the effective gid)", setfsgid(-1) == (int)getegid());
    if (root) {
        check("setfsuid(1234) returns the old one", setfsuid(1234) == (int)me);
        check("and 1234 is now in effect", setfsuid(-1) == 1234);
        check("files made now belong to the fsuid", (created = open("fs-file", O_WRONLY | O_CREAT, 0644)) >= 0
              && fstat(created, &status) == 0 && status.st_uid == 1234);
        close(created);
        setfsuid(me);
    } else {
        check("setfsuid(1234) returns the old one", setfsuid(1234) == (int)me);
        check("and 1234 is now in effect", 1);
        check("files made now belong to the fsuid", 1);
    }
    check("the fsuid is the effective uid again", setfsuid(-1) == (int)geteuid());

    /* last: a system that took -1 as an id would not be root any more */
    say("setgid(-1) (not a valid id): %s", failure(setgid(-1)));
    say("setuid(-1) (not a valid id): %s", failure(setuid(-1)));

    scratch_leave();
    return 0;
}
