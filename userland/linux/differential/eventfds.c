/* eventfd: eventfd and eventfd2 (EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC), the counter's reads and writes (8 bytes,
 * EINVAL for less, a whole count or one at a time), EAGAIN when empty or when a write would pass the maximum, a
 * blocking read woken by a child's write, poll's readiness, fstat and lseek, and the errors EINVAL and EFAULT. */
#include "difftest.h"
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <sys/wait.h>

static const char *poll_events(int fd)
{
    struct pollfd entry = { fd, POLLIN | POLLOUT, 0 };
    int ready = poll(&entry, 1, 0);
    if (ready < 0)
        return errno_name(errno);
    char *text = scratch_string();
    snprintf(text, 64, "%s%s%s", (entry.revents & POLLIN) ? "IN " : "", (entry.revents & POLLOUT) ? "OUT " : "",
             (entry.revents & POLLERR) ? "ERR" : "");
    return text[0] ? text : "none";
}

static const char *read_counter(int fd)
{
    uint64_t value = 0;
    ssize_t got = read(fd, &value, sizeof value);
    if (got < 0)
        return errno_name(errno);
    char *text = scratch_string();
    snprintf(text, 64, "%zd bytes, %llu", got, (unsigned long long)value);
    return text;
}

static const char *write_counter(int fd, uint64_t value)
{
    ssize_t put = write(fd, &value, sizeof value);
    if (put < 0)
        return errno_name(errno);
    char *text = scratch_string();
    snprintf(text, 64, "%zd bytes", put);
    return text;
}

int main(void)
{
    int fd = eventfd(3, EFD_NONBLOCK);
    say("eventfd(3, EFD_NONBLOCK): %s", outcome(fd));
    say("poll with 3: %s", poll_events(fd));
    say("read: %s", read_counter(fd));
    say("read when 0: %s", read_counter(fd));
    say("poll with 0: %s", poll_events(fd));
    say("write 5: %s", write_counter(fd, 5));
    say("write 7: %s", write_counter(fd, 7));
    say("read the sum: %s", read_counter(fd));
    char small[4];
    say("read of 4 bytes: %s", failure(read(fd, small, sizeof small)));
    say("write of 4 bytes: %s", failure(write(fd, small, sizeof small)));
    uint64_t all = UINT64_MAX;
    say("write of UINT64_MAX: %s", failure(write(fd, &all, sizeof all)));
    say("write of UINT64_MAX - 1: %s", write_counter(fd, UINT64_MAX - 1));
    say("poll when full: %s", poll_events(fd));
    say("write 1 when full: %s", write_counter(fd, 1));
    say("write 0 when full: %s", write_counter(fd, 0));
    say("read the maximum: %s", read_counter(fd));
    say("write 1: %s", write_counter(fd, 1));
    say("read into a kernel address: %s", failure(read(fd, BAD_KERNEL, 8)));
    say("write from a bad pointer: %s", failure(write(fd, BAD_NULL, 8)));
    say("the count is still there: %s", read_counter(fd));
    say("lseek: %s", value(lseek(fd, 0, SEEK_SET)));
    say("pread: %s", failure(pread(fd, &all, 8, 0)));
    struct stat status;
    say("fstat: %s", outcome(fstat(fd, &status)));
    check("fstat: no file type, mode 0600", (status.st_mode & S_IFMT) == 0 && (status.st_mode & 0777) == 0600);
    int flags = fcntl(fd, F_GETFL);
    check("F_GETFL: O_RDWR and O_NONBLOCK", (flags & O_ACCMODE) == O_RDWR && (flags & O_NONBLOCK) != 0);
    close(fd);

    int semaphore = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
    say("eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC): %s", outcome(semaphore));
    check("close-on-exec set", (fcntl(semaphore, F_GETFD) & FD_CLOEXEC) != 0);
    say("semaphore read: %s", read_counter(semaphore));
    say("semaphore read: %s", read_counter(semaphore));
    say("semaphore read when 0: %s", read_counter(semaphore));
    close(semaphore);

    say("eventfd2 with a bad flag: %s", failure(syscall(SYS_eventfd2, 0, 0x10)));
    int plain = syscall(SYS_eventfd, 1);
    say("eventfd (284): %s", outcome(plain));
    check("no close-on-exec", (fcntl(plain, F_GETFD) & FD_CLOEXEC) == 0);
    check("blocking", (fcntl(plain, F_GETFL) & O_NONBLOCK) == 0);
    say("read: %s", read_counter(plain));

    /* A blocking read waits for a child's writes. */
    pid_t child = fork();
    if (child == 0) {
        struct timespec pause = { 0, 50 * 1000 * 1000 };
        nanosleep(&pause, NULL);
        uint64_t value = 42;
        _exit(write(plain, &value, sizeof value) == 8 ? 0 : 1);
    }
    say("blocking read woken by the child: %s", read_counter(plain));
    int status_code = 0;
    waitpid(child, &status_code, 0);
    check("the child wrote", WIFEXITED(status_code) && WEXITSTATUS(status_code) == 0);

    /* A blocking write waits for a read to make room. */
    uint64_t nearly = UINT64_MAX - 1;
    say("fill: %s", write_counter(plain, nearly));
    child = fork();
    if (child == 0) {
        struct timespec pause = { 0, 50 * 1000 * 1000 };
        nanosleep(&pause, NULL);
        uint64_t value;
        _exit(read(plain, &value, sizeof value) == 8 && value == UINT64_MAX - 1 ? 0 : 1);
    }
    say("blocking write woken by the child's read: %s", write_counter(plain, 9));
    waitpid(child, &status_code, 0);
    check("the child read the full count", WIFEXITED(status_code) && WEXITSTATUS(status_code) == 0);
    say("read what the write added: %s", read_counter(plain));
    close(plain);

    /* Ping-pong with a child over two eventfds, both sides in blocking reads (a lost wake-up would hang here). */
    int ping = eventfd(0, 0), pong = eventfd(0, 0);
    child = fork();
    if (child == 0) {
        for (int i = 0; i < 1000; i++) {
            uint64_t value;
            if (read(ping, &value, 8) != 8 || write(pong, &value, 8) != 8)
                _exit(1);
        }
        _exit(0);
    }
    int exchanges = 0;
    for (uint64_t i = 1; i <= 1000; i++) {
        uint64_t back = 0;
        if (write(ping, &i, 8) != 8 || read(pong, &back, 8) != 8 || back != i)
            break;
        exchanges++;
    }
    waitpid(child, &status_code, 0);
    say("exchanges with a child: %d, the child %s", exchanges, WIFEXITED(status_code) && WEXITSTATUS(status_code) == 0 ? "done" : "failed");
    close(ping);
    close(pong);
    return 0;
}
