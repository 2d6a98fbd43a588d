/* AF_INET sockets over the loopback interface: socket's errors (ESOCKTNOSUPPORT, EPROTONOSUPPORT), TCP bind (an
 * ephemeral port, EADDRINUSE, SO_REUSEADDR), listen, blocking and non-blocking connect (EINPROGRESS, then POLLOUT and
 * SO_ERROR), ECONNREFUSED from a closed port, accept and accept4, getsockname and getpeername, data both ways, a
 * megabyte through a child process with a checksum, shutdown and the end of the stream, ENOTCONN and EPIPE (with and
 * without SIGPIPE), ECONNRESET after a close with unread data, options (SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR,
 * SO_KEEPALIVE, TCP_NODELAY, SO_RCVBUF), poll and epoll readiness; UDP sendto/recvfrom, connect and send, MSG_TRUNC,
 * MSG_PEEK, message boundaries. Addresses and ports that differ between runs are compared, never printed. */
#include "difftest.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t pipe_signals;
static void on_pipe(int signal) { (void)signal; pipe_signals++; }

static struct sockaddr_in loopback(unsigned short port)
{
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

static unsigned short port_of(int fd)
{
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &length) < 0)
        return 0;
    return ntohs(address.sin_port);
}

static const char *poll_events(int fd, int timeout)
{
    struct pollfd entry = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
    int ready = poll(&entry, 1, timeout);
    if (ready < 0)
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

static int option(int fd, int level, int name)
{
    int value = -1;
    socklen_t length = sizeof value;
    if (getsockopt(fd, level, name, &value, &length) < 0)
        return -errno;
    return value;
}

/* A listening TCP socket on 127.0.0.1 and an ephemeral port. */
static int listener(int backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = loopback(0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) < 0 || listen(fd, backlog) < 0)
        return -1;
    return fd;
}

static int connected_to(unsigned short port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = loopback(port);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) < 0)
        return -1;
    return fd;
}

static int read_fully(int fd, char *buffer, size_t length)
{
    size_t done = 0;
    while (done < length) {
        ssize_t got = read(fd, buffer + done, length - done);
        if (got <= 0)
            return -1;
        done += (size_t)got;
    }
    return 0;
}

static void socket_errors(void)
{
    say("socket(AF_INET, SOCK_SEQPACKET): %s", failure(socket(AF_INET, SOCK_SEQPACKET, 0)));
    say("socket(AF_INET, SOCK_STREAM, IPPROTO_UDP): %s", failure(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)));
    say("socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP): %s", failure(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP)));
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    say("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP): %s", outcome(fd));
    say("SO_TYPE %d SO_DOMAIN %d SO_PROTOCOL %d", option(fd, SOL_SOCKET, SO_TYPE), option(fd, SOL_SOCKET, SO_DOMAIN), option(fd, SOL_SOCKET, SO_PROTOCOL));
    struct sockaddr_in address = loopback(0);
    say("bind with a short length: %s", failure(bind(fd, (struct sockaddr *)&address, sizeof address - 1)));
    struct sockaddr_in unix_family = address;
    unix_family.sin_family = AF_UNIX;
    say("bind with AF_UNIX's family: %s", failure(bind(fd, (struct sockaddr *)&unix_family, sizeof unix_family)));
    char byte = 'x';
    say("recv before connect: %s", failure(recv(fd, &byte, 1, MSG_DONTWAIT)));
    say("send before connect (MSG_NOSIGNAL): %s", failure(send(fd, &byte, 1, MSG_NOSIGNAL)));
    say("accept before listen: %s", failure(accept(fd, NULL, NULL)));
    say("getpeername before connect: %s", failure(getpeername(fd, (struct sockaddr *)&address, &(socklen_t){ sizeof address })));
    close(fd);
}

static void tcp_basics(void)
{
    int server = listener(8);
    say("listen on 127.0.0.1:0: %s", outcome(server));
    unsigned short port = port_of(server);
    check("an ephemeral port was chosen", port != 0);
    say("SO_ACCEPTCONN %d", option(server, SOL_SOCKET, SO_ACCEPTCONN));
    say("poll of an idle listener: %s", poll_events(server, 0));

    int taken = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in same = loopback(port);
    say("bind to a port in use: %s", failure(bind(taken, (struct sockaddr *)&same, sizeof same)));
    close(taken);

    int client = connected_to(port);
    say("connect: %s", outcome(client));
    say("poll of the listener with a connection waiting: %s", poll_events(server, 1000));
    struct sockaddr_in peer;
    socklen_t peer_length = sizeof peer;
    int accepted = accept4(server, (struct sockaddr *)&peer, &peer_length, SOCK_CLOEXEC);
    say("accept4: %s", outcome(accepted));
    say("accepted address length %u family %d", peer_length, peer.sin_family);
    check("the accepted peer is the client's own address", peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(peer.sin_port) == port_of(client));
    struct sockaddr_in name;
    socklen_t name_length = sizeof name;
    say("getpeername of the client: %s", outcome(getpeername(client, (struct sockaddr *)&name, &name_length)));
    check("the client's peer is the listener's port", ntohs(name.sin_port) == port);
    check("the accepted socket's own port is the listener's", port_of(accepted) == port);
    say("connect again: %s", failure(connect(client, (struct sockaddr *)&same, sizeof same)));

    say("write 5 bytes: %s", value(write(client, "hello", 5)));
    char buffer[64];
    say("poll of the receiver: %s", poll_events(accepted, 1000));
    say("recv with MSG_PEEK: %s", value(recv(accepted, buffer, sizeof buffer, MSG_PEEK)));
    ssize_t got = read(accepted, buffer, sizeof buffer);
    say("read: %s \"%.*s\"", value(got), got > 0 ? (int)got : 0, buffer);
    say("recv with nothing waiting (MSG_DONTWAIT): %s", failure(recv(accepted, buffer, sizeof buffer, MSG_DONTWAIT)));
    say("send back: %s", value(send(accepted, "world!", 6, 0)));
    got = recv(client, buffer, sizeof buffer, MSG_WAITALL & 0);
    say("recv: %s \"%.*s\"", value(got), got > 0 ? (int)got : 0, buffer);

    say("TCP_NODELAY %d", option(client, IPPROTO_TCP, TCP_NODELAY));
    say("set TCP_NODELAY: %s", outcome(setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int))));
    check("TCP_NODELAY reads back set", option(client, IPPROTO_TCP, TCP_NODELAY) != 0);
    say("set SO_KEEPALIVE: %s", outcome(setsockopt(client, SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 }, sizeof(int))));
    check("SO_KEEPALIVE reads back set", option(client, SOL_SOCKET, SO_KEEPALIVE) != 0);
    check("SO_RCVBUF is positive", option(client, SOL_SOCKET, SO_RCVBUF) > 0);
    say("SO_ERROR %d", option(client, SOL_SOCKET, SO_ERROR));

    say("shutdown(SHUT_WR) of the client: %s", outcome(shutdown(client, SHUT_WR)));
    say("poll of the accepted end after the peer's FIN: %s", poll_events(accepted, 1000));
    say("read at the end of the stream: %s", value(read(accepted, buffer, sizeof buffer)));
    say("write after SHUT_WR (MSG_NOSIGNAL): %s", failure(send(client, "x", 1, MSG_NOSIGNAL)));
    say("the accepted end can still send: %s", value(write(accepted, "bye", 3)));
    got = read(client, buffer, sizeof buffer);
    say("read: %s \"%.*s\"", value(got), got > 0 ? (int)got : 0, buffer);
    close(accepted);
    say("read after the peer closed: %s", value(read(client, buffer, sizeof buffer)));
    close(client);
    close(server);
}

static unsigned long checksum(const unsigned char *data, size_t length, unsigned long sum)
{
    for (size_t i = 0; i < length; i++)
        sum = sum * 31 + data[i];
    return sum;
}

/* A megabyte from a child, in writes of odd sizes, read back in other sizes. */
static void tcp_bulk(void)
{
    enum { Total = 1 << 20 };
    int server = listener(1);
    unsigned short port = port_of(server);
    pid_t child = fork();
    if (child == 0) {
        int fd = connected_to(port);
        static unsigned char chunk[7777];
        unsigned long sum = 0;
        for (size_t sent = 0; sent < Total;) {
            size_t length = Total - sent < sizeof chunk ? Total - sent : sizeof chunk;
            for (size_t i = 0; i < length; i++)
                chunk[i] = (unsigned char)((sent + i) * 7 + 3);
            if (fd < 0 || write(fd, chunk, length) != (ssize_t)length)
                _exit(2);
            sum = checksum(chunk, length, sum);
            sent += length;
        }
        /* The checksum follows the data, so the reader can compare. */
        if (write(fd, &sum, sizeof sum) != sizeof sum)
            _exit(3);
        close(fd);
        _exit(0);
    }
    int fd = accept(server, NULL, NULL);
    static unsigned char buffer[Total + sizeof(unsigned long)];
    int ok = fd >= 0 && read_fully(fd, (char *)buffer, sizeof buffer) == 0;
    unsigned long expected;
    memcpy(&expected, buffer + Total, sizeof expected);
    check("a megabyte arrived whole", ok);
    check("its checksum matches the sender's", ok && checksum(buffer, Total, 0) == expected);
    say("then the end of the stream: %s", value(read(fd, buffer, 1)));
    int status = 0;
    waitpid(child, &status, 0);
    say("the sender exited with %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    close(fd);
    close(server);
}

static void tcp_errors(void)
{
    /* A port nobody listens on: the one of a listener just closed. */
    int gone = listener(1);
    unsigned short closed_port = port_of(gone);
    close(gone);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = loopback(closed_port);
    say("connect to a closed port: %s", failure(connect(fd, (struct sockaddr *)&address, sizeof address)));
    close(fd);

    /* Non-blocking connect: started (EINPROGRESS, or done at once on a fast loopback), then writable with SO_ERROR 0. */
    int server = listener(4);
    unsigned short port = port_of(server);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    address = loopback(port);
    int started = connect(fd, (struct sockaddr *)&address, sizeof address);
    check("a non-blocking connect starts", started == 0 || errno == EINPROGRESS);
    struct pollfd entry = { fd, POLLOUT, 0 };
    say("poll for its completion: %s", value(poll(&entry, 1, 5000)));
    say("SO_ERROR after it %d", option(fd, SOL_SOCKET, SO_ERROR));
    int accepted = accept(server, NULL, NULL);
    say("accept: %s", outcome(accepted));

    /* Closing with unread data resets the connection: the peer's next read is ECONNRESET. */
    say("send 3 bytes to the accepted end: %s", value(write(fd, "abc", 3)));
    struct pollfd readable = { accepted, POLLIN, 0 };
    poll(&readable, 1, 1000);
    close(accepted);
    struct pollfd reset = { fd, POLLIN, 0 };
    say("poll after the reset: %s", value(poll(&reset, 1, 5000)));
    char byte;
    say("read after the reset: %s", failure(read(fd, &byte, 1)));
    close(fd);

    /* Writing to a closed peer: EPIPE and SIGPIPE (once the reset is back), none with MSG_NOSIGNAL. */
    fd = connected_to(port);
    accepted = accept(server, NULL, NULL);
    close(accepted);
    signal(SIGPIPE, on_pipe);
    int broke = 0;
    for (int attempt = 0; attempt < 20 && !broke; attempt++) {
        if (send(fd, "x", 1, MSG_NOSIGNAL) < 0)
            broke = errno;
        else
            usleep(10000);
    }
    say("writing to a closed peer ends in: %s", errno_name(broke));
    say("SIGPIPE with MSG_NOSIGNAL: %d", (int)pipe_signals);
    say("write without MSG_NOSIGNAL: %s", failure(write(fd, "x", 1)));
    say("SIGPIPE after it: %d", (int)pipe_signals);
    signal(SIGPIPE, SIG_DFL);
    close(fd);

    close(server);

    /* SO_REUSEADDR (on the listener, which its connections inherit, and on the newcomer) lets a new listener take a
     * port with a connection in TIME_WAIT; without it the port is in use. */
    server = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int));
    address = loopback(0);
    bind(server, (struct sockaddr *)&address, sizeof address);
    listen(server, 1);
    address = loopback(port_of(server));
    fd = connected_to(port_of(server));
    accepted = accept(server, NULL, NULL);
    close(accepted);   /* the server's side closes first: it holds TIME_WAIT */
    char buffer[8];
    say("the client reads the end: %s", value(read(fd, buffer, sizeof buffer)));
    close(fd);
    close(server);
    int again = socket(AF_INET, SOCK_STREAM, 0);
    say("bind to the port in TIME_WAIT without SO_REUSEADDR: %s", failure(bind(again, (struct sockaddr *)&address, sizeof address)));
    say("SO_REUSEADDR: %s", outcome(setsockopt(again, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int))));
    say("bind to it with SO_REUSEADDR: %s", outcome(bind(again, (struct sockaddr *)&address, sizeof address)));
    close(again);
}

/* The accept queue: connections accepted in the order they came, accept4's SOCK_NONBLOCK on the new socket, and a
 * listener closed with a connection nobody accepted resets it (the client's read is ECONNRESET). */
static void tcp_accept_queue(void)
{
    int server = listener(4);
    unsigned short port = port_of(server);
    int first = connected_to(port);
    int second = connected_to(port);
    say("poll of the listener with two waiting: %s", poll_events(server, 1000));
    int accepted = accept(server, NULL, NULL);
    int next = accept4(server, NULL, NULL, SOCK_NONBLOCK);
    say("accept, then accept4 with SOCK_NONBLOCK: %s, %s", outcome(accepted), outcome(next));
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    getpeername(accepted, (struct sockaddr *)&peer, &length);
    check("the first accepted is the first client", ntohs(peer.sin_port) == port_of(first));
    length = sizeof peer;
    getpeername(next, (struct sockaddr *)&peer, &length);
    check("the second accepted is the second client", ntohs(peer.sin_port) == port_of(second));
    say("O_NONBLOCK of the first: %d, of the second: %d", (fcntl(accepted, F_GETFL) & O_NONBLOCK) != 0,
        (fcntl(next, F_GETFL) & O_NONBLOCK) != 0);
    char byte;
    say("read of the second with nothing there: %s", failure(read(next, &byte, 1)));
    say("poll of the listener with none waiting: %s", poll_events(server, 0));
    close(accepted);
    close(next);
    close(first);
    close(second);

    /* A blocking accept bounded by SO_RCVTIMEO, then a non-blocking listener: EAGAIN until a connection comes. */
    struct timeval brief = { 0, 100000 };
    setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &brief, sizeof brief);
    say("accept with SO_RCVTIMEO and none waiting: %s", failure(accept(server, NULL, NULL)));
    fcntl(server, F_SETFL, fcntl(server, F_GETFL) | O_NONBLOCK);
    say("non-blocking accept with none waiting: %s", failure(accept(server, NULL, NULL)));
    first = connected_to(port);
    say("poll of the listener after a connect: %s", poll_events(server, 1000));
    accepted = accept(server, NULL, NULL);
    say("non-blocking accept after it: %s", outcome(accepted));
    say("and again: %s", failure(accept(server, NULL, NULL)));
    close(accepted);
    close(first);

    int waiting = connected_to(port);
    say("poll of the listener with one waiting: %s", poll_events(server, 1000));
    close(server);
    struct pollfd gone = { waiting, POLLIN, 0 };
    say("poll of the client after the listener closed: %s", value(poll(&gone, 1, 5000)));
    say("read of the client after the listener closed: %s", failure(read(waiting, &byte, 1)));
    close(waiting);
}

/* Several threads accept from one listener while several others connect to it: every connection is accepted exactly
 * once, by one of them, with its own bytes. */
enum { ACCEPTORS = 4, CONNECTORS = 4, EACH = 8 };
static int shared_listener;
static unsigned short shared_port;
static int received[ACCEPTORS * EACH];
static pthread_mutex_t received_lock = PTHREAD_MUTEX_INITIALIZER;

static void *accept_some(void *unused)
{
    (void)unused;
    for (int i = 0; i < EACH; i++) {
        int fd = accept(shared_listener, NULL, NULL);
        int id = -1;
        if (fd >= 0 && read_fully(fd, (char *)&id, sizeof id) == 0 && id >= 0 && id < ACCEPTORS * EACH) {
            pthread_mutex_lock(&received_lock);
            received[id]++;
            pthread_mutex_unlock(&received_lock);
        }
        if (fd >= 0)
            close(fd);
    }
    return NULL;
}

static void *connect_some(void *first)
{
    for (int i = 0; i < EACH; i++) {
        int id = (int)(long)first + i;
        int fd = connected_to(shared_port);
        if (fd >= 0) {
            write(fd, &id, sizeof id);
            close(fd);
        }
    }
    return NULL;
}

static void tcp_accepting_threads(void)
{
    shared_listener = listener(64);
    shared_port = port_of(shared_listener);
    pthread_t acceptors[ACCEPTORS], connectors[CONNECTORS];
    for (int i = 0; i < ACCEPTORS; i++)
        pthread_create(&acceptors[i], NULL, accept_some, NULL);
    for (int i = 0; i < CONNECTORS; i++)
        pthread_create(&connectors[i], NULL, connect_some, (void *)(long)(i * EACH));
    for (int i = 0; i < CONNECTORS; i++)
        pthread_join(connectors[i], NULL);
    for (int i = 0; i < ACCEPTORS; i++)
        pthread_join(acceptors[i], NULL);
    int once = 0;
    for (int i = 0; i < ACCEPTORS * EACH; i++)
        once += received[i] == 1;
    say("connections accepted exactly once by %d threads: %d of %d", ACCEPTORS, once, ACCEPTORS * EACH);
    close(shared_listener);
}

static void tcp_epoll(void)
{
    int server = listener(4);
    int poller = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = { .events = EPOLLIN, .data.u32 = 1 };
    say("epoll_ctl ADD of a listener: %s", outcome(epoll_ctl(poller, EPOLL_CTL_ADD, server, &event)));
    struct epoll_event out[4];
    say("epoll_wait with nothing pending: %s", value(epoll_wait(poller, out, 4, 0)));
    int client = connected_to(port_of(server));
    int ready = epoll_wait(poller, out, 4, 2000);
    say("epoll_wait after a connect: %s (data %u)", value(ready), ready > 0 ? out[0].data.u32 : 0);
    int accepted = accept(server, NULL, NULL);
    struct epoll_event edge = { .events = EPOLLIN | EPOLLET | EPOLLRDHUP, .data.u32 = 2 };
    say("epoll_ctl ADD edge-triggered: %s", outcome(epoll_ctl(poller, EPOLL_CTL_ADD, accepted, &edge)));
    write(client, "ping", 4);
    ready = epoll_wait(poller, out, 4, 2000);
    say("edge after data: %s (data %u)", value(ready), ready > 0 ? out[0].data.u32 : 0);
    say("no second edge without new data: %s", value(epoll_wait(poller, out, 4, 0)));
    close(client);
    ready = epoll_wait(poller, out, 4, 2000);
    check("the peer's close is an edge with EPOLLRDHUP", ready == 1 && (out[0].events & EPOLLRDHUP) != 0);
    close(accepted);
    close(poller);
    close(server);
}

static void udp(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0);
    int b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_UDP);
    say("two UDP sockets: %s %s", outcome(a), outcome(b));
    say("SO_TYPE %d SO_PROTOCOL %d", option(a, SOL_SOCKET, SO_TYPE), option(a, SOL_SOCKET, SO_PROTOCOL));
    struct sockaddr_in any = loopback(0);
    say("bind both: %s %s", outcome(bind(a, (struct sockaddr *)&any, sizeof any)), outcome(bind(b, (struct sockaddr *)&any, sizeof any)));
    struct sockaddr_in to_b = loopback(port_of(b));
    say("poll of an empty UDP socket: %s", poll_events(b, 0));
    say("recvfrom with nothing waiting: %s", failure(recv(b, &(char){ 0 }, 1, 0)));
    say("sendto 11 bytes: %s", value(sendto(a, "hello world", 11, 0, (struct sockaddr *)&to_b, sizeof to_b)));
    say("sendto 3 bytes: %s", value(sendto(a, "abc", 3, 0, (struct sockaddr *)&to_b, sizeof to_b)));
    say("poll with datagrams waiting: %s", poll_events(b, 1000));
    char buffer[64];
    struct sockaddr_in from;
    socklen_t from_length = sizeof from;
    say("recv with MSG_PEEK: %s", value(recv(b, buffer, sizeof buffer, MSG_PEEK)));
    ssize_t got = recvfrom(b, buffer, 5, MSG_TRUNC, (struct sockaddr *)&from, &from_length);
    say("recvfrom into 5 bytes with MSG_TRUNC: %s \"%.*s\"", value(got), got > 0 ? 5 : 0, buffer);
    check("the sender is a's address", from_length == sizeof from && from.sin_port == htons(port_of(a)) && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    got = recv(b, buffer, sizeof buffer, 0);
    say("the next datagram whole: %s \"%.*s\"", value(got), got > 0 ? (int)got : 0, buffer);
    say("send on an unconnected socket: %s", failure(send(a, "x", 1, 0)));
    say("connect a to b: %s", outcome(connect(a, (struct sockaddr *)&to_b, sizeof to_b)));
    say("send: %s", value(send(a, "connected", 9, 0)));
    struct pollfd entry = { b, POLLIN, 0 };
    poll(&entry, 1, 1000);
    got = recv(b, buffer, sizeof buffer, 0);
    say("received: %s \"%.*s\"", value(got), got > 0 ? (int)got : 0, buffer);
    struct sockaddr_in peer;
    say("getpeername of a: %s", outcome(getpeername(a, (struct sockaddr *)&peer, &(socklen_t){ sizeof peer })));
    check("a's peer is b", peer.sin_port == to_b.sin_port);
    say("listen on UDP: %s", failure(listen(a, 1)));
    close(b);

    /* A connected socket whose peer port is closed: the ICMP port unreachable comes back as ECONNREFUSED. */
    say("send to the closed port: %s", value(send(a, "anyone?", 7, 0)));
    int refused = 0;
    for (int attempt = 0; attempt < 50 && !refused; attempt++) {
        if (recv(a, buffer, sizeof buffer, MSG_DONTWAIT) < 0 && errno == ECONNREFUSED)
            refused = 1;
        else
            usleep(10000);
    }
    check("ECONNREFUSED arrives on the connected socket", refused);
    close(a);
}

int main(void)
{
    socket_errors();
    tcp_basics();
    tcp_bulk();
    tcp_errors();
    tcp_accept_queue();
    tcp_accepting_threads();
    tcp_epoll();
    udp();
    return 0;
}
