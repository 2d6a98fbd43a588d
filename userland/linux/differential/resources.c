/* Resource limits and usage: getrlimit/setrlimit/prlimit64 (every resource readable, soft <= hard, lowering and
 * raising within the hard limit, the hard limit lowered for good for a user that is not root), RLIMIT_NOFILE
 * enforced by open and dup (EMFILE) and F_DUPFD (EINVAL), RLIMIT_FSIZE's EFBIG (with SIGXFSZ ignored),
 * getrusage (RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD), times(), and the errors EINVAL, EFAULT, ESRCH, EPERM. */
#include "difftest.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/times.h>

int main(void)
{
    scratch_enter("resources");
    struct rlimit limit;

    static const struct { int resource; const char *name; } all[] = {
        { RLIMIT_CPU, "RLIMIT_CPU" }, { RLIMIT_FSIZE, "RLIMIT_FSIZE" }, { RLIMIT_DATA, "RLIMIT_DATA" },
        { RLIMIT_STACK, "RLIMIT_STACK" }, { RLIMIT_CORE, "RLIMIT_CORE" }, { RLIMIT_RSS, "RLIMIT_RSS" },
        { RLIMIT_NPROC, "RLIMIT_NPROC" }, { RLIMIT_NOFILE, "RLIMIT_NOFILE" }, { RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK" },
        { RLIMIT_AS, "RLIMIT_AS" }, { RLIMIT_LOCKS, "RLIMIT_LOCKS" }, { RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING" },
        { RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE" }, { RLIMIT_NICE, "RLIMIT_NICE" }, { RLIMIT_RTPRIO, "RLIMIT_RTPRIO" },
        { RLIMIT_RTTIME, "RLIMIT_RTTIME" },
    };
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) {
        int got = getrlimit(all[i].resource, &limit);
        say("getrlimit %s: %s, soft <= hard: %s", all[i].name, outcome(got), yes(got == 0 && limit.rlim_cur <= limit.rlim_max));
    }
    say("getrlimit resource 16: %s", failure(getrlimit(16, &limit)));
    say("getrlimit resource -1: %s", failure(getrlimit(-1, &limit)));
    say("getrlimit bad pointer: %s", failure(getrlimit(RLIMIT_NOFILE, BAD_KERNEL)));

    /* RLIMIT_NOFILE: lower the soft limit to 10 and run into it */
    struct rlimit original;
    getrlimit(RLIMIT_NOFILE, &original);
    check("RLIMIT_NOFILE's soft limit allows at least 64 descriptors", original.rlim_cur >= 64);
    limit.rlim_cur = 10;
    limit.rlim_max = original.rlim_max;
    say("setrlimit RLIMIT_NOFILE soft 10: %s", outcome(setrlimit(RLIMIT_NOFILE, &limit)));
    getrlimit(RLIMIT_NOFILE, &limit);
    say("read back: soft %llu, hard unchanged: %s", (unsigned long long)limit.rlim_cur, yes(limit.rlim_max == original.rlim_max));
    int opened = 0, last = -1, error = 0;
    for (int i = 0; i < 20; i++) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) {
            error = errno;
            break;
        }
        opened++;
        last = fd;
    }
    say("opens before the limit: %d, the last descriptor: %d, then: %s", opened, last, errno_name(error));
    say("dup at the limit: %s", failure(dup(0)));
    say("F_DUPFD at 10 (beyond the limit): %s", failure(fcntl(0, F_DUPFD, 10)));
    say("dup2 onto 10 (beyond the limit): %s", failure(dup2(0, 10)));
    say("dup2 onto 9 (within): %s", value(dup2(0, 9)));
    for (int fd = 3; fd <= last; fd++)
        close(fd);
    limit.rlim_cur = original.rlim_max + (original.rlim_max == RLIM_INFINITY ? 0 : 1);
    limit.rlim_max = original.rlim_max;
    say("soft above hard: %s", original.rlim_max == RLIM_INFINITY ? "EINVAL" : failure(setrlimit(RLIMIT_NOFILE, &limit)));
    limit.rlim_cur = 20;
    limit.rlim_max = 10;
    say("soft 20 above hard 10: %s", failure(setrlimit(RLIMIT_NOFILE, &limit)));
    say("setrlimit bad pointer: %s", failure(setrlimit(RLIMIT_NOFILE, BAD_KERNEL)));
    say("setrlimit resource 99: %s", failure(setrlimit(99, &original)));
    say("restore RLIMIT_NOFILE: %s", outcome(setrlimit(RLIMIT_NOFILE, &original)));

    /* the hard limit: lowered by anyone, raised back only by root */
    struct rlimit core;
    getrlimit(RLIMIT_CORE, &core);
    limit.rlim_cur = 0;
    limit.rlim_max = 4096;
    say("lower RLIMIT_CORE's hard limit to 4096: %s", yes(core.rlim_max < 4096 || setrlimit(RLIMIT_CORE, &limit) == 0));
    limit.rlim_max = core.rlim_max;
    int raised = setrlimit(RLIMIT_CORE, &limit);
    check("raise it back: allowed with CAP_SYS_RESOURCE (root), else EPERM", core.rlim_max <= 4096 || raised == 0 || errno == EPERM);

    /* prlimit64 */
    struct rlimit old, fresh = { 100, original.rlim_max };
    say("prlimit(0, NOFILE, new, old): %s", outcome(prlimit(0, RLIMIT_NOFILE, &fresh, &old)));
    check("old is what getrlimit said", old.rlim_cur == original.rlim_cur && old.rlim_max == original.rlim_max);
    getrlimit(RLIMIT_NOFILE, &limit);
    say("new soft limit in effect: %llu", (unsigned long long)limit.rlim_cur);
    say("prlimit(own pid, NOFILE, NULL, old): %s", outcome(prlimit(getpid(), RLIMIT_NOFILE, NULL, &old)));
    say("prlimit read back: %llu", (unsigned long long)old.rlim_cur);
    say("prlimit a pid that does not exist: %s", failure(prlimit(0x3ffffff0, RLIMIT_NOFILE, NULL, &old)));
    say("prlimit resource 99: %s", failure(prlimit(0, 99, NULL, &old)));
    say("prlimit bad old pointer: %s", failure(prlimit(0, RLIMIT_NOFILE, NULL, BAD_KERNEL)));
    say("prlimit with neither: %s", outcome(prlimit(0, RLIMIT_NOFILE, NULL, NULL)));
    setrlimit(RLIMIT_NOFILE, &original);

    /* RLIMIT_FSIZE: writes beyond it fail with EFBIG (SIGXFSZ ignored, else it would end the program) */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit fsize, small = { 100, RLIM_INFINITY };
    getrlimit(RLIMIT_FSIZE, &fsize);
    small.rlim_max = fsize.rlim_max;
    /* (nothing is printed while the limit is low: standard output may be a file) */
    int set = setrlimit(RLIMIT_FSIZE, &small);
    int set_errno = errno;
    int fd = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char bytes[150] = { 0 };
    long first = write(fd, bytes, sizeof bytes);
    long second = write(fd, bytes, 10);
    int second_errno = errno;
    long grown = ftruncate(fd, 200);
    int grown_errno = errno;
    close(fd);
    setrlimit(RLIMIT_FSIZE, &fsize);
    say("setrlimit RLIMIT_FSIZE 100: %s", set == 0 ? "ok" : errno_name(set_errno));
    say("write 150 bytes: %ld (stops at the limit)", first);
    say("write at the limit: %s", second < 0 ? errno_name(second_errno) : "succeeded");
    say("ftruncate beyond it: %s", grown < 0 ? errno_name(grown_errno) : "succeeded");

    /* getrusage */
    struct rusage usage;
    say("getrusage RUSAGE_SELF: %s", outcome(getrusage(RUSAGE_SELF, &usage)));
    check("its times are valid timevals", usage.ru_utime.tv_usec < 1000000 && usage.ru_stime.tv_usec < 1000000
          && usage.ru_utime.tv_sec >= 0 && usage.ru_stime.tv_sec >= 0);
    check("its maximum resident size is positive", usage.ru_maxrss > 0);
    say("getrusage RUSAGE_CHILDREN: %s", outcome(getrusage(RUSAGE_CHILDREN, &usage)));
    check("no children yet: zero times", usage.ru_utime.tv_sec == 0 && usage.ru_utime.tv_usec == 0 && usage.ru_stime.tv_sec == 0
          && usage.ru_stime.tv_usec == 0);
    say("getrusage RUSAGE_THREAD: %s", outcome(getrusage(RUSAGE_THREAD, &usage)));
    say("getrusage who 5: %s", failure(getrusage(5, &usage)));
    say("getrusage bad pointer: %s", failure(getrusage(RUSAGE_SELF, BAD_KERNEL)));

    /* times */
    struct tms t1, t2;
    clock_t c1 = times(&t1);
    volatile unsigned long spin = 0;
    for (unsigned long i = 0; i < 20000000; i++)
        spin += i;
    clock_t c2 = times(&t2);
    check("times() does not go back", c2 >= c1);
    check("process times do not go back", t2.tms_utime >= t1.tms_utime && t2.tms_stime >= t1.tms_stime);
    check("no children: zero child times", t2.tms_cutime == 0 && t2.tms_cstime == 0);
    say("times(NULL) works: %s", yes(times(NULL) != (clock_t)-1));
    say("times with a bad pointer: %s", failure(syscall(SYS_times, BAD_KERNEL)));
    say("sysconf(_SC_CLK_TCK): %ld", sysconf(_SC_CLK_TCK));

    scratch_leave();
    return 0;
}
