/* close_range (python's subprocess and glibc's closefrom use it before exec) and posix_fadvise (coreutils' cp, sort
 * and others give the hint): what they close or mark, and their errors. */
#include "difftest.h"
#include <linux/close_range.h>

static const char *descriptor_state(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? errno_name(errno) : (flags & FD_CLOEXEC) ? "close-on-exec" : "open";
}

int main(void)
{
    scratch_enter("descriptor_ranges");
    write_file("f", "data");
    int first = open("f", O_RDONLY);
    for (int i = 0; i < 5; i++)
        dup2(first, 20 + i);
    say("close_range 21..22: %s", outcome(close_range(21, 22, 0)));
    for (int i = 0; i < 5; i++)
        say("descriptor 2%d: %s", i, descriptor_state(20 + i));
    say("close_range 23..~0 close-on-exec: %s", outcome(close_range(23, ~0U, CLOSE_RANGE_CLOEXEC)));
    say("descriptor 23: %s, 24: %s, 20: %s", descriptor_state(23), descriptor_state(24), descriptor_state(20));
    say("close_range 24..~0: %s", outcome(close_range(24, ~0U, 0)));
    say("descriptor 23: %s, 24: %s", descriptor_state(23), descriptor_state(24));
    say("close_range of nothing open: %s", outcome(close_range(500, 600, 0)));
    say("close_range first > last: %s", failure(close_range(30, 29, 0)));
    say("close_range unknown flags: %s", failure(close_range(30, 40, 0x80)));
    say("close_range unshare: %s", outcome(close_range(23, 23, CLOSE_RANGE_UNSHARE)));
    say("descriptor 23: %s", descriptor_state(23));

    int pipe_ends[2];
    pipe(pipe_ends);
    int results[] = {
        posix_fadvise(first, 0, 0, POSIX_FADV_SEQUENTIAL),
        posix_fadvise(first, 0, 4096, POSIX_FADV_DONTNEED),
        posix_fadvise(first, 0, 0, 99),
        posix_fadvise(first, 0, -1, POSIX_FADV_NORMAL),
        posix_fadvise(999, 0, 0, POSIX_FADV_NORMAL),
        posix_fadvise(pipe_ends[0], 0, 0, POSIX_FADV_NORMAL),
    };
    const char *labels[] = { "sequential", "dontneed", "unknown advice", "negative length", "closed descriptor", "pipe" };
    for (int i = 0; i < 6; i++)
        say("posix_fadvise %s: %s", labels[i], results[i] == 0 ? "ok" : errno_name(results[i]));
    close(first);
    scratch_leave();
    return 0;
}
