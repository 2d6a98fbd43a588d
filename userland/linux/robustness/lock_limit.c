/* fcntl's record locks at their limit (Exo-OS: 1024 lock records for the whole system, ENOLCK past them; Linux has
 * no such limit, which is why this program runs on Exo-OS only): one-byte write locks with gaps until ENOLCK; another
 * process is refused a new lock too (the limit is the system's) while a conflicting request still gets EAGAIN; an
 * unlock that would split a range on a full pool is ENOLCK and leaves the range whole; a closed descriptor gives every
 * record back (the same count again), and so does an OFD lock's description and a process's end.
 * Prints one line per finding; exits 0 when every check held. */
#include "robustness.h"

#define MOST 4096   /* far past Exo-OS's limit: a kernel without one stops the loop here */

static int failures;

static void expect(const char *label, int condition)
{
    check(label, condition);
    if (!condition)
        failures++;
}

static int lock(int fd, int command, int type, long start, long length)
{
    struct flock request = { .l_type = (short)type, .l_whence = SEEK_SET, .l_start = start, .l_len = length };
    return fcntl(fd, command, &request);
}

/* One-byte write locks at 0, 2, 4, ... until a lock fails: how many were taken, the failure's errno in *failed_with. */
static int fill(int fd, int command, long first, int *failed_with)
{
    int count = 0;
    *failed_with = 0;
    while (count < MOST) {
        if (lock(fd, command, F_WRLCK, first + 2L * count, 1) != 0) {
            *failed_with = errno;
            break;
        }
        count++;
    }
    return count;
}

int main(void)
{
    input_from_null();
    const char *path = "/tmp/lock_limit";
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    int failed_with;
    int taken = fill(fd, F_SETLK, 0, &failed_with);
    say("lock records taken until the first refusal: %d (%s)", taken, errno_name(failed_with));
    expect("stopped by ENOLCK within the limit", failed_with == ENOLCK && taken > 0 && taken <= 1024);

    pid_t child = fork();
    if (child == 0) {
        int own = open(path, O_RDWR);
        int refused = lock(own, F_SETLK, F_WRLCK, 1, 1) != 0 && errno == ENOLCK;
        int conflict = lock(own, F_SETLK, F_WRLCK, 0, 1) != 0 && errno == EAGAIN;
        _exit(refused && conflict ? 0 : 1);
    }
    int status;
    waitpid(child, &status, 0);
    expect("another process: ENOLCK for a free byte, EAGAIN for a locked one", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* A range to split: the last lock widened to cover its gap and two more bytes (a merge takes no record). */
    long last = 2L * (taken - 1);
    expect("widening the last lock takes no record", lock(fd, F_SETLK, F_WRLCK, last, 4) == 0);
    int split = lock(fd, F_SETLK, F_UNLCK, last + 1, 1);
    expect("an unlock that would split a range on a full pool is ENOLCK", split != 0 && errno == ENOLCK);
    child = fork();
    if (child == 0) {
        int own = open(path, O_RDWR);
        struct flock probe = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = last + 1, .l_len = 1 };
        _exit(fcntl(own, F_GETLK, &probe) == 0 && probe.l_type == F_WRLCK && probe.l_start == last && probe.l_len == 4 ? 0 : 1);
    }
    waitpid(child, &status, 0);
    expect("and the range stayed whole", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    expect("unlocking a whole record gives it back", lock(fd, F_SETLK, F_UNLCK, 0, 1) == 0 && lock(fd, F_SETLK, F_WRLCK, 1, 1) == 0);

    /* Any close of the file gives every record of the process back. */
    int other = open(path, O_RDONLY);
    close(other);
    int again = fill(fd, F_SETLK, 0, &failed_with);
    say("after a close: %d (%s)", again, errno_name(failed_with));
    expect("the same count again", again == taken && failed_with == ENOLCK);
    close(fd);

    /* OFD locks: the description's last close gives them back. */
    fd = open(path, O_RDWR);
    int ofd = fill(fd, F_OFD_SETLK, 0, &failed_with);
    say("OFD lock records: %d (%s)", ofd, errno_name(failed_with));
    close(fd);
    fd = open(path, O_RDWR);
    again = fill(fd, F_OFD_SETLK, 0, &failed_with);
    expect("OFD locks: the same count, and again after the description's close", ofd == taken && again == taken);
    close(fd);

    /* A process's end gives its records back. */
    child = fork();
    if (child == 0) {
        int own = open(path, O_RDWR);
        int errno_seen;
        _exit(fill(own, F_SETLK, 0, &errno_seen) == taken ? 0 : 1);
    }
    waitpid(child, &status, 0);
    expect("a child took them all", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    fd = open(path, O_RDWR);
    again = fill(fd, F_SETLK, 0, &failed_with);
    expect("and they came back at its end", again == taken);
    close(fd);
    unlink(path);
    say("lock_limit: %s", failures == 0 ? "every check held" : "some checks failed");
    return failures == 0 ? 0 : 1;
}
