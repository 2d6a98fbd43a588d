/* The terminal on standard input (on Exo-OS the console, /dev/console; the harness gives it a fresh pseudo-terminal on
 * Linux): isatty, the termios a new terminal starts with (tty_std_termios), TCGETS/TCSETS/TCSETSW/TCSETSF round
 * trips, non-canonical reads with VMIN=0 (no input: 0 at once), O_NONBLOCK canonical reads (EAGAIN), FIONREAD,
 * TCFLSH, TCSBRK (tcdrain), window size (TIOCGWINSZ/TIOCSWINSZ), and the errors: ENOTTY on files and unknown
 * requests, EBADF, EFAULT, EINVAL. Every setting is restored before anything is printed (on Exo-OS standard
 * output is the same terminal). */
#include "difftest.h"
#include <sys/ioctl.h>
#include <termios.h>

#define MAX_LINES 64
static char lines[MAX_LINES][160];
static int line_count;

/* Lines kept until the terminal is restored. */
static void note(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *format, ...)
{
    if (line_count >= MAX_LINES)
        return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(lines[line_count++], sizeof lines[0], format, arguments);
    va_end(arguments);
}

int main(void)
{
    if (!isatty(0)) {
        say("standard input is not a terminal: %s", errno_name(errno));
        return 1;
    }
    check("isatty(0)", 1);
    /* glibc's struct termios is not the kernel's (more control characters, speeds): tcgetattr and tcsetattr
     * (TCGETS and TCSETS underneath) convert; the raw ioctls are used only where nothing is read back. */
    struct termios original, t;
    memset(&original, 0, sizeof original);
    say("tcgetattr (TCGETS): %s", outcome(tcgetattr(0, &original)));
    say("c_lflag ICANON %s, ECHO %s, ECHOE %s, ECHOK %s, ISIG %s, IEXTEN %s, ECHOCTL %s, ECHOKE %s, ECHONL %s, NOFLSH %s, TOSTOP %s",
        yes(original.c_lflag & ICANON), yes(original.c_lflag & ECHO), yes(original.c_lflag & ECHOE), yes(original.c_lflag & ECHOK),
        yes(original.c_lflag & ISIG), yes(original.c_lflag & IEXTEN), yes(original.c_lflag & ECHOCTL), yes(original.c_lflag & ECHOKE),
        yes(original.c_lflag & ECHONL), yes(original.c_lflag & NOFLSH), yes(original.c_lflag & TOSTOP));
    say("c_iflag ICRNL %s, IXON %s, INLCR %s, IGNCR %s, ISTRIP %s, IXOFF %s", yes(original.c_iflag & ICRNL), yes(original.c_iflag & IXON),
        yes(original.c_iflag & INLCR), yes(original.c_iflag & IGNCR), yes(original.c_iflag & ISTRIP), yes(original.c_iflag & IXOFF));
    say("c_oflag OPOST %s, ONLCR %s, OCRNL %s", yes(original.c_oflag & OPOST), yes(original.c_oflag & ONLCR), yes(original.c_oflag & OCRNL));
    say("c_cflag CS8 %s, CREAD %s, PARENB %s, CSTOPB %s", yes((original.c_cflag & CSIZE) == CS8), yes(original.c_cflag & CREAD),
        yes(original.c_cflag & PARENB), yes(original.c_cflag & CSTOPB));
    say("c_cc VINTR %d VQUIT %d VERASE %d VKILL %d VEOF %d VTIME %d VMIN %d VSTART %d VSTOP %d VSUSP %d VEOL %d VREPRINT %d VWERASE %d VLNEXT %d",
        original.c_cc[VINTR], original.c_cc[VQUIT], original.c_cc[VERASE], original.c_cc[VKILL], original.c_cc[VEOF], original.c_cc[VTIME],
        original.c_cc[VMIN], original.c_cc[VSTART], original.c_cc[VSTOP], original.c_cc[VSUSP], original.c_cc[VEOL], original.c_cc[VREPRINT],
        original.c_cc[VWERASE], original.c_cc[VLNEXT]);

    /* non-canonical, no echo, VMIN=0 VTIME=0: a read returns at once */
    t = original;
    t.c_lflag &= ~(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    note("tcsetattr TCSANOW (TCSETS) raw mode: %s", outcome(tcsetattr(0, TCSANOW, &t)));
    struct termios back;
    memset(&back, 0, sizeof back);
    tcgetattr(0, &back);
    note("read back: ICANON %s, ECHO %s, VMIN %d, VTIME %d, ISIG kept %s", yes(back.c_lflag & ICANON), yes(back.c_lflag & ECHO),
         back.c_cc[VMIN], back.c_cc[VTIME], yes(back.c_lflag & ISIG));
    char c;
    note("read with VMIN=0, VTIME=0 and no input: %s", value(read(0, &c, 1)));
    int available = -1;
    int asked = ioctl(0, FIONREAD, &available);
    note("FIONREAD: %s, count %d", outcome(asked), available);
    note("tcsetattr TCSADRAIN (TCSETSW): %s", outcome(tcsetattr(0, TCSADRAIN, &t)));
    note("tcsetattr TCSAFLUSH (TCSETSF): %s", outcome(tcsetattr(0, TCSAFLUSH, &t)));
    note("tcsetattr bad action: %s", failure(tcsetattr(0, 7, &t)));
    note("TCSETS from a bad pointer: %s", failure(ioctl(0, TCSETS, BAD_KERNEL)));
    tcsetattr(0, TCSANOW, &original);
    memset(&back, 0, sizeof back);
    tcgetattr(0, &back);
    note("restored: %s", yes(back.c_lflag == original.c_lflag && back.c_iflag == original.c_iflag && back.c_oflag == original.c_oflag
         && back.c_cflag == original.c_cflag && memcmp(back.c_cc, original.c_cc, NCCS) == 0));

    /* canonical mode, non-blocking: no line yet */
    int flags = fcntl(0, F_GETFL);
    fcntl(0, F_SETFL, flags | O_NONBLOCK);
    note("O_NONBLOCK canonical read with no line: %s", failure(read(0, &c, 1)));
    fcntl(0, F_SETFL, flags);

    for (int i = 0; i < line_count; i++)
        say("%s", lines[i]);
    line_count = 0;

    say("TCGETS into a bad pointer: %s", failure(ioctl(0, TCGETS, BAD_KERNEL)));
    say("TCFLSH TCIFLUSH: %s", outcome(ioctl(0, TCFLSH, TCIFLUSH)));
    say("TCFLSH TCIOFLUSH: %s", outcome(ioctl(0, TCFLSH, TCIOFLUSH)));
    say("TCFLSH 7: %s", failure(ioctl(0, TCFLSH, 7)));
    say("tcdrain (TCSBRK 1): %s", outcome(tcdrain(0)));
    say("unknown terminal request 0x54ff: %s", failure(ioctl(0, 0x54ff, 0)));

    /* window size: values differ between terminals; a set one reads back */
    struct winsize size, saved, got;
    say("TIOCGWINSZ: %s", outcome(ioctl(0, TIOCGWINSZ, &saved)));
    size.ws_row = 30;
    size.ws_col = 100;
    size.ws_xpixel = 0;
    size.ws_ypixel = 0;
    say("TIOCSWINSZ 30x100: %s", outcome(ioctl(0, TIOCSWINSZ, &size)));
    ioctl(0, TIOCGWINSZ, &got);
    say("read back: %dx%d", got.ws_row, got.ws_col);
    say("TIOCGWINSZ into a bad pointer: %s", failure(ioctl(0, TIOCGWINSZ, BAD_KERNEL)));
    say("TIOCSWINSZ from a bad pointer: %s", failure(ioctl(0, TIOCSWINSZ, BAD_KERNEL)));
    ioctl(0, TIOCSWINSZ, &saved);
    ioctl(0, TIOCGWINSZ, &got);
    check("window size restored", got.ws_row == saved.ws_row && got.ws_col == saved.ws_col);

    /* not terminals */
    int null = open("/dev/null", O_RDWR);
    say("TCGETS on /dev/null: %s", failure(ioctl(null, TCGETS, &t)));
    say("TIOCGWINSZ on /dev/null: %s", failure(ioctl(null, TIOCGWINSZ, &size)));
    say("isatty(/dev/null): %s, errno %s", yes(isatty(null)), errno_name(errno));
    close(null);
    say("TCGETS on a closed descriptor: %s", failure(ioctl(50, TCGETS, &t)));
    say("isatty(closed): %s, errno %s", yes(isatty(50)), errno_name(errno));
    int copy = dup(0);
    say("a dup of the terminal is a terminal: %s", yes(isatty(copy)));
    close(copy);
    return 0;
}
