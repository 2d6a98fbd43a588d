/*
 * The network rows of `make bench`, the same static program on Linux (its own TCP/IP stack over virtio-net) and on
 * Exo-OS through POSIX-X (netstack in ring 3 over virtio_net in ring 3):
 *
 *   net.tcp_connect_close  socket + connect + accept + close of both ends, over loopback (127.0.0.1)
 *   net.udp_rtt            a 64-byte datagram to a second socket and back, over loopback
 *   net.tcp_rx_mib         1 MiB read from one TCP connection from the host (recv of up to 64 KiB at a time)
 *   net.tcp_tx_mib         1 MiB written to one TCP connection to the host (send of 64 KiB at a time)
 *
 * The host side is QEMU's user network: 10.0.2.100 port 5001 runs `cat /dev/zero` and port 5002 `cat >/dev/null` for
 * each connection (guestfwd, tools/bench/qemu-settings.env NETWORK_NETDEV). Exo-OS's exo column is
 * userland/csharp/net_bench, the same four rows through exo_std's native sockets.
 * Exo-OS's network service starts beside the script: socket() and the first connect are retried for a while.
 */
#include "../src/bench.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>

#define HOST_ADDRESS "10.0.2.100"
#define SOURCE_PORT 5001
#define SINK_PORT 5002
#define MEBIBYTE (1 << 20)
#define CHUNK 65536
#define DATAGRAM 64
#define START_TRIES 600 /* of 100 ms: the network service's start and DHCP */

static char buffer[CHUNK];

static struct sockaddr_in address_of(const char *text, int port)
{
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, text, &address.sin_addr) != 1)
        bench_die("inet_pton");
    return address;
}

static void pause_briefly(void)
{
    struct timespec tenth = {0, 100 * 1000 * 1000};
    nanosleep(&tenth, NULL);
}

/* A socket, retried while the network service is not there yet (EAFNOSUPPORT on Exo-OS before it offers). */
static int make_socket(int type)
{
    for (int i = 0; i < START_TRIES; i++) {
        int s = socket(AF_INET, type, 0);
        if (s >= 0)
            return s;
        if (errno != EAFNOSUPPORT && errno != ENETDOWN)
            break;
        pause_briefly();
    }
    bench_die("socket");
    return -1;
}

static int connect_host(int port)
{
    struct sockaddr_in address = address_of(HOST_ADDRESS, port);
    for (int i = 0; i < START_TRIES; i++) {
        int s = make_socket(SOCK_STREAM);
        if (connect(s, (struct sockaddr *)&address, sizeof address) == 0)
            return s;
        close(s);
        pause_briefly(); /* no address yet (DHCP), or the host not answering yet */
    }
    bench_die("connect to the host");
    return -1;
}

/* ---- net.tcp_connect_close ---- */
struct loopback { int listener; struct sockaddr_in address; };

static void connect_close(void *ctx, long n)
{
    struct loopback *c = ctx;
    for (long i = 0; i < n; i++) {
        int client = socket(AF_INET, SOCK_STREAM, 0);
        if (client < 0 || connect(client, (struct sockaddr *)&c->address, sizeof c->address) != 0)
            bench_die("loopback connect");
        int server = accept(c->listener, NULL, NULL);
        if (server < 0)
            bench_die("accept");
        close(client);
        close(server);
    }
}

/* ---- net.udp_rtt ---- */
struct pair { int first, second; struct sockaddr_in first_address, second_address; };

static void udp_round_trip(void *ctx, long n)
{
    struct pair *p = ctx;
    for (long i = 0; i < n; i++) {
        if (sendto(p->first, buffer, DATAGRAM, 0, (struct sockaddr *)&p->second_address, sizeof p->second_address) != DATAGRAM)
            bench_die("udp send");
        if (recv(p->second, buffer, sizeof buffer, 0) != DATAGRAM)
            bench_die("udp receive");
        if (sendto(p->second, buffer, DATAGRAM, 0, (struct sockaddr *)&p->first_address, sizeof p->first_address) != DATAGRAM)
            bench_die("udp send back");
        if (recv(p->first, buffer, sizeof buffer, 0) != DATAGRAM)
            bench_die("udp receive back");
    }
}

/* ---- net.tcp_rx_mib, net.tcp_tx_mib ---- */
static void receive_mebibytes(void *ctx, long n)
{
    int s = *(int *)ctx;
    for (long i = 0; i < n; i++)
        for (long got = 0; got < MEBIBYTE;) {
            long want = MEBIBYTE - got < CHUNK ? MEBIBYTE - got : CHUNK;
            ssize_t count = recv(s, buffer, (size_t)want, 0);
            if (count <= 0)
                bench_die("receive from the host");
            got += count;
        }
}

static void send_mebibytes(void *ctx, long n)
{
    int s = *(int *)ctx;
    for (long i = 0; i < n; i++)
        for (long sent = 0; sent < MEBIBYTE;) {
            ssize_t count = send(s, buffer, CHUNK, 0);
            if (count <= 0)
                bench_die("send to the host");
            sent += count;
        }
}

int main(int argc, char **argv)
{
    bench_init(argc, argv);
    struct loopback loopback;
    socklen_t length = sizeof loopback.address;
    loopback.listener = make_socket(SOCK_STREAM);
    loopback.address = address_of("127.0.0.1", 0);
    if (bind(loopback.listener, (struct sockaddr *)&loopback.address, sizeof loopback.address) != 0
        || listen(loopback.listener, 16) != 0
        || getsockname(loopback.listener, (struct sockaddr *)&loopback.address, &length) != 0)
        bench_die("loopback listener");
    bench_run("net.tcp_connect_close", connect_close, &loopback, 4, BENCH_N(51, 11), 4, 1);
    close(loopback.listener);

    struct pair pair;
    pair.first = make_socket(SOCK_DGRAM);
    pair.second = make_socket(SOCK_DGRAM);
    pair.first_address = address_of("127.0.0.1", 0);
    pair.second_address = address_of("127.0.0.1", 0);
    length = sizeof pair.first_address;
    if (bind(pair.first, (struct sockaddr *)&pair.first_address, sizeof pair.first_address) != 0
        || bind(pair.second, (struct sockaddr *)&pair.second_address, sizeof pair.second_address) != 0
        || getsockname(pair.first, (struct sockaddr *)&pair.first_address, &length) != 0
        || getsockname(pair.second, (struct sockaddr *)&pair.second_address, &length) != 0)
        bench_die("udp sockets");
    bench_run("net.udp_rtt", udp_round_trip, &pair, 4, BENCH_N(201, 41), 16, 1);
    close(pair.first);
    close(pair.second);

    int source = connect_host(SOURCE_PORT);
    bench_run("net.tcp_rx_mib", receive_mebibytes, &source, 2, BENCH_N(21, 5), 1, 1);
    close(source);
    int sink = connect_host(SINK_PORT);
    bench_run("net.tcp_tx_mib", send_mebibytes, &sink, 2, BENCH_N(21, 5), 1, 1);
    close(sink);
    return 0;
}
