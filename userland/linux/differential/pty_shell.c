/* busybox's interactive shell on a pseudo-terminal, as a terminal emulator runs one: a child makes its own session
 * with the slave as controlling terminal and standard input, output and error, and runs `busybox sh -i`; the master
 * waits for the prompt, types "echo hi", reads the shell's answer, types "exit" and the shell ends with status 0. */
#include "ptyhelp.h"
#include <sys/wait.h>

static const char *busybox(void)
{
    static const char *places[] = { "/bin/busybox", "/usr/bin/busybox" };
    for (unsigned i = 0; i < sizeof places / sizeof places[0]; i++)
        if (access(places[i], X_OK) == 0)
            return places[i];
    return NULL;
}

/* Reads from the master into 'text' (with what is there already) until 'wanted' appears or 5 s pass with nothing new. */
static int read_until(int master, char *text, int *length, int capacity, const char *wanted)
{
    while (strstr(text, wanted) == NULL) {
        struct pollfd p = { .fd = master, .events = POLLIN };
        if (poll(&p, 1, 5000) <= 0 || *length >= capacity - 1)
            return 0;
        ssize_t got = read(master, text + *length, (size_t)(capacity - 1 - *length));
        if (got <= 0)
            return 0;
        *length += got;
        text[*length] = '\0';
    }
    return 1;
}

int main(void)
{
    const char *program = busybox();
    if (program == NULL) {
        say("no busybox here: nothing to run (the test then skips the program on Exo-OS)");
        return 0;
    }
    int master;
    int slave = open_pair(&master, O_NOCTTY);
    say("pair: %s", outcome(slave));
    char slave_name[64];
    snprintf(slave_name, sizeof slave_name, "%s", ptsname(master));
    struct winsize size = { .ws_row = 24, .ws_col = 80 };
    ioctl(master, TIOCSWINSZ, &size);
    pid_t child = fork();
    if (child == 0) {
        close(master);
        setsid();
        int fd = open(slave_name, O_RDWR);   /* before the inherited slave closes: one is always open */
        if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
            _exit(20);
        close(slave);
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
        char *arguments[] = { "sh", "-i", NULL };
        char *environment[] = { "PS1=ready> ", "HOME=/", "TERM=dumb", "PATH=/bin:/usr/bin", NULL };
        execve(program, arguments, environment);
        _exit(21);
    }
    static char text[16384];
    int length = 0;
    text[0] = '\0';
    check("the shell's prompt comes", read_until(master, text, &length, sizeof text, "ready> "));
    close(slave);   /* the shell has it now; the master reads EIO once the shell is gone */
    say("type \"echo hi\": %s", value(write(master, "echo hi\r", 8)));
    int answered = read_until(master, text, &length, sizeof text, "\nhi\r\n");
    check("the shell answers hi on a line of its own", answered);
    if (!answered)
        say("the master read: \"%s\"", escaped(text, length));
    char *after = strstr(text, "\nhi\r\n");
    check("then the prompt again", after != NULL && read_until(master, text, &length, sizeof text, "\nhi\r\nready> "));
    say("type \"exit\": %s", value(write(master, "exit\r", 5)));
    int status = -1;
    waitpid(child, &status, 0);
    say("the shell exits with status 0: %s", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
    char rest[256];
    int got;
    while ((got = read_within(master, rest, sizeof rest, 200)) > 0) { }
    say("then the master reads: %s", got < 0 ? errno_name(-got) : "end");
    close(master);
    return 0;
}
