/* What the pseudo-terminal programs share (pty.c, pty_signals.c, pty_shell.c): opening a pair, reading what the master
 * sees within a deadline (Linux moves bytes between the two sides from a work queue: they may come a moment later),
 * and printing bytes with their control characters escaped. */
#ifndef PTYHELP_H
#define PTYHELP_H

#include "difftest.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

/* posix_openpt, grantpt, unlockpt, then the slave opened with 'slave_flags'; the slave's descriptor or -1. */
static int open_pair(int *master, int slave_flags)
{
    *master = posix_openpt(O_RDWR | O_NOCTTY);
    if (*master < 0 || grantpt(*master) != 0 || unlockpt(*master) != 0)
        return -1;
    return open(ptsname(*master), O_RDWR | slave_flags);
}

/* Reads from 'fd' until 'want' bytes came or 'milliseconds' passed with nothing new; the count (0 at the end, -errno
 * for an error before any byte). */
static int read_within(int fd, char *buffer, int want, int milliseconds)
{
    int got = 0;
    while (got < want) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int ready = poll(&p, 1, milliseconds);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            break;
        ssize_t n = read(fd, buffer + got, (size_t)(want - got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (got == 0 && n < 0)
                return -errno;
            break;
        }
        got += (int)n;
    }
    return got;
}

/* 'length' bytes as text: \r, \n, \b, ^X for the other control characters, \e. */
static const char *escaped(const char *bytes, int length)
{
    static char text[4][512];
    static int next;
    char *out = text[next++ % 4];
    int o = 0;
    for (int i = 0; i < length && o < 500; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == '\r') { out[o++] = '\\'; out[o++] = 'r'; }
        else if (c == '\n') { out[o++] = '\\'; out[o++] = 'n'; }
        else if (c == '\b') { out[o++] = '\\'; out[o++] = 'b'; }
        else if (c == 0x1b) { out[o++] = '\\'; out[o++] = 'e'; }
        else if (c < 0x20 || c == 0x7f) { out[o++] = '^'; out[o++] = c == 0x7f ? '?' : (char)(c + 0x40); }
        else out[o++] = (char)c;
    }
    out[o] = '\0';
    return out;
}

/* Reads what the master has for a moment and prints it escaped after 'label'. */
static void expect_from(int fd, const char *label, int want)
{
    char buffer[512];
    int got = read_within(fd, buffer, want < (int)sizeof buffer ? want : (int)sizeof buffer, 2000);
    say("%s: \"%s\"", label, got < 0 ? errno_name(-got) : escaped(buffer, got));
}

#endif
