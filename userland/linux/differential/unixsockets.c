/* AF_UNIX sockets: socket and socketpair (stream, datagram, sequenced packet; SOCK_NONBLOCK, SOCK_CLOEXEC) and their
 * errors (EAFNOSUPPORT for AF_INET, EINVAL, EPROTONOSUPPORT, ESOCKTNOSUPPORT, ENOTSOCK), a child talking across a
 * socketpair, bind to a path (a socket file, EADDRINUSE) and to an abstract name, listen, connect (ENOENT,
 * ECONNREFUSED, EPROTOTYPE), accept and accept4, getsockname and getpeername, send/recv/sendto/recvfrom/sendmsg/
 * recvmsg/read/write, MSG_PEEK, MSG_DONTWAIT, MSG_TRUNC, message boundaries, shutdown, getsockopt (SO_TYPE,
 * SO_ERROR, SO_PEERCRED, SO_ACCEPTCONN), setsockopt (SO_RCVBUF, SO_PASSCRED with SCM_CREDENTIALS), SCM_RIGHTS (a
 * pipe's end passed to a child and used, MSG_CTRUNC for a short buffer, MSG_CMSG_CLOEXEC), EPIPE with SIGPIPE
 * (MSG_NOSIGNAL without), and poll and epoll readiness; then wake-ups: threads polling different pipes and socket
 * pairs each woken by a write to its own in turn, pollers woken by room and by the last writer's close, select woken
 * by a write, blocked readers of a threaded process woken by small writes, and thousands of small stream sends from
 * two threads and a child process read back whole and in order (the pollwakes program until it joined this one: the
 * boot image holds each static program, some 780 KB). */
#include "difftest.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

static const char *poll_events(int fd)
{
    struct pollfd entry = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
    if (poll(&entry, 1, 0) < 0)
        return errno_name(errno);
    char *text = scratch_string();
    text[0] = '\0';
    if (entry.revents & POLLIN) strcat(text, "IN ");
    if (entry.revents & POLLOUT) strcat(text, "OUT ");
    if (entry.revents & POLLRDHUP) strcat(text, "RDHUP ");
    if (entry.revents & POLLHUP) strcat(text, "HUP ");
    if (entry.revents & POLLERR) strcat(text, "ERR ");
    if (text[0] == '\0')
        return "none";
    text[strlen(text) - 1] = '\0';
    return text;
}

static const char *received(ssize_t got, const char *buffer)
{
    if (got < 0)
        return errno_name(errno);
    char *text = scratch_string();
    snprintf(text, 64, "%zd \"%.*s\"", got, (int)(got < 40 ? got : 40), buffer);
    return text;
}

static socklen_t path_address(struct sockaddr_un *address, const char *path)
{
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    strcpy(address->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t abstract_address(struct sockaddr_un *address, const char *name)
{
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    memcpy(address->sun_path + 1, name, strlen(name));
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/* Sends 'text' with one descriptor in SCM_RIGHTS. */
static ssize_t send_with_descriptor(int socket_fd, const char *text, int passed)
{
    struct iovec vector = { (void *)text, strlen(text) };
    union { char buffer[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control.buffer, .msg_controllen = sizeof control.buffer };
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &passed, sizeof(int));
    return sendmsg(socket_fd, &message, 0);
}

static volatile sig_atomic_t pipe_signals;
static void on_pipe(int number) { (void)number; pipe_signals++; }

enum { Pollers = 6 };

struct poller {
    int fd;
    short events;
    int ready;
    short revents;
    char byte;
};

static void *poll_one(void *argument)
{
    struct poller *poller = argument;
    struct pollfd entry = { poller->fd, poller->events, 0 };
    poller->ready = poll(&entry, 1, 20000);
    poller->revents = entry.revents;
    if (poller->ready > 0 && (entry.revents & POLLIN) && read(poller->fd, &poller->byte, 1) != 1)
        poller->byte = '?';
    return NULL;
}

static const char *events_text(short revents)
{
    char *text = scratch_string();
    snprintf(text, 64, "%s%s%s%s", (revents & POLLIN) ? " IN" : "", (revents & POLLOUT) ? " OUT" : "",
             (revents & POLLHUP) ? " HUP" : "", (revents & POLLERR) ? " ERR" : "");
    return text[0] ? text + 1 : "none";
}

/* Six threads each sleep in poll on one descriptor (three pipes, three socket pairs); the main thread writes to each in
 * turn, from the last to the first, and joins the thread it woke before it writes to the next. */
static void pollers_on_their_own_descriptors(void)
{
    int read_ends[Pollers], write_ends[Pollers];
    for (int i = 0; i < Pollers; i++) {
        int pair[2];
        if (i % 2 == 0 ? pipe(pair) : socketpair(AF_UNIX, SOCK_STREAM, 0, pair)) {
            say("descriptors: %s", errno_name(errno));
            return;
        }
        read_ends[i] = pair[0];
        write_ends[i] = pair[1];
    }
    struct poller pollers[Pollers];
    pthread_t threads[Pollers];
    for (int i = 0; i < Pollers; i++) {
        pollers[i] = (struct poller){ read_ends[i], POLLIN, -2, 0, 0 };
        pthread_create(&threads[i], NULL, poll_one, &pollers[i]);
    }
    usleep(50000);   /* every poller asleep (a poller not asleep yet finds the byte at once: the same output) */
    for (int i = Pollers - 1; i >= 0; i--) {
        char byte = (char)('a' + i);
        if (write(write_ends[i], &byte, 1) != 1)
            say("write %d: %s", i, errno_name(errno));
        pthread_join(threads[i], NULL);
        say("poller %d (%s): poll %d, %s, read '%c'", i, i % 2 == 0 ? "pipe" : "socket", pollers[i].ready,
            events_text(pollers[i].revents), pollers[i].byte);
    }
    for (int i = 0; i < Pollers; i++) {
        close(read_ends[i]);
        close(write_ends[i]);
    }
}

/* A poller waits for room at a full write end; the main thread drains the other end. */
static void poller_woken_by_room(const char *what, int reader, int writer)
{
    fcntl(writer, F_SETFL, O_NONBLOCK);
    char block[4096];
    memset(block, 'r', sizeof block);
    long filled = 0;
    ssize_t put;
    while ((put = write(writer, block, sizeof block)) > 0)
        filled += put;
    say("%s filled until %s", what, errno_name(errno));
    struct poller poller = { writer, POLLOUT, -2, 0, 0 };
    pthread_t thread;
    pthread_create(&thread, NULL, poll_one, &poller);
    usleep(50000);
    long drained = 0;
    fcntl(reader, F_SETFL, O_NONBLOCK);
    ssize_t got;
    while ((got = read(reader, block, sizeof block)) > 0)
        drained += got;
    pthread_join(thread, NULL);
    say("%s: poll for room %d, %s", what, poller.ready, events_text(poller.revents));
    check("every byte written was read", drained == filled);
}

/* A poller on a pipe's read end is woken by the last writer's close. */
static void poller_woken_by_hang_up(void)
{
    int pair[2];
    pipe(pair);
    struct poller poller = { pair[0], POLLIN, -2, 0, 0 };
    pthread_t thread;
    pthread_create(&thread, NULL, poll_one, &poller);
    usleep(50000);
    close(pair[1]);
    pthread_join(thread, NULL);
    say("pipe's last writer closed: poll %d, %s", poller.ready, events_text(poller.revents & ~POLLIN));
    close(pair[0]);
}

static int select_descriptor;
static int select_result;
static void *select_one(void *argument)
{
    (void)argument;
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(select_descriptor, &readable);
    struct timeval timeout = { 20, 0 };
    select_result = select(select_descriptor + 1, &readable, NULL, NULL, &timeout);
    if (select_result > 0 && !FD_ISSET(select_descriptor, &readable))
        select_result = -100;
    return NULL;
}

static void select_woken_by_a_write(void)
{
    int pair[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
    select_descriptor = pair[0];
    pthread_t thread;
    pthread_create(&thread, NULL, select_one, NULL);
    usleep(50000);
    write(pair[1], "s", 1);
    pthread_join(thread, NULL);
    say("select on a socket woken by a write: %d", select_result);
    close(pair[0]);
    close(pair[1]);
}

struct reader {
    int fd;
    long wanted;
    long got;
    unsigned long sum;
};

static void *read_all(void *argument)
{
    struct reader *reader = argument;
    char buffer[300];
    while (reader->got < reader->wanted) {
        ssize_t got = read(reader->fd, buffer, sizeof buffer);
        if (got <= 0)
            break;
        for (ssize_t i = 0; i < got; i++)
            reader->sum = reader->sum * 31 + (unsigned char)buffer[i] + (unsigned long)(reader->got + i);
        reader->got += got;
    }
    return NULL;
}

static unsigned long expected_sum(long count, int length)
{
    unsigned long sum = 0;
    long at = 0;
    for (long message = 0; message < count; message++)
        for (int i = 0; i < length; i++, at++)
            sum = sum * 31 + (unsigned char)('A' + (message + i) % 26) + (unsigned long)at;
    return sum;
}

static void write_messages(int fd, long count, int length)
{
    char message[256];
    for (long m = 0; m < count; m++) {
        for (int i = 0; i < length; i++)
            message[i] = (char)('A' + (m + i) % 26);
        for (int done = 0; done < length;) {
            ssize_t put = write(fd, message + done, (size_t)(length - done));
            if (put <= 0) {
                say("write: %s", errno_name(errno));
                return;
            }
            done += (int)put;
        }
    }
}

/* A reader thread blocks in read while the main thread sends small messages (a threaded process: the pipe fast path
 * with a reference, and the socket's small sends). */
static void blocked_reader_woken(const char *what, int reader_fd, int writer_fd, long count, int length)
{
    struct reader reader = { reader_fd, count * length, 0, 0 };
    pthread_t thread;
    pthread_create(&thread, NULL, read_all, &reader);
    usleep(20000);
    write_messages(writer_fd, count, length);
    pthread_join(thread, NULL);
    say("%s: %ld messages of %d bytes, %ld bytes read", what, count, length, reader.got);
    check("the bytes came in order", reader.sum == expected_sum(count, length));
}

struct sender {
    int fd;
    char letter;
    int count;
};

static void *send_letters(void *argument)
{
    struct sender *sender = argument;
    char message[40];
    for (int m = 0; m < sender->count; m++) {
        int length = 1 + m % 37;
        memset(message, sender->letter, (size_t)length);
        message[length - 1] = (char)(sender->letter + 1);   /* each message's end marked */
        if (write(sender->fd, message, (size_t)length) != length)
            say("send: %s", errno_name(errno));
    }
    return NULL;
}

/* Two threads and a child process send small messages of varying sizes to one stream socket at once; the reader gets
 * every byte, and each sender's bytes in the order it sent them (a stream may interleave whole sends, never split one). */
static void small_sends_from_three_senders(void)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair)) {
        say("socketpair: %s", errno_name(errno));
        return;
    }
    enum { Count = 3000 };
    long total = 0;
    for (int m = 0; m < Count; m++)
        total += 1 + m % 37;
    pid_t child = fork();
    if (child == 0) {
        struct sender sender = { pair[1], 'x', Count };
        send_letters(&sender);
        _exit(0);
    }
    struct sender senders[2] = { { pair[1], 'a', Count }, { pair[1], 'm', Count } };
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, send_letters, &senders[i]);
    char *all = malloc((size_t)(3 * total));
    long got = 0;
    while (got < 3 * total) {
        ssize_t part = read(pair[0], all + got, (size_t)(3 * total - got) < 5000 ? (size_t)(3 * total - got) : 5000);
        if (part <= 0)
            break;
        got += part;
    }
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    int status;
    waitpid(child, &status, 0);
    say("three senders of %d small messages: %ld of %ld bytes read", Count, got, 3 * total);
    const char letters[3] = { 'a', 'm', 'x' };
    for (int s = 0; s < 3; s++) {
        /* Walk the sender's bytes in order: each message is (length - 1) letters then letter + 1. */
        int message = 0, at = 0, in_order = 1;
        for (long i = 0; i < got && in_order; i++) {
            char c = all[i];
            if (c != letters[s] && c != letters[s] + 1)
                continue;
            int length = 1 + message % 37;
            char expected = at == length - 1 ? (char)(letters[s] + 1) : letters[s];
            if (c != expected)
                in_order = 0;
            if (++at == length) {
                at = 0;
                message++;
            }
        }
        say("sender '%c': %d messages whole and in order: %s", letters[s], message, yes(in_order && message == Count));
    }
    free(all);
    close(pair[0]);
    close(pair[1]);
}

/* The wake-ups: poll and select sleepers woken by their own objects' changes, whichever thread or process makes
 * them, and small stream sends kept whole and in order (Readiness keys, UnixSocket.TrySendSmall). */
static void wake_ups(void)
{
    pollers_on_their_own_descriptors();
    int pair[2];
    pipe(pair);
    poller_woken_by_room("pipe", pair[0], pair[1]);
    close(pair[0]);
    close(pair[1]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
    poller_woken_by_room("stream socket", pair[0], pair[1]);
    close(pair[0]);
    close(pair[1]);
    poller_woken_by_hang_up();
    select_woken_by_a_write();
    pipe(pair);
    blocked_reader_woken("pipe", pair[0], pair[1], 2000, 100);
    close(pair[0]);
    close(pair[1]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
    blocked_reader_woken("stream socket", pair[0], pair[1], 2000, 100);
    blocked_reader_woken("stream socket, 1-byte sends", pair[0], pair[1], 3000, 1);
    blocked_reader_woken("stream socket, 256-byte sends", pair[0], pair[1], 500, 256);
    close(pair[0]);
    close(pair[1]);
    small_sends_from_three_senders();
}

int main(void)
{
    scratch_enter("unixsockets");
    struct sigaction action = { 0 };
    action.sa_handler = on_pipe;
    sigaction(SIGPIPE, &action, NULL);

    /* Making sockets. */
    say("socket(family 200): %s", failure(socket(200, SOCK_STREAM, 0)));
    say("socket(AF_UNIX, type 0): %s", failure(socket(AF_UNIX, 0, 0)));
    say("socket(AF_UNIX, type 11): %s", failure(socket(AF_UNIX, 11, 0)));
    say("socket(AF_UNIX, SOCK_RDM): %s", failure(socket(AF_UNIX, SOCK_RDM, 0)));
    say("socket(AF_UNIX, a bad flag): %s", failure(socket(AF_UNIX, SOCK_STREAM | 0x100, 0)));
    say("socket(AF_UNIX, protocol 7): %s", failure(socket(AF_UNIX, SOCK_STREAM, 7)));
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    say("socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC): %s", outcome(s));
    check("close-on-exec", (fcntl(s, F_GETFD) & FD_CLOEXEC) != 0);
    check("non-blocking", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    struct stat status;
    fstat(s, &status);
    check("fstat: a socket", S_ISSOCK(status.st_mode));
    char link[64], expected[64], path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", s);
    ssize_t link_length = readlink(path, link, sizeof link - 1);
    link[link_length > 0 ? link_length : 0] = '\0';
    snprintf(expected, sizeof expected, "socket:[%lu]", (unsigned long)status.st_ino);
    check("/proc/self/fd: socket:[its inode]", strcmp(link, expected) == 0);
    int type = 0;
    socklen_t length = sizeof type;
    int result = getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &length);
    say("getsockopt(SO_TYPE): %s, %d", outcome(result), type);
    struct sockaddr_un name;
    length = sizeof name;
    result = getsockname(s, (struct sockaddr *)&name, &length);
    say("getsockname, unbound: %s, length %d", outcome(result), (int)length);
    length = sizeof name;
    say("getpeername, unconnected: %s", failure(getpeername(s, (struct sockaddr *)&name, &length)));
    say("listen, unbound: %s", failure(listen(s, 5)));
    say("accept, not listening: %s", failure(accept(s, NULL, NULL)));
    char buffer[256];
    say("recv, unconnected: %s", failure(recv(s, buffer, sizeof buffer, 0)));
    say("send, unconnected: %s", failure(send(s, "x", 1, 0)));
    close(s);
    say("getsockopt on a pipe: %s", failure(getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &length)));
    int p[2];
    pipe(p);
    say("send on a pipe: %s", failure(send(p[1], "x", 1, 0)));
    say("bind on a closed descriptor: %s", failure(bind(99, (struct sockaddr *)&name, sizeof name)));

    /* A stream pair, both ends in this process. */
    int sv[2];
    say("socketpair(AF_INET): %s", failure(socketpair(AF_INET, SOCK_STREAM, 0, sv)));
    say("socketpair(AF_UNIX, SOCK_STREAM): %s", outcome(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)));
    say("poll, fresh pair: %s", poll_events(sv[0]));
    say("write: %s", value(write(sv[0], "hello", 5)));
    say("poll, bytes waiting: %s", poll_events(sv[1]));
    say("recv with MSG_PEEK: %s", received(recv(sv[1], buffer, sizeof buffer, MSG_PEEK), buffer));
    say("send: %s", value(send(sv[0], " world", 6, 0)));
    int waiting = -1;
    result = ioctl(sv[1], FIONREAD, &waiting);
    say("FIONREAD: %s, %d", outcome(result), waiting);
    result = ioctl(sv[0], SIOCOUTQ, &waiting);
    check("SIOCOUTQ on the sender: some bytes still unread (Linux counts buffer sizes)", result == 0 && waiting > 0);
    say("read: %s", received(read(sv[1], buffer, sizeof buffer), buffer));
    say("recv with MSG_DONTWAIT, empty: %s", failure(recv(sv[1], buffer, sizeof buffer, MSG_DONTWAIT)));
    int on_off = 1;
    say("ioctl(FIONBIO, 1): %s", outcome(ioctl(sv[1], FIONBIO, &on_off)));
    check("O_NONBLOCK now", (fcntl(sv[1], F_GETFL) & O_NONBLOCK) != 0);
    say("read, empty: %s", failure(read(sv[1], buffer, sizeof buffer)));
    on_off = 0;
    ioctl(sv[1], FIONBIO, &on_off);
    check("O_NONBLOCK cleared", (fcntl(sv[1], F_GETFL) & O_NONBLOCK) == 0);
    say("ioctl(FIOCLEX): %s", outcome(ioctl(sv[1], FIOCLEX)));
    check("close-on-exec now", (fcntl(sv[1], F_GETFD) & FD_CLOEXEC) != 0);
    ioctl(sv[1], FIONCLEX);
    check("close-on-exec cleared", (fcntl(sv[1], F_GETFD) & FD_CLOEXEC) == 0);
    struct ucred credentials;
    length = sizeof credentials;
    say("SO_PEERCRED: %s", outcome(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &credentials, &length)));
    check("this process and its ids", credentials.pid == getpid() && credentials.uid == getuid() && credentials.gid == getgid() && length == sizeof credentials);
    int error_value = -1;
    length = sizeof error_value;
    result = getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &error_value, &length);
    say("SO_ERROR: %s, %d", outcome(result), error_value);
    int size = 65536;
    say("setsockopt(SO_RCVBUF): %s", outcome(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof size)));
    say("setsockopt(SO_SNDBUF): %s", outcome(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size)));
    length = sizeof size;
    getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, &length);
    say("SO_RCVBUF reads back doubled: %d", size);
    say("setsockopt, an unknown option: %s", failure(setsockopt(sv[0], SOL_SOCKET, 999, &size, sizeof size)));
    say("setsockopt, too short: %s", failure(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, 2)));
    say("getsockopt, bad length pointer: %s", failure(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &size, BAD_NULL)));
    length = sizeof name;
    result = getpeername(sv[0], (struct sockaddr *)&name, &length);
    say("getpeername of a pair: %s, length %d", outcome(result), (int)length);

    /* Shutting down the write side: the other end reads the end, then its poll says RDHUP. */
    say("shutdown(SHUT_WR): %s", outcome(shutdown(sv[0], SHUT_WR)));
    say("shutdown, a bad how: %s", failure(shutdown(sv[0], 7)));
    say("read after the peer's SHUT_WR: %s", value(read(sv[1], buffer, sizeof buffer)));
    say("poll there: %s", poll_events(sv[1]));
    pipe_signals = 0;
    say("send after SHUT_WR: %s", failure(send(sv[0], "x", 1, 0)));
    say("SIGPIPE: %d", (int)pipe_signals);
    say("the other way still works: %s", value(write(sv[1], "back", 4)));
    say("read: %s", received(read(sv[0], buffer, sizeof buffer), buffer));
    close(sv[1]);
    say("poll after the peer closed: %s", poll_events(sv[0]));
    say("read after the peer closed: %s", value(read(sv[0], buffer, sizeof buffer)));
    close(sv[0]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    close(sv[1]);
    pipe_signals = 0;
    say("write to a closed peer: %s", failure(write(sv[0], "x", 1)));
    say("SIGPIPE: %d", (int)pipe_signals);
    say("send with MSG_NOSIGNAL: %s", failure(send(sv[0], "x", 1, MSG_NOSIGNAL)));
    say("SIGPIPE: %d", (int)pipe_signals);
    close(sv[0]);

    /* SO_RCVTIMEO and SO_SNDTIMEO: a blocking receive or send gives up with EAGAIN. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct timeval tenth = { 0, 100000 }, read_back = { 9, 9 };
    say("setsockopt(SO_RCVTIMEO, 100 ms): %s", outcome(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tenth, sizeof tenth)));
    length = sizeof read_back;
    result = getsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &read_back, &length);
    say("getsockopt(SO_RCVTIMEO): %s, %ld s %ld us", outcome(result), (long)read_back.tv_sec, (long)read_back.tv_usec);
    say("setsockopt(SO_RCVTIMEO), bad microseconds: %s", failure(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ 0, 1000000 }, sizeof tenth)));
    say("setsockopt(SO_RCVTIMEO), too short: %s", failure(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tenth, 8)));
    struct timespec started, ended;
    clock_gettime(CLOCK_MONOTONIC, &started);
    say("recv, nothing sent: %s", failure(recv(sv[1], buffer, sizeof buffer, 0)));
    clock_gettime(CLOCK_MONOTONIC, &ended);
    long waited_ms = (ended.tv_sec - started.tv_sec) * 1000 + (ended.tv_nsec - started.tv_nsec) / 1000000;
    check("it waited about 100 ms", waited_ms >= 90 && waited_ms < 5000);
    write(sv[0], "late", 4);
    say("recv with bytes there: %s", received(recv(sv[1], buffer, sizeof buffer, 0), buffer));
    say("setsockopt(SO_SNDTIMEO, 100 ms): %s", outcome(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tenth, sizeof tenth)));
    static char fill[65536];
    ssize_t put;
    long sent_total = 0;
    while ((put = send(sv[0], fill, sizeof fill, 0)) == (ssize_t)sizeof fill && sent_total < 64L * 1024 * 1024)
        sent_total += put;
    say("sending until the timeout: the last send %s", put < 0 ? errno_name(errno) : "was short");
    close(sv[0]);
    close(sv[1]);

    /* A full non-blocking stream: EAGAIN, then writable again once read. */
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    static char block[65536];
    long total = 0;
    ssize_t wrote;
    while ((wrote = write(sv[0], block, sizeof block)) > 0 && total < 64L * 1024 * 1024)
        total += wrote;
    say("filling a non-blocking stream ends with: %s", errno_name(errno));
    check("some bytes went in", total > 0);
    say("poll when full: %s", poll_events(sv[0]));
    long drained = 0;
    ssize_t chunk;
    while ((chunk = read(sv[1], block, sizeof block)) > 0)
        drained += chunk;
    check("every byte read back", drained == total);
    say("poll after draining: %s", poll_events(sv[0]));
    close(sv[0]);
    close(sv[1]);

    /* A child on the other end of a pair. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t child = fork();
    if (child == 0) {
        close(sv[0]);
        char line[64];
        ssize_t n = read(sv[1], line, sizeof line);
        for (ssize_t i = 0; i < n; i++)
            if (line[i] >= 'a' && line[i] <= 'z')
                line[i] -= 32;
        write(sv[1], line, n);
        _exit(0);
    }
    close(sv[1]);
    write(sv[0], "ping from the parent", 20);
    say("the child's answer: %s", received(read(sv[0], buffer, sizeof buffer), buffer));
    waitpid(child, NULL, 0);
    say("read after the child exited: %s", value(read(sv[0], buffer, sizeof buffer)));
    close(sv[0]);

    /* Many round trips with a child, both sides in blocking reads (a lost wake-up would hang here). */
    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
    child = fork();
    if (child == 0) {
        close(sv[0]);
        char packet[16];
        for (int i = 0; i < 1000; i++) {
            ssize_t k = recv(sv[1], packet, sizeof packet, 0);
            if (k <= 0 || send(sv[1], packet, k, 0) != k)
                _exit(1);
        }
        _exit(0);
    }
    close(sv[1]);
    int round_trips = 0;
    for (int i = 0; i < 1000; i++) {
        char packet[16], back[16];
        int k = snprintf(packet, sizeof packet, "%d", i);
        if (send(sv[0], packet, k, 0) != k || recv(sv[0], back, sizeof back, 0) != k || memcmp(packet, back, k) != 0)
            break;
        round_trips++;
    }
    int child_status = 0;
    waitpid(child, &child_status, 0);
    say("packet round trips with a child: %d, the child %s", round_trips, WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0 ? "done" : "failed");
    close(sv[0]);

    /* Datagrams and packets keep their boundaries. */
    say("socketpair(SOCK_DGRAM): %s", outcome(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)));
    send(sv[0], "one", 3, 0);
    send(sv[0], "two!", 4, 0);
    send(sv[0], "", 0, 0);
    int next_size = -1;
    result = ioctl(sv[1], FIONREAD, &next_size);
    say("FIONREAD on a datagram socket (the next datagram): %s, %d", outcome(result), next_size);
    say("recv: %s", received(recv(sv[1], buffer, sizeof buffer, 0), buffer));
    say("recv into 2 bytes: %s", received(recv(sv[1], buffer, 2, 0), buffer));
    say("recv, the empty datagram: %s", value(recv(sv[1], buffer, sizeof buffer, 0)));
    send(sv[0], "truncated", 9, 0);
    say("recv with MSG_TRUNC into 3 bytes: %s", value(recv(sv[1], buffer, 3, MSG_TRUNC)));
    send(sv[0], "flagged", 7, 0);
    struct iovec vector = { buffer, 4 };
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1 };
    say("recvmsg into 4 bytes: %s", value(recvmsg(sv[1], &message, 0)));
    check("MSG_TRUNC in msg_flags", (message.msg_flags & MSG_TRUNC) != 0);
    /* sendmmsg and recvmmsg: several datagrams in one call. */
    char texts[3][8] = { "alpha", "be", "gamma!" };
    struct iovec out_vectors[3];
    struct mmsghdr outgoing[3];
    memset(outgoing, 0, sizeof outgoing);
    for (int i = 0; i < 3; i++) {
        out_vectors[i].iov_base = texts[i];
        out_vectors[i].iov_len = strlen(texts[i]);
        outgoing[i].msg_hdr.msg_iov = &out_vectors[i];
        outgoing[i].msg_hdr.msg_iovlen = 1;
    }
    say("sendmmsg of 3: %s", value(sendmmsg(sv[0], outgoing, 3, 0)));
    check("msg_len of each", outgoing[0].msg_len == 5 && outgoing[1].msg_len == 2 && outgoing[2].msg_len == 6);
    char landing[5][16];
    struct iovec in_vectors[5];
    struct mmsghdr incoming[5];
    memset(incoming, 0, sizeof incoming);
    for (int i = 0; i < 5; i++) {
        in_vectors[i].iov_base = landing[i];
        in_vectors[i].iov_len = sizeof landing[i];
        incoming[i].msg_hdr.msg_iov = &in_vectors[i];
        incoming[i].msg_hdr.msg_iovlen = 1;
    }
    say("recvmmsg of up to 5, MSG_DONTWAIT: %s", value(recvmmsg(sv[1], incoming, 5, MSG_DONTWAIT, NULL)));
    say("lengths: %u %u %u, \"%.5s\" \"%.6s\"", incoming[0].msg_len, incoming[1].msg_len, incoming[2].msg_len, landing[0], landing[2]);
    say("recvmmsg, nothing left: %s", failure(recvmmsg(sv[1], incoming, 5, MSG_DONTWAIT, NULL)));
    sendmmsg(sv[0], outgoing, 2, 0);
    say("recvmmsg with MSG_WAITFORONE: %s", value(recvmmsg(sv[1], incoming, 5, MSG_WAITFORONE, NULL)));
    say("sendmmsg on a closed descriptor: %s", failure(sendmmsg(99, outgoing, 1, 0)));
    length = sizeof type;
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &length);
    say("SO_TYPE: %d", type);
    close(sv[0]);
    close(sv[1]);
    say("socketpair(SOCK_SEQPACKET): %s", outcome(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv)));
    send(sv[0], "first", 5, 0);
    send(sv[0], "second", 6, 0);
    say("recv: %s", received(recv(sv[1], buffer, sizeof buffer, 0), buffer));
    say("recv: %s", received(recv(sv[1], buffer, sizeof buffer, 0), buffer));
    close(sv[0]);
    say("recv after the peer closed: %s", value(recv(sv[1], buffer, sizeof buffer, 0)));
    close(sv[1]);

    /* A listening socket bound to a path, a child connecting to it. */
    struct sockaddr_un address;
    socklen_t address_length = path_address(&address, "server.sock");
    int server = socket(AF_UNIX, SOCK_STREAM, 0);
    say("bind to a path: %s", outcome(bind(server, (struct sockaddr *)&address, address_length)));
    say("the socket file: %s", outcome(lstat("server.sock", &status)));
    check("S_ISSOCK", S_ISSOCK(status.st_mode));
    say("bind again: %s", failure(bind(server, (struct sockaddr *)&address, address_length)));
    int other = socket(AF_UNIX, SOCK_STREAM, 0);
    say("bind another socket to the same path: %s", failure(bind(other, (struct sockaddr *)&address, address_length)));
    say("bind with a bad family: %s", failure(bind(other, (struct sockaddr *)&(struct sockaddr){ .sa_family = AF_INET }, sizeof(struct sockaddr))));
    say("bind with length 1: %s", failure(bind(other, (struct sockaddr *)&address, 1)));
    say("bind with length 200: %s", failure(bind(other, (struct sockaddr *)&address, 200)));
    say("bind from a bad pointer: %s", failure(bind(other, BAD_NULL, address_length)));
    struct sockaddr_un missing;
    socklen_t missing_length = path_address(&missing, "missing.sock");
    say("connect to a missing path: %s", failure(connect(other, (struct sockaddr *)&missing, missing_length)));
    say("connect, not listening yet: %s", failure(connect(other, (struct sockaddr *)&address, address_length)));
    write_file("regular", "text");
    missing_length = path_address(&missing, "regular");
    say("connect to a regular file: %s", failure(connect(other, (struct sockaddr *)&missing, missing_length)));
    say("listen: %s", outcome(listen(server, 4)));
    int acceptconn = 0;
    length = sizeof acceptconn;
    getsockopt(server, SOL_SOCKET, SO_ACCEPTCONN, &acceptconn, &length);
    say("SO_ACCEPTCONN: %d", acceptconn);
    int datagram = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("connect a datagram socket to a stream listener: %s", failure(connect(datagram, (struct sockaddr *)&address, address_length)));
    say("listen on a datagram socket: %s", failure(listen(datagram, 1)));
    close(datagram);
    length = sizeof name;
    getsockname(server, (struct sockaddr *)&name, &length);
    say("getsockname: length %d, \"%s\"", (int)length, name.sun_path);
    say("poll, listening, nobody waiting: %s", poll_events(server));
    fcntl(server, F_SETFL, O_NONBLOCK);
    say("accept4 with nobody waiting: %s", failure(accept4(server, NULL, NULL, 0)));
    say("accept4 with a bad flag: %s", failure(accept4(server, NULL, NULL, 1)));
    fcntl(server, F_SETFL, 0);
    close(other);

    int report[2];
    pipe(report);
    child = fork();
    if (child == 0) {
        close(report[0]);
        int client = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un mine;
        socklen_t mine_length = path_address(&mine, "client.sock");
        bind(client, (struct sockaddr *)&mine, mine_length);
        if (connect(client, (struct sockaddr *)&address, address_length) != 0)
            _exit(1);
        write(client, "request", 7);
        char answer[64];
        ssize_t n = read(client, answer, sizeof answer);
        write(report[1], answer, n > 0 ? n : 0);
        write(client, "ack", 3);   /* the descriptor comes only after this: a stream read would take it with the answer */
        /* A pipe's read end arrives with SCM_RIGHTS: read what the parent wrote into the pipe. */
        union { char buffer[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
        char text[64];
        struct iovec io = { text, sizeof text };
        struct msghdr got = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = control.buffer, .msg_controllen = sizeof control.buffer };
        n = recvmsg(client, &got, MSG_CMSG_CLOEXEC);
        struct cmsghdr *header = CMSG_FIRSTHDR(&got);
        if (n > 0 && header != NULL && header->cmsg_type == SCM_RIGHTS) {
            int passed;
            memcpy(&passed, CMSG_DATA(header), sizeof passed);
            char through[64];
            ssize_t m = read(passed, through, sizeof through);
            int cloexec = (fcntl(passed, F_GETFD) & FD_CLOEXEC) != 0;
            char line[160];
            int k = snprintf(line, sizeof line, " | %.*s | through the pipe: %.*s | cloexec %d", (int)n, text, (int)(m > 0 ? m : 0), through, cloexec);
            write(report[1], line, k);
        }
        close(client);
        _exit(0);
    }
    close(report[1]);
    struct sockaddr_un peer;
    socklen_t peer_length = sizeof peer;
    int connection = accept4(server, (struct sockaddr *)&peer, &peer_length, SOCK_CLOEXEC);
    say("accept4(SOCK_CLOEXEC): %s", outcome(connection));
    check("close-on-exec", (fcntl(connection, F_GETFD) & FD_CLOEXEC) != 0);
    say("the client's address: length %d, \"%s\"", (int)peer_length, peer.sun_path);
    length = sizeof name;
    getsockname(connection, (struct sockaddr *)&name, &length);
    say("the connection's own name: \"%s\"", name.sun_path);
    length = sizeof credentials;
    getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &credentials, &length);
    check("SO_PEERCRED: the child", credentials.pid == child);
    say("read the request: %s", received(read(connection, buffer, sizeof buffer), buffer));
    write(connection, "response", 8);
    say("the client's acknowledgement: %s", received(read(connection, buffer, sizeof buffer), buffer));
    int carried[2];
    pipe(carried);
    write(carried[1], "sent through", 12);
    say("sendmsg with SCM_RIGHTS: %s", value(send_with_descriptor(connection, "a pipe", carried[0])));
    close(carried[0]);
    close(carried[1]);
    ssize_t n = 0, part;
    while (n < (ssize_t)sizeof buffer - 1 && (part = read(report[0], buffer + n, sizeof buffer - 1 - n)) > 0)
        n += part;   /* to the end: the child writes its report in two pieces */
    buffer[n] = '\0';
    say("the child reports: %s", buffer);
    waitpid(child, NULL, 0);
    close(report[0]);
    say("read after the client closed: %s", value(read(connection, buffer, sizeof buffer)));
    close(connection);
    close(server);
    say("the socket file stays after close: %s", outcome(lstat("server.sock", &status)));
    say("connect to it now: %s", failure(connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&address, address_length)));
    unlink("server.sock");
    unlink("client.sock");
    unlink("regular");

    /* SCM_RIGHTS into a short control buffer: MSG_CTRUNC, no descriptor. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pipe(carried);
    send_with_descriptor(sv[0], "short", carried[0]);
    union { char buffer[sizeof(struct cmsghdr)]; struct cmsghdr align; } tiny;
    struct iovec io = { buffer, sizeof buffer };
    struct msghdr got = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = tiny.buffer, .msg_controllen = sizeof tiny.buffer };
    say("recvmsg with room for no descriptor: %s", received(recvmsg(sv[1], &got, 0), buffer));
    check("MSG_CTRUNC", (got.msg_flags & MSG_CTRUNC) != 0);
    say("msg_controllen: %d", (int)got.msg_controllen);
    say("sendmsg with a closed descriptor: %s", failure(send_with_descriptor(sv[0], "bad", 99)));
    /* SO_PASSCRED: the sender's credentials come first. */
    int on = 1;
    say("setsockopt(SO_PASSCRED): %s", outcome(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on)));
    send_with_descriptor(sv[0], "both", carried[1]);
    union { char buffer[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } room;
    io.iov_len = sizeof buffer;
    got = (struct msghdr){ .msg_iov = &io, .msg_iovlen = 1, .msg_control = room.buffer, .msg_controllen = sizeof room.buffer };
    say("recvmsg with SO_PASSCRED: %s", received(recvmsg(sv[1], &got, 0), buffer));
    struct cmsghdr *header = CMSG_FIRSTHDR(&got);
    check("SCM_CREDENTIALS first", header != NULL && header->cmsg_type == SCM_CREDENTIALS);
    if (header != NULL && header->cmsg_type == SCM_CREDENTIALS) {
        memcpy(&credentials, CMSG_DATA(header), sizeof credentials);
        check("this process's credentials", credentials.pid == getpid() && credentials.uid == getuid());
        header = CMSG_NXTHDR(&got, header);
    }
    check("SCM_RIGHTS next", header != NULL && header->cmsg_type == SCM_RIGHTS);
    if (header != NULL && header->cmsg_type == SCM_RIGHTS) {
        int passed;
        memcpy(&passed, CMSG_DATA(header), sizeof passed);
        say("write through the passed end: %s", value(write(passed, "ok", 2)));
        say("read it from the pipe: %s", received(read(carried[0], buffer, sizeof buffer), buffer));
        close(passed);
    }
    close(carried[0]);
    close(carried[1]);
    /* A plain read of a message that passes a descriptor closes the passed one: the pipe then has no writer. */
    pipe(carried);
    send_with_descriptor(sv[0], "dropped", carried[1]);
    close(carried[1]);
    say("read of a message passing a pipe's write end: %s", received(read(sv[1], buffer, sizeof buffer), buffer));
    say("the pipe's read end then: %s", value(read(carried[0], buffer, sizeof buffer)));
    close(carried[0]);
    close(sv[0]);
    close(sv[1]);

    /* An abstract name, datagrams with sendto and recvfrom, epoll. */
    socklen_t abstract_length = abstract_address(&address, "exo-difftest-unixsockets");
    int receiver = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("bind to an abstract name: %s", outcome(bind(receiver, (struct sockaddr *)&address, abstract_length)));
    int second = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("bind the same abstract name again: %s", failure(bind(second, (struct sockaddr *)&address, abstract_length)));
    length = sizeof name;
    getsockname(receiver, (struct sockaddr *)&name, &length);
    check("getsockname: the abstract name", length == abstract_length && name.sun_path[0] == '\0' && memcmp(name.sun_path + 1, "exo-difftest-unixsockets", 24) == 0);
    struct sockaddr_un auto_name;
    say("bind with just the family (autobind): %s", outcome(bind(second, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = AF_UNIX }, sizeof(sa_family_t))));
    length = sizeof auto_name;
    getsockname(second, (struct sockaddr *)&auto_name, &length);
    say("autobound name: length %d, abstract %s", (int)length, yes(auto_name.sun_path[0] == '\0'));
    int ep = epoll_create1(0);
    struct epoll_event event = { .events = EPOLLIN, .data.u64 = 9 };
    epoll_ctl(ep, EPOLL_CTL_ADD, receiver, &event);
    say("epoll, nothing sent: %d", epoll_wait(ep, &event, 1, 0));
    say("sendto the abstract name: %s", value(sendto(second, "datagram", 8, 0, (struct sockaddr *)&address, abstract_length)));
    say("epoll after sendto: %d", epoll_wait(ep, &event, 1, 0));
    struct sockaddr_un from;
    socklen_t from_length = sizeof from;
    say("recvfrom: %s", received(recvfrom(receiver, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_length), buffer));
    check("from the autobound name", from_length == length && memcmp(&from, &auto_name, length) == 0);
    say("sendto an unbound name: %s", failure(sendto(second, "x", 1, 0, (struct sockaddr *)&missing, missing_length)));
    socklen_t nowhere_length = abstract_address(&missing, "exo-difftest-nobody");
    say("sendto a free abstract name: %s", failure(sendto(second, "x", 1, 0, (struct sockaddr *)&missing, nowhere_length)));
    say("send, unconnected datagram: %s", failure(send(second, "x", 1, 0)));
    say("connect the datagram socket: %s", outcome(connect(second, (struct sockaddr *)&address, abstract_length)));
    say("send: %s", value(send(second, "connected", 9, 0)));
    from_length = sizeof from;
    say("recvfrom: %s", received(recvfrom(receiver, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_length), buffer));
    length = sizeof name;
    say("getpeername: %s", outcome(getpeername(second, (struct sockaddr *)&name, &length)));
    close(ep);
    close(receiver);
    say("send after the receiver closed: %s", failure(send(second, "x", 1, 0)));
    say("send again: %s", failure(send(second, "x", 1, 0)));
    close(second);
    wake_ups();
    scratch_leave();
    return 0;
}
