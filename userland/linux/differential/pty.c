/* Pseudo-terminals (/dev/ptmx and devpts): posix_openpt, grantpt, unlockpt, ptsname, TIOCGPTN and the lock; the slave
 * as a character device listed in /dev/pts; the slave's termios defaults; canonical input with erase and kill, echo
 * seen from the master, ICRNL and ONLCR; raw mode (cfmakeraw) with VMIN=1 and VMIN=0, and VMIN and VTIME's timed
 * reads (a first byte awaited 0.3 s; VMIN bytes awaited; VTIME between bytes); O_NONBLOCK on both sides; the slave
 * opened from the master (TIOCGPTPEER: EIO while locked, O_CLOEXEC, the same device);
 * bounded buffers (writes stop with EAGAIN); window size set on the master, read on the slave; poll on both sides;
 * closing the slave (the master reads what is left, then EIO) and the master (the slave hangs up). */
#include "ptyhelp.h"
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

static int listed_in_pts(const char *name)
{
    DIR *directory = opendir("/dev/pts");
    if (directory == NULL)
        return 0;
    int found = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL)
        if (strcmp(entry->d_name, name) == 0)
            found = 1;
    closedir(directory);
    return found;
}

static short polled(int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events };
    return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

static long milliseconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000L + now.tv_nsec / 1000000L;
}

/* A read of the slave with VMIN and VTIME set, 'late' written to the master by a child after 'delay_ms' (if not NULL):
 * what came and whether it took at least 'at_least_ms' (times only as bounds: the emulator is slow, never fast). */
static void timed_read(int master, int slave, struct termios *t, int minimum, int time, const char *ready, const char *late,
                       int delay_ms, int want, int at_least_ms)
{
    char line[64];
    t->c_cc[VMIN] = (cc_t)minimum;
    t->c_cc[VTIME] = (cc_t)time;
    tcsetattr(slave, TCSANOW, t);
    if (ready[0] != '\0')
        write(master, ready, strlen(ready));
    pid_t child = -1;
    if (late != NULL) {
        child = fork();
        if (child == 0) {
            usleep((useconds_t)delay_ms * 1000);
            write(master, late, strlen(late));
            _exit(0);
        }
    }
    long start = milliseconds_now();
    ssize_t n = read(slave, line, (size_t)want);
    long took = milliseconds_now() - start;
    if (child > 0)
        waitpid(child, NULL, 0);
    say("VMIN=%d VTIME=%d, read of %d with \"%s\" there%s%s: %s \"%s\", waited %d ms or more %s", minimum, time, want,
        ready, late != NULL ? " and later " : "", late != NULL ? late : "", n < 0 ? errno_name(errno) : "got",
        n < 0 ? "" : escaped(line, (int)n), at_least_ms, yes(took >= at_least_ms));
    tcflush(slave, TCIFLUSH);
}

/* Writes until EAGAIN (non-blocking 'fd'), at most 1 MiB; whether it stopped with EAGAIN before that. */
static int fills_up(int fd)
{
    char block[512];
    memset(block, 'f', sizeof block);
    long total = 0;
    while (total < (1 << 20)) {
        ssize_t n = write(fd, block, sizeof block);
        if (n < 0)
            return errno == EAGAIN && total > 0;
        total += n;
    }
    return 0;
}

int main(void)
{
    /* ---- opening a pair ---- */
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    say("posix_openpt: %s", outcome(master));
    say("grantpt: %s", outcome(grantpt(master)));
    const char *name = ptsname(master);
    check("ptsname under /dev/pts/", name != NULL && strncmp(name, "/dev/pts/", 9) == 0);
    char slave_name[64];
    snprintf(slave_name, sizeof slave_name, "%s", name ? name : "");
    int number = -1;
    say("TIOCGPTN: %s", outcome(ioctl(master, TIOCGPTN, &number)));
    char expected[64];
    snprintf(expected, sizeof expected, "/dev/pts/%d", number);
    check("ptsname is /dev/pts/ and TIOCGPTN's number", strcmp(expected, slave_name) == 0);
    int locked = -1;
    const char *result = outcome(ioctl(master, TIOCGPTLCK, &locked));
    say("TIOCGPTLCK: %s, locked %d", result, locked);
    say("open slave while locked: %s", failure(open(slave_name, O_RDWR | O_NOCTTY)));
    say("unlockpt: %s", outcome(unlockpt(master)));
    locked = -1;
    result = outcome(ioctl(master, TIOCGPTLCK, &locked));
    say("TIOCGPTLCK after unlockpt: %s, locked %d", result, locked);
    check("master is a terminal (isatty)", isatty(master));
    int slave = open(slave_name, O_RDWR | O_NOCTTY);
    say("open slave: %s", outcome(slave));
    check("slave is a terminal (isatty)", isatty(slave));
    struct stat status;
    say("fstat slave: %s", outcome(fstat(slave, &status)));
    say("slave: character device %s, major %u, minor is the number %s", yes(S_ISCHR(status.st_mode)), major(status.st_rdev),
        yes((int)minor(status.st_rdev) == number));
    result = outcome(fstat(master, &status));
    say("fstat master: %s, character device %s, 5:2 %s", result, yes(S_ISCHR(status.st_mode)),
        yes(major(status.st_rdev) == 5 && minor(status.st_rdev) == 2));
    say("chmod slave 0620 (grantpt's): %s", outcome(chmod(slave_name, 0620)));
    say("stat /dev/pts/ptmx: %s", outcome(stat("/dev/pts/ptmx", &status)));
    char number_name[16];
    snprintf(number_name, sizeof number_name, "%d", number);
    check("/dev/pts lists ptmx", listed_in_pts("ptmx"));
    check("/dev/pts lists the slave's number", listed_in_pts(number_name));
    check("TIOCGPTN on the slave fails", ioctl(slave, TIOCGPTN, &number) < 0);

    /* ---- the slave's termios ---- */
    struct termios t;
    say("tcgetattr slave: %s", outcome(tcgetattr(slave, &t)));
    say("ICANON %s ECHO %s ECHOE %s ISIG %s ICRNL %s OPOST %s ONLCR %s VMIN %d VTIME %d", yes(t.c_lflag & ICANON), yes(t.c_lflag & ECHO),
        yes(t.c_lflag & ECHOE), yes(t.c_lflag & ISIG), yes(t.c_iflag & ICRNL), yes(t.c_oflag & OPOST), yes(t.c_oflag & ONLCR),
        t.c_cc[VMIN], t.c_cc[VTIME]);
    struct termios from_master;
    result = outcome(tcgetattr(master, &from_master));
    say("tcgetattr master (the slave's settings): %s, same lflag %s", result, yes(from_master.c_lflag == t.c_lflag));

    /* ---- output: ONLCR ---- */
    say("write slave \"hello\\n\": %s", value(write(slave, "hello\n", 6)));
    expect_from(master, "master reads", 7);

    /* ---- canonical input, echo ---- */
    say("write master \"abc\\r\": %s", value(write(master, "abc\r", 4)));
    expect_from(master, "echo", 5);
    char line[256];
    ssize_t n = read(slave, line, sizeof line);
    say("slave reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(line, (int)n));
    /* erase (DEL) echoes \b \b; the line read has the characters erased */
    say("write master \"xy\\x7fz\\n\": %s", value(write(master, "xy\x7fz\n", 5)));
    expect_from(master, "echo with erase", 9);
    n = read(slave, line, sizeof line);
    say("slave reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(line, (int)n));
    /* kill (^U) takes the whole edit line, rubbed out column by column (ECHOK, ECHOKE, ECHOE) */
    say("write master \"gone^Ukept\\n\": %s", value(write(master, "gone\x15kept\n", 10)));
    expect_from(master, "echo with kill", 22);
    n = read(slave, line, sizeof line);
    say("slave reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(line, (int)n));
    /* word erase (^W) takes the last word */
    say("write master \"one two^Wtoo\\n\": %s", value(write(master, "one two\x17too\n", 12)));
    expect_from(master, "echo with word erase", 22);
    n = read(slave, line, sizeof line);
    say("slave reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(line, (int)n));
    /* a control character echoes as ^X, and erasing it rubs out both columns */
    say("write master \"a^Ab DEL DEL\\n\": %s", value(write(master, "a\x01" "b\x7f\x7f\n", 6)));
    expect_from(master, "echo with a control character", 15);
    char echo[256];
    n = read(slave, line, sizeof line);
    say("slave reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(line, (int)n));
    /* two lines in one write: two reads */
    say("write master \"one\\ntwo\\n\": %s", value(write(master, "one\ntwo\n", 8)));
    read_within(master, echo, 10, 2000);
    n = read(slave, line, sizeof line);
    say("slave reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(line, (int)n));
    n = read(slave, line, sizeof line);
    say("slave reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(line, (int)n));
    /* no echo */
    t.c_lflag &= ~ECHO;
    say("tcsetattr slave -ECHO: %s", outcome(tcsetattr(slave, TCSANOW, &t)));
    say("write master \"quiet\\n\": %s", value(write(master, "quiet\n", 6)));
    n = read(slave, line, sizeof line);
    say("slave reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(line, (int)n));
    say("master has nothing: %s", yes(read_within(master, echo, sizeof echo, 200) == 0));

    /* ---- non-blocking ---- */
    int flags = fcntl(master, F_GETFL);
    fcntl(master, F_SETFL, flags | O_NONBLOCK);
    say("master read, nothing there, O_NONBLOCK: %s", failure(read(master, echo, sizeof echo)));
    int slave_flags = fcntl(slave, F_GETFL);
    fcntl(slave, F_SETFL, slave_flags | O_NONBLOCK);
    say("write master \"partial\" (no newline): %s", value(write(master, "partial", 7)));
    usleep(100000);
    say("slave read, no whole line, O_NONBLOCK: %s", failure(read(slave, line, sizeof line)));
    number = -1;
    result = outcome(ioctl(slave, FIONREAD, &number));
    say("FIONREAD slave: %s, %d (an incomplete line does not count)", result, number);
    say("tcflush slave TCIFLUSH: %s", outcome(tcflush(slave, TCIFLUSH)));

    /* ---- raw mode ---- */
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    say("tcsetattr slave cfmakeraw VMIN=1 VTIME=0: %s", outcome(tcsetattr(slave, TCSANOW, &t)));
    fcntl(slave, F_SETFL, slave_flags);
    say("write master \"a\\rb\\x03\": %s", value(write(master, "a\rb\x03", 4)));
    int got = read_within(slave, line, 4, 2000);
    say("slave reads raw: \"%s\"", got < 0 ? errno_name(-got) : escaped(line, got));
    say("master has no echo: %s", yes(read_within(master, echo, sizeof echo, 200) == 0));
    say("write slave \"x\\ny\": %s", value(write(slave, "x\ny", 3)));
    expect_from(master, "master reads (no ONLCR)", 3);
    t.c_cc[VMIN] = 0;
    say("tcsetattr VMIN=0 VTIME=0: %s", outcome(tcsetattr(slave, TCSANOW, &t)));
    say("slave read, nothing there, VMIN=0: %s", value(read(slave, line, sizeof line)));
    fcntl(slave, F_SETFL, slave_flags | O_NONBLOCK);
    say("the same with O_NONBLOCK: %s", value(read(slave, line, sizeof line)));
    fcntl(slave, F_SETFL, slave_flags);

    /* ---- VMIN and VTIME ---- */
    timed_read(master, slave, &t, 0, 3, "", NULL, 0, 16, 250);          /* nothing comes: 0 after 0.3 s */
    timed_read(master, slave, &t, 0, 3, "ab", NULL, 0, 16, 0);          /* there: at once */
    timed_read(master, slave, &t, 3, 0, "cd", "e", 200, 16, 150);       /* waits for the third byte */
    timed_read(master, slave, &t, 5, 0, "fgh", NULL, 0, 2, 0);          /* a read of 2 needs 2, not VMIN */
    timed_read(master, slave, &t, 4, 2, "i", NULL, 0, 16, 150);         /* one byte, then VTIME between bytes */
    timed_read(master, slave, &t, 2, 50, "", "jk", 200, 16, 150);       /* the first byte awaited without a limit */
    fcntl(slave, F_SETFL, slave_flags | O_NONBLOCK);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 3;
    tcsetattr(slave, TCSANOW, &t);
    say("VMIN=0 VTIME=3 with O_NONBLOCK, nothing there: %s", failure(read(slave, line, sizeof line)));
    fcntl(slave, F_SETFL, slave_flags);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    tcsetattr(slave, TCSANOW, &t);

    /* ---- poll ---- */
    say("poll slave, nothing to read: revents POLLOUT %s POLLIN %s", yes(polled(slave, POLLIN | POLLOUT) & POLLOUT),
        yes(polled(slave, POLLIN | POLLOUT) & POLLIN));
    say("poll master, nothing to read: POLLIN %s", yes(polled(master, POLLIN) & POLLIN));
    write(master, "k", 1);
    struct pollfd p = { .fd = slave, .events = POLLIN };
    result = value(poll(&p, 1, 2000));
    say("poll slave after a byte from the master: %s, POLLIN %s", result, yes(p.revents & POLLIN));
    read(slave, line, sizeof line);
    write(slave, "k", 1);
    p.fd = master;
    p.revents = 0;
    result = value(poll(&p, 1, 2000));
    say("poll master after a byte from the slave: %s, POLLIN %s", result, yes(p.revents & POLLIN));
    int pending = -1;
    usleep(100000);
    result = outcome(ioctl(master, FIONREAD, &pending));
    say("FIONREAD master: %s, %d", result, pending);
    read(master, echo, sizeof echo);

    /* ---- bounded buffers ---- */
    fcntl(slave, F_SETFL, slave_flags | O_NONBLOCK);
    check("slave writes stop with EAGAIN before 1 MiB", fills_up(slave));
    check("master writes stop with EAGAIN before 1 MiB", fills_up(master));
    say("tcflush slave TCIOFLUSH: %s", outcome(tcflush(slave, TCIOFLUSH)));
    while (read(master, echo, sizeof echo) > 0) { }
    fcntl(slave, F_SETFL, slave_flags);

    /* ---- window size ---- */
    struct winsize size = { .ws_row = 33, .ws_col = 101 };
    say("TIOCSWINSZ master 33x101: %s", outcome(ioctl(master, TIOCSWINSZ, &size)));
    memset(&size, 0, sizeof size);
    result = outcome(ioctl(slave, TIOCGWINSZ, &size));
    say("TIOCGWINSZ slave: %s, %dx%d", result, size.ws_row, size.ws_col);
    size.ws_row = 40;
    say("TIOCSWINSZ slave 40 rows: %s", outcome(ioctl(slave, TIOCSWINSZ, &size)));
    memset(&size, 0, sizeof size);
    result = outcome(ioctl(master, TIOCGWINSZ, &size));
    say("TIOCGWINSZ master: %s, %dx%d", result, size.ws_row, size.ws_col);

    /* ---- closing the slave ---- */
    fcntl(master, F_SETFL, flags);
    write(slave, "bye\n", 4);   /* raw: no ONLCR */
    usleep(100000);
    say("close slave: %s", outcome(close(slave)));
    usleep(100000);
    short revents = polled(master, POLLIN);
    say("poll master: POLLIN %s POLLHUP %s", yes(revents & POLLIN), yes(revents & POLLHUP));
    n = read(master, echo, sizeof echo);
    say("master reads what was left: \"%s\"", n < 0 ? errno_name(errno) : escaped(echo, (int)n));
    say("then: %s", failure(read(master, echo, sizeof echo)));
    say("write master: %s", value(write(master, "z", 1)));
    say("close master: %s", outcome(close(master)));
    say("open the closed pair's slave: %s", failure(open(slave_name, O_RDWR | O_NOCTTY)));

    /* ---- the slave opened from the master ---- */
    int peer_master = posix_openpt(O_RDWR | O_NOCTTY);
    say("another master: %s", outcome(peer_master));
    say("TIOCGPTPEER while locked: %s", failure(ioctl(peer_master, TIOCGPTPEER, O_RDWR | O_NOCTTY)));
    unlockpt(peer_master);
    int peer = ioctl(peer_master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    say("TIOCGPTPEER: %s, close-on-exec %s, a terminal %s", outcome(peer), yes(fcntl(peer, F_GETFD) & FD_CLOEXEC), yes(isatty(peer)));
    struct stat peer_status;
    int peer_number = -1;
    ioctl(peer_master, TIOCGPTN, &peer_number);
    fstat(peer, &peer_status);
    check("it is the pair's slave (136, TIOCGPTN)", major(peer_status.st_rdev) == 136 && (int)minor(peer_status.st_rdev) == peer_number);
    write(peer_master, "via peer\n", 9);
    n = read_within(peer, line, sizeof line, 2000);
    say("the slave reads: \"%s\"", n < 0 ? errno_name((int)-n) : escaped(line, (int)n));
    say("close the slave and its master: %s %s", outcome(close(peer)), outcome(close(peer_master)));

    /* ---- packet mode (TIOCPKT): every read of the master starts with a status byte ---- */
    int packet_master;
    int packet_slave = open_pair(&packet_master, O_NOCTTY);
    int on = 1, mode = -1;
    char packet[64];
    say("TIOCPKT on: %s", outcome(ioctl(packet_master, TIOCPKT, &on)));
    result = outcome(ioctl(packet_master, TIOCGPKT, &mode));
    say("TIOCGPKT: %s, %d", result, mode);
    write(packet_slave, "hi", 2);
    usleep(100000);
    n = read(packet_master, packet, sizeof packet);
    say("master reads data: \"%s\"", n < 0 ? errno_name(errno) : escaped(packet, (int)n));
    write(packet_slave, "ab", 2);
    usleep(100000);
    n = read(packet_master, packet, 1);
    say("a read of one byte: \"%s\"", n < 0 ? errno_name(errno) : escaped(packet, (int)n));
    n = read(packet_master, packet, sizeof packet);
    say("the next: \"%s\"", n < 0 ? errno_name(errno) : escaped(packet, (int)n));
    say("tcflush slave TCIFLUSH: %s", outcome(tcflush(packet_slave, TCIFLUSH)));
    revents = polled(packet_master, POLLIN | POLLPRI);
    say("poll master: POLLIN %s POLLPRI %s", yes(revents & POLLIN), yes(revents & POLLPRI));
    n = read(packet_master, packet, sizeof packet);
    say("master reads the status: \"%s\"", n < 0 ? errno_name(errno) : escaped(packet, (int)n));
    write(packet_slave, "lost", 4);
    usleep(100000);
    say("tcflush slave TCOFLUSH: %s", outcome(tcflush(packet_slave, TCOFLUSH)));
    n = read(packet_master, packet, sizeof packet);
    say("master reads the status: \"%s\"", n < 0 ? errno_name(errno) : escaped(packet, (int)n));
    n = read_within(packet_master, packet, sizeof packet, 200);
    say("then what the slave wrote before (it had reached the master): \"%s\"", n < 0 ? errno_name((int)-n) : escaped(packet, (int)n));
    struct termios flow;
    tcgetattr(packet_slave, &flow);
    flow.c_iflag &= ~IXON;
    say("tcsetattr slave -IXON: %s", outcome(tcsetattr(packet_slave, TCSANOW, &flow)));
    n = read(packet_master, packet, sizeof packet);
    say("master reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(packet, (int)n));
    flow.c_iflag |= IXON;
    say("tcsetattr slave IXON: %s", outcome(tcsetattr(packet_slave, TCSANOW, &flow)));
    n = read(packet_master, packet, sizeof packet);
    say("master reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(packet, (int)n));
    flow.c_lflag &= ~ECHO;
    say("tcsetattr slave -ECHO (flow control as it was): %s", outcome(tcsetattr(packet_slave, TCSANOW, &flow)));
    say("no status: %s", yes(read_within(packet_master, packet, sizeof packet, 200) == 0));
    on = 0;
    say("TIOCPKT off: %s", outcome(ioctl(packet_master, TIOCPKT, &on)));
    write(packet_slave, "plain", 5);
    usleep(100000);
    n = read(packet_master, packet, sizeof packet);
    say("master reads: \"%s\"", n < 0 ? errno_name(errno) : escaped(packet, (int)n));
    say("close the pair: %s %s", outcome(close(packet_slave)), outcome(close(packet_master)));

    /* ---- closing the master ---- */
    slave = open_pair(&master, O_NOCTTY);
    say("a second pair: %s", outcome(slave));
    fcntl(master, F_SETFL, flags | O_NONBLOCK);
    say("master read before the slave wrote, O_NONBLOCK: %s", failure(read(master, echo, 1)));
    snprintf(slave_name, sizeof slave_name, "%s", ptsname(master));
    say("close master: %s", outcome(close(master)));
    revents = polled(slave, POLLIN | POLLOUT);
    say("poll slave: POLLIN %s POLLOUT %s POLLERR %s POLLHUP %s", yes(revents & POLLIN), yes(revents & POLLOUT), yes(revents & POLLERR),
        yes(revents & POLLHUP));
    say("slave read after hang-up: %s", value(read(slave, line, sizeof line)));
    say("slave write after hang-up: %s", failure(write(slave, "x", 1)));
    say("tcgetattr after hang-up: %s", failure(tcgetattr(slave, &t)));
    say("open the slave again: %s", failure(open(slave_name, O_RDWR | O_NOCTTY)));
    check("/dev/pts no longer lists it", !listed_in_pts(strrchr(slave_name, '/') + 1));
    say("close slave: %s", outcome(close(slave)));
    return 0;
}
