/* TCP load for the network boot tests (NetworkServiceBootTests), against the test's server on the host:
 *   tcp_clients many HOST PORT COUNT   opens COUNT connections at once (all connected before any request), sends an
 *                                      HTTP/1.0 request for /small on each, then reads every answer and checks its body;
 *   tcp_clients upload HOST PORT BYTES sends BYTES of a pattern the server also knows (byte i is (i * 7 + i / 65536) & 255)
 *                                      to /upload, shuts its side down and prints the server's answer (the SHA-256 it
 *                                      computed of what arrived);
 *   tcp_clients udp HOST PORT COUNT     sends COUNT numbered datagrams to the server's UDP echo port, one at a time, and
 *                                      checks each echo (a lost one is sent again, up to 5 times). 
 * Prints one line of outcome per command; exits 0 when everything checked out. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

enum { MaximumConnections = 1000 };

static const char SmallBody[] = "hello from the host\n";

static int connect_to(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    if (fd < 0 || inet_pton(AF_INET, host, &address.sin_addr) != 1 || connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static int write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written <= 0)
            return -1;
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

/* Reads until the peer closes: the bytes in 'buffer' (at most 'capacity'), or -1. */
static ssize_t read_to_end(int fd, char *buffer, size_t capacity)
{
    size_t done = 0;
    while (done < capacity) {
        ssize_t got = read(fd, buffer + done, capacity - done);
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        done += (size_t)got;
    }
    return (ssize_t)done;
}

static int many(const char *host, int port, int count)
{
    static int fds[MaximumConnections];
    if (count < 1 || count > MaximumConnections)
        return 2;
    for (int i = 0; i < count; i++) {
        fds[i] = connect_to(host, port);
        if (fds[i] < 0) {
            printf("connection %d failed: %s\n", i, strerror(errno));
            return 1;
        }
    }
    static const char request[] = "GET /small HTTP/1.0\r\n\r\n";
    for (int i = 0; i < count; i++)
        if (write_all(fds[i], request, sizeof request - 1) < 0) {
            printf("request %d failed: %s\n", i, strerror(errno));
            return 1;
        }
    int good = 0;
    for (int i = 0; i < count; i++) {
        char answer[512];
        ssize_t length = read_to_end(fds[i], answer, sizeof answer - 1);
        close(fds[i]);
        if (length < 0)
            continue;
        answer[length] = '\0';
        char *body = strstr(answer, "\r\n\r\n");
        if (strncmp(answer, "HTTP/1.0 200", 12) == 0 && body != NULL && strcmp(body + 4, SmallBody) == 0)
            good++;
    }
    printf("%d connections at once: %d answered\n", count, good);
    return good == count ? 0 : 1;
}

static int upload(const char *host, int port, long long bytes)
{
    int fd = connect_to(host, port);
    if (fd < 0) {
        printf("connect failed: %s\n", strerror(errno));
        return 1;
    }
    char header[128];
    int length = snprintf(header, sizeof header, "PUT /upload HTTP/1.0\r\nContent-Length: %lld\r\n\r\n", bytes);
    if (write_all(fd, header, (size_t)length) < 0)
        return 1;
    static char chunk[65536];
    for (long long sent = 0; sent < bytes;) {
        size_t part = bytes - sent < (long long)sizeof chunk ? (size_t)(bytes - sent) : sizeof chunk;
        for (size_t i = 0; i < part; i++) {
            long long position = sent + (long long)i;
            chunk[i] = (char)((position * 7 + position / 65536) & 255);
        }
        if (write_all(fd, chunk, part) < 0) {
            printf("upload failed after %lld bytes: %s\n", sent, strerror(errno));
            return 1;
        }
        sent += (long long)part;
    }
    shutdown(fd, SHUT_WR);
    char answer[256];
    ssize_t got = read_to_end(fd, answer, sizeof answer - 1);
    close(fd);
    if (got < 0)
        return 1;
    answer[got] = '\0';
    char *body = strstr(answer, "\r\n\r\n");
    printf("the server received: %s", body != NULL ? body + 4 : "(no answer)\n");
    return 0;
}

static int udp(const char *host, int port, int count)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    if (fd < 0 || inet_pton(AF_INET, host, &address.sin_addr) != 1 || connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
        printf("udp socket failed: %s\n", strerror(errno));
        return 1;
    }
    struct timeval wait = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    int echoed = 0;
    for (int i = 0; i < count; i++) {
        char message[64], answer[64];
        int length = snprintf(message, sizeof message, "datagram %d", i);
        for (int attempt = 0; attempt < 5; attempt++) {
            if (send(fd, message, (size_t)length, 0) != length)
                break;
            ssize_t got = recv(fd, answer, sizeof answer, 0);
            if (got == length && memcmp(answer, message, (size_t)length) == 0) {
                echoed++;
                break;
            }
        }
    }
    close(fd);
    printf("%d datagrams: %d echoed\n", count, echoed);
    return echoed == count ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "many") == 0)
        return many(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (argc == 5 && strcmp(argv[1], "upload") == 0)
        return upload(argv[2], atoi(argv[3]), atoll(argv[4]));
    if (argc == 5 && strcmp(argv[1], "udp") == 0)
        return udp(argv[2], atoi(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: tcp_clients many HOST PORT COUNT | upload HOST PORT BYTES | udp HOST PORT COUNT\n");
    return 2;
}
