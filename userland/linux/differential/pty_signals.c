/* A pseudo-terminal as a session's controlling terminal: a child makes its own session (setsid) and the slave its
 * controlling terminal (TIOCSCTTY); the master's ^C, ^\ and ^Z then reach its process group (SIGINT, SIGQUIT,
 * SIGTSTP; the child reports each through a pipe), a window size change on the master sends SIGWINCH (none when the
 * size stays), /dev/tty is the slave in that session, TIOCGPGRP and TIOCGSID on the master name the child; a child
 * that does not catch SIGINT dies of it; and closing the master hangs the terminal up: SIGHUP to the session's
 * leader. */
#include "ptyhelp.h"
#include <signal.h>
#include <sys/wait.h>

static int report_pipe;

static void report(int signal)
{
    unsigned char number = (unsigned char)signal;
    write(report_pipe, &number, 1);
}

/* The child's side: a new session with the slave as its controlling terminal (stdin, stdout, stderr on it). */
static int become_session_leader(const char *slave_name, int by_ioctl)
{
    if (setsid() < 0)
        return -1;
    int slave = open(slave_name, O_RDWR | (by_ioctl ? O_NOCTTY : 0));
    if (slave < 0)
        return -1;
    if (by_ioctl && ioctl(slave, TIOCSCTTY, 0) < 0)
        return -1;
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    if (slave > 2)
        close(slave);
    return 0;
}

/* What the child reported within two seconds: a signal's name, "nothing", or the report's end. */
static const char *next_report(int fd)
{
    unsigned char number;
    int got = read_within(fd, (char *)&number, 1, 2000);
    if (got <= 0)
        return "nothing";
    switch (number) {
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGTSTP: return "SIGTSTP";
    case SIGWINCH: return "SIGWINCH";
    case SIGHUP: return "SIGHUP";
    case 'R': return "ready";
    case 'T': return "/dev/tty opens (a controlling terminal)";
    case 't': return "/dev/tty does not open";
    }
    return "something else";
}

static void drain(int fd)
{
    char buffer[256];
    while (read_within(fd, buffer, sizeof buffer, 100) > 0) { }
}

int main(void)
{
    int master;
    int slave = open_pair(&master, O_NOCTTY);
    say("pair: %s", outcome(slave));
    char slave_name[64];
    snprintf(slave_name, sizeof slave_name, "%s", ptsname(master));
    /* 'slave' stays open here: the master reads EIO whenever no slave is open */
    int reports[2];
    pipe(reports);

    /* ---- a child that catches the terminal's signals ---- */
    pid_t child = fork();
    if (child == 0) {
        close(reports[0]);
        close(master);
        close(slave);
        report_pipe = reports[1];
        struct sigaction action = { .sa_handler = report };
        sigaction(SIGINT, &action, NULL);
        sigaction(SIGQUIT, &action, NULL);
        sigaction(SIGTSTP, &action, NULL);
        sigaction(SIGWINCH, &action, NULL);
        if (become_session_leader(slave_name, 1) < 0)
            _exit(10);
        int fd = open("/dev/tty", O_RDWR);
        unsigned char same = fd >= 0 && isatty(fd) ? 'T' : 't';
        if (fd >= 0)
            close(fd);
        write(report_pipe, &same, 1);
        unsigned char ready = 'R';
        write(report_pipe, &ready, 1);
        for (;;)
            pause();
    }
    close(reports[1]);
    say("child reports: %s", next_report(reports[0]));
    say("child reports: %s", next_report(reports[0]));
    int group = -1, session = -1;
    const char *result = outcome(ioctl(master, TIOCGPGRP, &group));
    say("TIOCGPGRP master: %s, the child's group %s", result, yes(group == child));
    result = outcome(ioctl(master, TIOCGSID, &session));
    say("TIOCGSID master: %s, the child's session %s", result, yes(session == child));
    say("write ^C: %s", value(write(master, "\x03", 1)));
    say("child reports: %s", next_report(reports[0]));
    expect_from(master, "echo", 2);
    say("write ^\\: %s", value(write(master, "\x1c", 1)));
    say("child reports: %s", next_report(reports[0]));
    say("write ^Z: %s", value(write(master, "\x1a", 1)));
    say("child reports: %s", next_report(reports[0]));
    drain(master);
    struct winsize size = { .ws_row = 50, .ws_col = 132 };
    say("TIOCSWINSZ master 50x132: %s", outcome(ioctl(master, TIOCSWINSZ, &size)));
    say("child reports: %s", next_report(reports[0]));
    say("TIOCSWINSZ master 50x132 again: %s", outcome(ioctl(master, TIOCSWINSZ, &size)));
    say("write ^C: %s", value(write(master, "\x03", 1)));
    say("child reports (no SIGWINCH for the same size): %s", next_report(reports[0]));
    struct termios t;
    tcgetattr(master, &t);
    t.c_lflag &= ~ISIG;
    say("tcsetattr master -ISIG: %s", outcome(tcsetattr(master, TCSANOW, &t)));
    say("write ^C: %s", value(write(master, "\x03", 1)));
    say("child reports (ISIG off): %s", next_report(reports[0]));
    t.c_lflag |= ISIG;
    tcsetattr(master, TCSANOW, &t);
    drain(master);
    kill(child, SIGKILL);
    int status;
    waitpid(child, &status, 0);
    say("child killed: %s", yes(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
    close(reports[0]);

    /* ---- a child that does not catch SIGINT ---- */
    child = fork();
    if (child == 0) {
        close(master);
        close(slave);
        if (become_session_leader(slave_name, 0) < 0)   /* an open without O_NOCTTY makes it the controlling terminal */
            _exit(10);
        write(1, "up\n", 3);
        char buffer[16];
        read(0, buffer, sizeof buffer);   /* the ^C comes first */
        _exit(11);
    }
    expect_from(master, "child writes", 4);
    say("write ^C: %s", value(write(master, "\x03", 1)));
    waitpid(child, &status, 0);
    say("child ended by SIGINT: %s", yes(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT));
    drain(master);

    /* ---- hang-up: the master closes ---- */
    child = fork();
    if (child == 0) {
        close(master);
        close(slave);
        if (become_session_leader(slave_name, 1) < 0)
            _exit(10);
        write(1, "up\n", 3);
        char buffer[16];
        read(0, buffer, sizeof buffer);
        /* The hang-up wakes this read (end of file) before it signals the session's leader: wait for the SIGHUP rather
         * than exit first (on a loaded host Linux's own run lost that race); SIGALRM ends a wait that never gets it. */
        alarm(10);
        pause();
        _exit(11);
    }
    expect_from(master, "child writes", 4);
    say("close master: %s", outcome(close(master)));
    waitpid(child, &status, 0);
    say("child ended by SIGHUP: %s", yes(WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP));
    char buffer[16];
    say("the parent's slave reads end of file: %s", value(read(slave, buffer, sizeof buffer)));
    close(slave);
    return 0;
}
