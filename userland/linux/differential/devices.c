/* The memory devices: /dev/null (reads end at once, writes vanish), /dev/zero (zeros, also through readv and into
 * anonymous memory), /dev/full (ENOSPC), /dev/random and /dev/urandom (bytes that differ), seeking them, their
 * ioctl (ENOTTY), and opening them with O_CREAT, O_TRUNC, O_EXCL. */
#include "difftest.h"
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <termios.h>

int main(void)
{
    char buffer[4096];

    int null = open("/dev/null", O_RDWR);
    say("open /dev/null: %s", outcome(null));
    say("read /dev/null: %s", value(read(null, buffer, sizeof buffer)));
    say("write 4096 to /dev/null: %s", value(write(null, buffer, sizeof buffer)));
    say("write to /dev/null from a kernel address (the range is checked first): %s", value(write(null, BAD_KERNEL, 16)));
    say("read /dev/null into a kernel address (the range is checked first): %s", value(read(null, BAD_KERNEL, 16)));
    say("lseek /dev/null to 1000: %s", value(lseek(null, 1000, SEEK_SET)));
    say("pread /dev/null: %s", value(pread(null, buffer, 10, 5)));
    say("pwrite /dev/null: %s", value(pwrite(null, buffer, 10, 5)));
    struct termios terminal;
    say("tcgetattr on /dev/null: %s", failure(ioctl(null, TCGETS, &terminal)));
    check("/dev/null is not a terminal (isatty)", !isatty(null));
    say("ftruncate /dev/null: %s", failure(ftruncate(null, 0)));
    close(null);
    say("open /dev/null O_WRONLY|O_CREAT|O_TRUNC: %s", outcome(null = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644)));
    close(null);
    say("open /dev/null O_CREAT|O_EXCL: %s", failure(open("/dev/null", O_WRONLY | O_CREAT | O_EXCL, 0644)));
    say("open /dev/null O_DIRECTORY: %s", failure(open("/dev/null", O_RDONLY | O_DIRECTORY)));

    int zero = open("/dev/zero", O_RDWR);
    say("open /dev/zero: %s", outcome(zero));
    memset(buffer, 'x', sizeof buffer);
    say("read 4096 from /dev/zero: %s", value(read(zero, buffer, sizeof buffer)));
    int all = 1;
    for (size_t i = 0; i < sizeof buffer; i++)
        all &= buffer[i] == 0;
    check("all zeros", all);
    say("write to /dev/zero: %s", value(write(zero, "abc", 3)));
    say("read /dev/zero into a bad buffer: %s", failure(read(zero, BAD_KERNEL, 16)));
    char first[3] = "xx", second[5] = "xxxx";
    struct iovec vectors[2] = { { first, 2 }, { second, 4 } };
    say("readv /dev/zero: %s", value(readv(zero, vectors, 2)));
    check("both buffers zeroed", first[0] == 0 && first[1] == 0 && second[0] == 0 && second[3] == 0);
    char *page = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(page, 'y', 3 * 4096);
    say("read 3 pages from /dev/zero into anonymous memory: %s", value(read(zero, page, 3 * 4096)));
    all = 1;
    for (int i = 0; i < 3 * 4096; i++)
        all &= page[i] == 0;
    check("the memory is zero", all);
    munmap(page, 3 * 4096);
    say("lseek /dev/zero: %s", value(lseek(zero, 12345, SEEK_SET)));
    say("ioctl TCGETS on /dev/zero: %s", failure(ioctl(zero, TCGETS, &terminal)));
    close(zero);

    int full = open("/dev/full", O_RDWR);
    say("open /dev/full: %s", outcome(full));
    say("write to /dev/full: %s", failure(write(full, "x", 1)));
    say("write 0 bytes to /dev/full: %s", value(write(full, "x", 0)));
    memset(buffer, 'x', 64);
    say("read 64 from /dev/full: %s", value(read(full, buffer, 64)));
    check("it reads as zeros", buffer[0] == 0 && buffer[63] == 0);
    close(full);

    const char *randoms[2] = { "/dev/random", "/dev/urandom" };
    for (int r = 0; r < 2; r++) {
        int fd = open(randoms[r], O_RDONLY);
        say("open %s: %s", randoms[r], outcome(fd));
        unsigned char a[32], b[32];
        say("read 32: %s", value(read(fd, a, sizeof a)));
        say("read 32 again: %s", value(read(fd, b, sizeof b)));
        check("the two reads differ", memcmp(a, b, sizeof a) != 0);
        int nonzero = 0;
        for (int i = 0; i < 32; i++)
            nonzero |= a[i];
        check("not all zero", nonzero != 0);
        say("read 0: %s", value(read(fd, a, 0)));
        say("read into a bad buffer: %s", failure(read(fd, BAD_KERNEL, 16)));
        int w = open(randoms[r], O_WRONLY);
        say("write 4 bytes to %s: %s", randoms[r], value(write(w, "seed", 4)));
        close(w);
        close(fd);
    }

    int dev = open("/dev", O_RDONLY | O_DIRECTORY);
    say("open /dev as a directory: %s", outcome(dev));
    say("read a directory: %s", failure(read(dev, buffer, sizeof buffer)));
    close(dev);
    say("open /dev/missing: %s", failure(open("/dev/missing", O_RDONLY)));
    return 0;
}
