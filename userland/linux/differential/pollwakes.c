/* pollwakes: poll and select sleepers are woken by the changes of the objects they watch, whichever thread or process
 * makes them, and small AF_UNIX stream sends keep every byte in order (Exo-OS wakes a poller only for its own objects'
 * keys and joins small stream sends into the receiver's last message: Readiness, UnixSocket.TrySendSmall).
 *   - threads polling different pipes and socket pairs, each woken by a write to its own descriptor in turn;
 *   - a poller waiting for room in a full pipe and in a full socket, woken by the other side's read;
 *   - a poller woken by the last writer's close (POLLHUP), a select sleeper woken by a write;
 *   - a blocked read of a pipe and of a socket in a thread of a threaded process, woken by small writes;
 *   - thousands of small stream sends from two threads and from a child process, read back whole and in order. */
#include "difftest.h"
#include <poll.h>
#include <pthread.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>

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

int main(void)
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
    say("done");
    return 0;
}
