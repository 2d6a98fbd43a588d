/* System information: uname (what every Linux x86-64 answers: sysname, machine; the rest as relations), sysinfo
 * (relations between its fields), getrandom (counts, flags, bytes that differ, EFAULT, EINVAL), and
 * getpid/gettid/getppid relations. */
#include "difftest.h"
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

static int terminated(const char *field, size_t size)
{
    return memchr(field, '\0', size) != NULL;
}

int main(void)
{
    struct utsname name;
    say("uname: %s", outcome(uname(&name)));
    say("sysname: %s", name.sysname);
    say("machine: %s", name.machine);
    check("every field is terminated within 65 bytes", terminated(name.sysname, 65) && terminated(name.nodename, 65)
          && terminated(name.release, 65) && terminated(name.version, 65) && terminated(name.machine, 65)
          && terminated(name.domainname, 65));
    int major = 0, minor = 0;
    check("release starts with MAJOR.MINOR, at least 3.2 (what glibc needs)",
          sscanf(name.release, "%d.%d", &major, &minor) == 2 && (major > 3 || (major == 3 && minor >= 2)));
    check("version is not empty", name.version[0] != '\0');
    char host[65];
    check("gethostname is uname's nodename", gethostname(host, sizeof host) == 0 && strcmp(host, name.nodename) == 0);
    say("uname bad pointer: %s", failure(uname(BAD_KERNEL)));
    say("uname null: %s", failure(uname(BAD_NULL)));

    struct sysinfo info;
    say("sysinfo: %s", outcome(sysinfo(&info)));
    check("mem_unit >= 1", info.mem_unit >= 1);
    check("totalram > 0 and freeram <= totalram", info.totalram > 0 && info.freeram <= info.totalram);
    check("totalram is at least 16 MiB", (unsigned long long)info.totalram * info.mem_unit >= 16ULL << 20);
    check("freeswap <= totalswap", info.freeswap <= info.totalswap);
    check("at least one process", info.procs >= 1);
    check("uptime >= 0", info.uptime >= 0);
    struct sysinfo again;
    sysinfo(&again);
    check("uptime does not go back", again.uptime >= info.uptime);
    check("sysconf(_SC_PHYS_PAGES) > 0", sysconf(_SC_PHYS_PAGES) > 0);
    check("sysconf(_SC_NPROCESSORS_ONLN) >= 1", sysconf(_SC_NPROCESSORS_ONLN) >= 1);
    say("sysconf(_SC_PAGESIZE): %ld", sysconf(_SC_PAGESIZE));
    say("sysinfo bad pointer: %s", failure(sysinfo(BAD_KERNEL)));

    unsigned char a[64], b[64];
    say("getrandom 64: %s", value(getrandom(a, sizeof a, 0)));
    say("getrandom 64 GRND_NONBLOCK: %s", value(getrandom(b, sizeof b, GRND_NONBLOCK)));
    check("two draws differ", memcmp(a, b, sizeof a) != 0);
    say("getrandom GRND_RANDOM: %s", value(getrandom(b, 16, GRND_RANDOM)));
    say("getrandom GRND_INSECURE: %s", value(getrandom(b, 16, 0x4)));
    say("getrandom GRND_INSECURE|GRND_RANDOM: %s", failure(getrandom(b, 16, 0x4 | GRND_RANDOM)));
    say("getrandom 0 bytes: %s", value(getrandom(b, 0, 0)));
    say("getrandom unknown flag: %s", failure(getrandom(b, 16, 0x40)));
    say("getrandom bad buffer: %s", failure(getrandom(BAD_KERNEL, 16, 0)));
    static unsigned char large[1 << 20];
    long got = getrandom(large, sizeof large, 0);
    check("a 1 MiB request returns at least 256 bytes (Linux gives up to 32 MiB - 1 at once)", got >= 256);
    int counts[256] = { 0 };
    for (long i = 0; i < got; i++)
        counts[large[i]]++;
    int seen = 0;
    for (int i = 0; i < 256; i++)
        seen += counts[i] > 0;
    check("its bytes take many values", got < 4096 || seen > 200);

    pid_t pid = getpid();
    check("getpid > 0", pid > 0);
    check("getpid is stable", getpid() == pid);
    check("gettid is getpid in a single-threaded process", syscall(SYS_gettid) == pid);
    check("getppid >= 0 and not the process itself", getppid() >= 0 && getppid() != pid);
    return 0;
}
