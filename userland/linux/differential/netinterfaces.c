/* The loopback interface as ifconfig, route, ip and ping see it, and their calls' errors: the interface ioctls on lo
 * (SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFMTU, SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFCONF's length asked with a
 * null buffer), ENODEV for a name or index nobody has, EFAULT for bad pointers; NETLINK_ROUTE sockets (socket's
 * errors, bind, getsockname, RTM_GETLINK and RTM_GETADDR dumps read until NLMSG_DONE, NLMSG_ERROR for an unknown type,
 * an acknowledged NLMSG_NOOP, a malformed message answered by nothing, EFAULT); raw ICMP sockets (EPROTONOSUPPORT,
 * EDESTADDRREQ, EFAULT, and an echo to 127.0.0.1 seen twice, request then reply, each with its IPv4 header). Other
 * interfaces differ between machines: only lo is printed. Run as root (raw sockets), like the boot test. */
#include "difftest.h"
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static const char *address_text(struct sockaddr *address)
{
    char *text = scratch_string();
    inet_ntop(AF_INET, &((struct sockaddr_in *)address)->sin_addr, text, 64);
    return text;
}

static void interface_ioctls(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strcpy(request.ifr_name, "lo");
    // Each call before its print: the arguments' order of evaluation is open.
    const char *result = outcome(ioctl(fd, SIOCGIFFLAGS, &request));
    say("SIOCGIFFLAGS lo: %s, flags %#x", result, request.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_BROADCAST));
    result = outcome(ioctl(fd, SIOCGIFADDR, &request));
    say("SIOCGIFADDR lo: %s %s", result, address_text(&request.ifr_addr));
    result = outcome(ioctl(fd, SIOCGIFNETMASK, &request));
    say("SIOCGIFNETMASK lo: %s %s", result, address_text(&request.ifr_netmask));
    result = outcome(ioctl(fd, SIOCGIFMTU, &request));
    say("SIOCGIFMTU lo: %s %d", result, request.ifr_mtu);
    result = outcome(ioctl(fd, SIOCGIFINDEX, &request));
    say("SIOCGIFINDEX lo: %s %d", result, request.ifr_ifindex);
    memset(&request, 0, sizeof request);
    request.ifr_ifindex = 1;
    result = outcome(ioctl(fd, SIOCGIFNAME, &request));
    say("SIOCGIFNAME 1: %s %s", result, request.ifr_name);
    request.ifr_ifindex = 99999;
    say("SIOCGIFNAME 99999: %s", failure(ioctl(fd, SIOCGIFNAME, &request)));
    strcpy(request.ifr_name, "nosuch0");
    say("SIOCGIFFLAGS nosuch0: %s", failure(ioctl(fd, SIOCGIFFLAGS, &request)));
    say("SIOCGIFINDEX nosuch0: %s", failure(ioctl(fd, SIOCGIFINDEX, &request)));
    say("SIOCGIFFLAGS bad pointer: %s", failure(ioctl(fd, SIOCGIFFLAGS, BAD_NULL)));
    say("SIOCGIFADDR kernel pointer: %s", failure(ioctl(fd, SIOCGIFADDR, BAD_KERNEL)));

    struct ifconf configuration = { .ifc_len = 0, .ifc_buf = NULL };
    say("SIOCGIFCONF null buffer: %s", outcome(ioctl(fd, SIOCGIFCONF, &configuration)));
    check("its length is whole requests, lo's among them", configuration.ifc_len >= (int)sizeof(struct ifreq) && configuration.ifc_len % sizeof(struct ifreq) == 0);
    struct ifreq all[16];
    configuration.ifc_len = sizeof all;
    configuration.ifc_req = all;
    say("SIOCGIFCONF: %s", outcome(ioctl(fd, SIOCGIFCONF, &configuration)));
    int found = 0;
    for (int i = 0; i < configuration.ifc_len / (int)sizeof(struct ifreq); i++)
        if (strcmp(all[i].ifr_name, "lo") == 0)
            found = all[i].ifr_addr.sa_family == AF_INET && strcmp(address_text(&all[i].ifr_addr), "127.0.0.1") == 0;
    check("SIOCGIFCONF lists lo with 127.0.0.1", found);
    configuration.ifc_len = sizeof(struct ifreq) - 1;   // room for none
    result = outcome(ioctl(fd, SIOCGIFCONF, &configuration));
    say("SIOCGIFCONF no room: %s, length %d", result, configuration.ifc_len);
    configuration.ifc_len = sizeof all;
    configuration.ifc_buf = BAD_KERNEL;
    say("SIOCGIFCONF bad buffer: %s", failure(ioctl(fd, SIOCGIFCONF, &configuration)));
    say("SIOCGIFCONF bad pointer: %s", failure(ioctl(fd, SIOCGIFCONF, BAD_NULL)));
    close(fd);
}

/* Reads netlink answers until NLMSG_DONE or NLMSG_ERROR; calls 'each' for every other message. */
static int read_dump(int fd, void (*each)(struct nlmsghdr *))
{
    static char buffer[32768];
    for (int reads = 0; reads < 100; reads++)
    {
        ssize_t got = recv(fd, buffer, sizeof buffer, 0);
        if (got < 0)
            return -errno;
        for (struct nlmsghdr *message = (struct nlmsghdr *)buffer; NLMSG_OK(message, got); message = NLMSG_NEXT(message, got))
        {
            if (message->nlmsg_type == NLMSG_DONE)
                return 0;
            if (message->nlmsg_type == NLMSG_ERROR)
                return ((struct nlmsgerr *)NLMSG_DATA(message))->error;
            each(message);
        }
    }
    return -1;
}

static void each_link(struct nlmsghdr *message)
{
    struct ifinfomsg *link = NLMSG_DATA(message);
    if (message->nlmsg_type != RTM_NEWLINK || link->ifi_index != 1)
        return;
    const char *name = "?";
    unsigned mtu = 0;
    int length = IFLA_PAYLOAD(message);
    for (struct rtattr *attribute = IFLA_RTA(link); RTA_OK(attribute, length); attribute = RTA_NEXT(attribute, length))
    {
        if (attribute->rta_type == IFLA_IFNAME)
            name = RTA_DATA(attribute);
        if (attribute->rta_type == IFLA_MTU)
            mtu = *(unsigned *)RTA_DATA(attribute);
    }
    say("link 1: %s, type %d, mtu %u, up %s, loopback %s", name, link->ifi_type, mtu, yes(link->ifi_flags & IFF_UP), yes(link->ifi_flags & IFF_LOOPBACK));
}

static void each_address(struct nlmsghdr *message)
{
    struct ifaddrmsg *address = NLMSG_DATA(message);
    if (message->nlmsg_type != RTM_NEWADDR || address->ifa_index != 1 || address->ifa_family != AF_INET)
        return;
    int length = IFA_PAYLOAD(message);
    for (struct rtattr *attribute = IFA_RTA(address); RTA_OK(attribute, length); attribute = RTA_NEXT(attribute, length))
        if (attribute->rta_type == IFA_LOCAL)
        {
            char text[64];
            inet_ntop(AF_INET, RTA_DATA(attribute), text, sizeof text);
            say("address on 1: %s/%d scope %d", text, address->ifa_prefixlen, address->ifa_scope);
        }
}

static void ignore(struct nlmsghdr *message) { (void)message; }

static int request(int fd, int type, int flags, int family)
{
    struct { struct nlmsghdr header; struct rtgenmsg body; } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = type;
    message.header.nlmsg_flags = flags;
    message.header.nlmsg_seq = 7;
    message.body.rtgen_family = family;
    return send(fd, &message, sizeof message, 0);
}

static void netlink(void)
{
    say("netlink stream: %s", failure(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE)));
    say("netlink protocol 99: %s", failure(socket(AF_NETLINK, SOCK_RAW, 99)));
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    say("NETLINK_ROUTE: %s", outcome(fd));
    struct sockaddr_nl address = { .nl_family = AF_NETLINK };
    say("bind short: %s", failure(bind(fd, (struct sockaddr *)&address, 4)));
    say("bind: %s", outcome(bind(fd, (struct sockaddr *)&address, sizeof address)));
    socklen_t length = sizeof address;
    const char *result = outcome(getsockname(fd, (struct sockaddr *)&address, &length));
    say("getsockname: %s, family %d, length %d", result, address.nl_family, (int)length);
    check("the port id is the process's", address.nl_pid == (unsigned)getpid());

    say("RTM_GETLINK dump: %s", outcome(request(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC)));
    say("its end: %d", read_dump(fd, each_link));
    say("RTM_GETADDR dump: %s", outcome(request(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, AF_INET)));
    say("its end: %d", read_dump(fd, each_address));
    say("RTM_GETROUTE dump: %s", outcome(request(fd, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, AF_INET)));
    say("its end: %d", read_dump(fd, ignore));

    say("type 200: %s", outcome(request(fd, 200, NLM_F_REQUEST | NLM_F_ACK, AF_UNSPEC)));
    say("its answer: %s", errno_name(-read_dump(fd, ignore)));
    say("NLMSG_NOOP with an ack: %s", outcome(request(fd, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, AF_UNSPEC)));
    say("its answer: %d", read_dump(fd, ignore));
    // A header that claims more than was sent, and one too short to be a header: read, and answered by nothing.
    struct nlmsghdr broken = { .nlmsg_len = 400, .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP };
    say("length past the end: %s", value(send(fd, &broken, sizeof broken, 0)));
    say("eight bytes: %s", value(send(fd, &broken, 8, 0)));
    say("nothing answered: %s", failure(recv(fd, &broken, sizeof broken, MSG_DONTWAIT)));
    say("send bad pointer: %s", failure(send(fd, BAD_KERNEL, 20, 0)));
    request(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC);
    struct pollfd entry = { fd, POLLIN, 0 };
    result = value(poll(&entry, 1, 1000));
    say("poll after a request: %s, IN %s", result, yes(entry.revents & POLLIN));
    say("recv bad pointer: %s", failure(recv(fd, BAD_KERNEL, 4096, 0)));
    close(fd);
    say("socketpair: %s", failure(socketpair(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, (int[2]){ 0, 0 })));
}

static unsigned short checksum(void *data, int length)
{
    unsigned sum = 0;
    unsigned short *words = data;
    for (; length > 1; length -= 2)
        sum += *words++;
    if (length)
        sum += *(unsigned char *)words;
    sum = (sum >> 16) + (sum & 0xFFFF);
    sum += sum >> 16;
    return ~sum;
}

static void raw_icmp(void)
{
    say("SOCK_RAW protocol 0: %s", failure(socket(AF_INET, SOCK_RAW, 0)));
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    say("SOCK_RAW IPPROTO_ICMP: %s", outcome(fd));
    int number = 0;
    socklen_t length = sizeof number;
    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &number, &length);
    say("SO_PROTOCOL: %d", number);
    struct icmphdr echo;
    char message[64];
    memset(message, 0, sizeof message);
    memset(&echo, 0, sizeof echo);
    echo.type = ICMP_ECHO;
    echo.un.echo.id = htons(0x5e5e);
    echo.un.echo.sequence = htons(1);
    memcpy(message, &echo, sizeof echo);
    strcpy(message + sizeof echo, "exo-os ping");
    ((struct icmphdr *)message)->checksum = checksum(message, sizeof message);
    say("send without an address: %s", failure(send(fd, message, sizeof message, 0)));
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    say("sendto bad pointer: %s", failure(sendto(fd, BAD_KERNEL, sizeof message, 0, (struct sockaddr *)&to, sizeof to)));
    say("sendto 127.0.0.1: %s", value(sendto(fd, message, sizeof message, 0, (struct sockaddr *)&to, sizeof to)));
    // Loopback: this socket sees the request as it arrives, then the reply; each with the IPv4 header first. Messages of
    // other programs' pings are skipped by identifier.
    int seen = 0;
    for (int tries = 0; tries < 20 && seen < 2; tries++)
    {
        struct pollfd entry = { fd, POLLIN, 0 };
        if (poll(&entry, 1, 2000) != 1)
            break;
        unsigned char datagram[256];
        struct sockaddr_in from;
        socklen_t from_length = sizeof from;
        ssize_t got = recvfrom(fd, datagram, sizeof datagram, 0, (struct sockaddr *)&from, &from_length);
        struct iphdr *header = (struct iphdr *)datagram;
        if (got < 28)
            continue;
        struct icmphdr *icmp = (struct icmphdr *)(datagram + header->ihl * 4);
        if (icmp->un.echo.id != htons(0x5e5e))
            continue;
        seen++;
        say("received %zd bytes: version %d, header %d, total length %d, protocol %d, from %s port %d, type %d, sequence %d, data %s, checksum %s",
            got, header->version, header->ihl * 4, ntohs(header->tot_len), header->protocol, inet_ntoa(from.sin_addr), ntohs(from.sin_port),
            icmp->type, ntohs(icmp->un.echo.sequence), (char *)(icmp + 1), yes(checksum(icmp, got - header->ihl * 4) == 0));
    }
    char small[10];
    sendto(fd, message, sizeof message, 0, (struct sockaddr *)&to, sizeof to);
    struct pollfd entry = { fd, POLLIN, 0 };
    poll(&entry, 1, 2000);
    say("recv into 10 bytes: %s", value(recv(fd, small, sizeof small, 0)));
    say("MSG_TRUNC: %s", value(recv(fd, small, sizeof small, MSG_TRUNC)));
    close(fd);
}

int main(void)
{
    interface_ioctls();
    netlink();
    raw_icmp();
    return 0;
}
