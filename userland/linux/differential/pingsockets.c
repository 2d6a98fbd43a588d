/* ICMP datagram sockets, Linux's unprivileged ping sockets (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)): the identifier
 * is the socket's port (bound, or chosen at the first send), the kernel writes it and the checksum into each echo
 * request, recvfrom gives the echo reply's ICMP header and data without the IPv4 header and from port 0; sends other
 * than an echo request are EINVAL, EDESTADDRREQ without a destination, EFAULT for a bad buffer; a bound identifier is
 * EINVAL for a second bind; a socket of another identifier hears nothing; MSG_TRUNC. An address given as the
 * argument is pinged once more (the boot test gives the gateway). When the host's ping_group_range refuses the
 * socket, the program says so and stops (the boot test then checks Exo-OS's output on its own). */
#include "difftest.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>

static unsigned short checksum(const unsigned char *bytes, int length)
{
    unsigned long sum = 0;
    for (int i = 0; i + 1 < length; i += 2)
        sum += (unsigned)(bytes[i] << 8 | bytes[i + 1]);
    if (length & 1)
        sum += (unsigned)bytes[length - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (unsigned short)~sum;
}

static struct sockaddr_in address_of(const char *text, unsigned short port)
{
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, text, &address.sin_addr);
    return address;
}

static const char *name_of(int fd)
{
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &length) < 0)
        return errno_name(errno);
    char *text = scratch_string();
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &address.sin_addr, host, sizeof host);
    snprintf(text, 64, "%s port %u", host, ntohs(address.sin_port));
    return text;
}

/* An echo request with a wrong identifier and checksum (the kernel writes both), sequence 'sequence', "exo-ping". */
static int build_request(unsigned char *message, unsigned short sequence)
{
    memset(message, 0, 16);
    message[0] = ICMP_ECHO;
    message[2] = 0xDE; message[3] = 0xAD;   /* checksum: replaced */
    message[4] = 0xBE; message[5] = 0xEF;   /* identifier: replaced */
    message[6] = (unsigned char)(sequence >> 8); message[7] = (unsigned char)sequence;
    memcpy(message + 8, "exo-ping", 8);
    return 16;
}

static int readable(int fd, int milliseconds)
{
    struct pollfd entry = { .fd = fd, .events = POLLIN };
    return poll(&entry, 1, milliseconds);
}

/* Receives one reply and prints what it is: type, code, identifier is the socket's, sequence, data, checksum, sender. */
static void receive_reply(int fd, unsigned short identifier, const char *label)
{
    unsigned char reply[128];
    struct sockaddr_in from;
    socklen_t length = sizeof from;
    memset(&from, 0xAA, sizeof from);
    say("%s: poll %d", label, readable(fd, 3000));
    long got = recvfrom(fd, reply, sizeof reply, MSG_DONTWAIT, (struct sockaddr *)&from, &length);
    say("%s: recvfrom %s", label, value(got));
    if (got < 8)
        return;
    char host[64];
    inet_ntop(AF_INET, &from.sin_addr, host, sizeof host);
    say("%s: type %d code %d, identifier the socket's %s, sequence %d, data %s, checksum good %s, from %s port %u, address length %u",
        label, reply[0], reply[1], yes((reply[4] << 8 | reply[5]) == identifier), reply[6] << 8 | reply[7],
        yes(got == 16 && memcmp(reply + 8, "exo-ping", 8) == 0), yes(checksum(reply, (int)got) == 0), host, ntohs(from.sin_port),
        (unsigned)length);
}

int main(int argc, char **argv)
{
    int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (fd < 0)
    {
        say("ping socket: %s (ping_group_range refuses it)", errno_name(errno));
        return 0;
    }
    say("ping socket: ok");
    int number;
    socklen_t size = sizeof number;
    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &number, &size);
    say("SO_PROTOCOL %d", number);
    getsockopt(fd, SOL_SOCKET, SO_TYPE, &number, &size);
    say("SO_TYPE %d", number);
    say("unbound: %s", name_of(fd));

    unsigned char message[64];
    struct sockaddr_in loopback = address_of("127.0.0.1", 0);
    struct sockaddr_in bound = address_of("127.0.0.1", 0x1234);
    say("bind 127.0.0.1 identifier 0x1234: %s", outcome(bind(fd, (struct sockaddr *)&bound, sizeof bound)));
    say("bound: %s", name_of(fd));
    say("bind again: %s", failure(bind(fd, (struct sockaddr *)&bound, sizeof bound)));
    /* A socket of another identifier must not hear this one's replies. */
    int other = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    struct sockaddr_in elsewhere = address_of("127.0.0.1", 0x4321);
    say("another socket, identifier 0x4321: %s", outcome(bind(other, (struct sockaddr *)&elsewhere, sizeof elsewhere)));
    say("sendto unconnected, no address: %s", failure(send(fd, message, (size_t)build_request(message, 1), 0)));

    int length = build_request(message, 7);
    say("sendto 127.0.0.1: %s", value(sendto(fd, message, (size_t)length, 0, (struct sockaddr *)&loopback, sizeof loopback)));
    receive_reply(fd, 0x1234, "reply");
    say("the other socket heard nothing: poll %d", readable(other, 300));

    message[0] = ICMP_ECHOREPLY;
    say("sendto an echo reply: %s", failure(sendto(fd, message, 16, 0, (struct sockaddr *)&loopback, sizeof loopback)));
    build_request(message, 8);
    message[1] = 1;
    say("sendto code 1: %s", failure(sendto(fd, message, 16, 0, (struct sockaddr *)&loopback, sizeof loopback)));
    build_request(message, 8);
    say("sendto 4 bytes: %s", failure(sendto(fd, message, 4, 0, (struct sockaddr *)&loopback, sizeof loopback)));
    say("sendto bad buffer: %s", failure(sendto(fd, BAD_NULL, 16, 0, (struct sockaddr *)&loopback, sizeof loopback)));

    /* Connected: send without an address; a short buffer truncates (MSG_TRUNC says so). */
    say("connect 127.0.0.1: %s", outcome(connect(fd, (struct sockaddr *)&loopback, sizeof loopback)));
    say("send: %s", value(send(fd, message, (size_t)build_request(message, 9), 0)));
    say("poll %d", readable(fd, 3000));
    unsigned char small[4];
    struct iovec vector = { .iov_base = small, .iov_len = sizeof small };
    struct msghdr header = { .msg_iov = &vector, .msg_iovlen = 1 };
    long got = recvmsg(fd, &header, MSG_DONTWAIT);
    say("recvmsg into 4 bytes: %s, MSG_TRUNC %s, type %d", value(got), yes((header.msg_flags & MSG_TRUNC) != 0), small[0]);

    /* A socket never bound gets an identifier at its first send. */
    int fresh = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    say("fresh sendto: %s", value(sendto(fresh, message, (size_t)build_request(message, 10), 0, (struct sockaddr *)&loopback, sizeof loopback)));
    struct sockaddr_in name;
    socklen_t name_length = sizeof name;
    getsockname(fresh, (struct sockaddr *)&name, &name_length);
    say("fresh identifier chosen: %s", yes(name.sin_port != 0));
    receive_reply(fresh, ntohs(name.sin_port), "fresh reply");

    if (argc > 1)
    {
        struct sockaddr_in target = address_of(argv[1], 0);
        say("sendto %s: %s", argv[1], value(sendto(fresh, message, (size_t)build_request(message, 11), 0, (struct sockaddr *)&target, sizeof target)));
        receive_reply(fresh, ntohs(name.sin_port), "remote reply");
    }
    close(fresh);
    close(other);
    close(fd);
    return 0;
}
