/* Files: open/openat/creat/close, read/write, pread/pwrite, readv/writev, lseek, dup/dup2/dup3, fcntl,
 * ftruncate/truncate, fsync/fdatasync, O_APPEND/O_TRUNC/O_EXCL/O_DIRECTORY/O_NOFOLLOW/O_CLOEXEC, holes, and the
 * errors: ENOENT, EEXIST, EISDIR, ENOTDIR, ELOOP, EBADF, EFAULT, EINVAL, ENAMETOOLONG. */
#include "difftest.h"
#include <limits.h>
#include <sys/uio.h>
#include <sys/sendfile.h>

static const char *contents(int fd, long offset, size_t length)
{
    char *text = scratch_string();
    if (length > 60)
        length = 60;
    ssize_t got = pread(fd, text, length, offset);
    if (got < 0)
        return errno_name(errno);
    text[got] = '\0';
    return text;
}

int main(void)
{
    scratch_enter("files");

    /* open, write, read back */
    int fd = open("a.txt", O_RDWR | O_CREAT | O_EXCL, 0644);
    check("open O_CREAT|O_EXCL gives a descriptor", fd >= 0);
    check("the lowest free descriptor (3)", fd == 3);
    say("write 11 bytes: %s", value(write(fd, "hello world", 11)));
    say("lseek SEEK_CUR 0: %s", value(lseek(fd, 0, SEEK_CUR)));
    say("lseek SEEK_SET 0: %s", value(lseek(fd, 0, SEEK_SET)));
    char buffer[128] = { 0 };
    say("read 5: %s", value(read(fd, buffer, 5)));
    say("read text: %.5s", buffer);
    say("read 100 (short, to the end): %s", value(read(fd, buffer, 100)));
    say("read at the end: %s", value(read(fd, buffer, 100)));
    say("lseek SEEK_END -5: %s", value(lseek(fd, -5, SEEK_END)));
    memset(buffer, 0, sizeof buffer);
    say("read after SEEK_END: %s", value(read(fd, buffer, 10)));
    say("text: %s", buffer);
    say("lseek SEEK_SET -1: %s", failure(lseek(fd, -1, SEEK_SET)));
    say("lseek whence 42: %s", failure(lseek(fd, 0, 42)));
    say("offset unchanged by the failed seeks: %s", value(lseek(fd, 0, SEEK_CUR)));
    say("read count 0: %s", value(read(fd, buffer, 0)));
    say("write count 0: %s", value(write(fd, buffer, 0)));

    /* pread/pwrite leave the offset alone */
    say("pwrite 3 at 6: %s", value(pwrite(fd, "WOR", 3, 6)));
    say("pread 11 at 0: %s", contents(fd, 0, 11));
    say("offset after pread/pwrite: %s", value(lseek(fd, 0, SEEK_CUR)));
    say("pread at offset -1: %s", failure(pread(fd, buffer, 1, -1)));
    say("pwrite at offset -1: %s", failure(pwrite(fd, "x", 1, -1)));
    say("pread beyond the end: %s", value(pread(fd, buffer, 10, 1000)));

    /* a hole: writing past the end reads back as zeros */
    say("pwrite 1 byte at 100: %s", value(pwrite(fd, "Z", 1, 100)));
    struct stat status;
    fstat(fd, &status);
    say("size after the hole: %lld", (long long)status.st_size);
    memset(buffer, 'x', sizeof buffer);
    ssize_t got = pread(fd, buffer, 20, 50);
    int zeros = 1;
    for (int i = 0; i < 20; i++)
        zeros &= buffer[i] == 0;
    say("pread 20 in the hole: %s", value(got));
    check("the hole reads as zeros", zeros);
    say("lseek SEEK_END 0: %s", value(lseek(fd, 0, SEEK_END)));
    say("lseek past the end (SEEK_SET 4096): %s", value(lseek(fd, 4096, SEEK_SET)));
    fstat(fd, &status);
    say("size unchanged by the seek: %lld", (long long)status.st_size);

    /* readv / writev */
    struct iovec vectors[3] = { { "one,", 4 }, { "two,", 4 }, { "three", 5 } };
    int v = open("v.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
    say("writev 3 buffers: %s", value(writev(v, vectors, 3)));
    char first[3] = { 0 }, second[20] = { 0 };
    struct iovec into[2] = { { first, 2 }, { second, sizeof second - 1 } };
    lseek(v, 0, SEEK_SET);
    say("readv into 2 buffers: %s", value(readv(v, into, 2)));
    say("readv buffers: '%.2s' '%s'", first, second);
    say("writev iovcnt -1: %s", failure(writev(v, vectors, (int)(long)opaque((void *)-1L))));
    say("writev iovcnt IOV_MAX+1: %s", failure(writev(v, opaque(vectors), IOV_MAX + 1)));
    say("writev iovcnt 0: %s", value(writev(v, vectors, 0)));
    say("readv with a bad iovec pointer: %s", failure(readv(v, BAD_KERNEL, 1)));
    struct iovec bad_base[1] = { { BAD_KERNEL, 4 } };
    say("writev with a bad buffer: %s", failure(writev(v, bad_base, 1)));
    memset(first, 0, sizeof first);
    memset(second, 0, sizeof second);
    say("preadv at 4: %s", value(preadv(v, into, 2, 4)));
    say("preadv buffers: '%.2s' '%s'", first, second);
    say("pwritev at 0: %s", value(pwritev(v, vectors + 2, 1, 0)));
    say("file after pwritev: %s", contents(v, 0, 20));
    close(v);

    /* O_APPEND, O_TRUNC */
    int a = open("a.txt", O_WRONLY | O_APPEND);
    say("open O_APPEND: %s", outcome(a));
    lseek(a, 0, SEEK_SET);
    say("write with O_APPEND: %s", value(write(a, "!", 1)));
    fstat(a, &status);
    say("O_APPEND wrote at the end (size): %lld", (long long)status.st_size);
    say("pread 1 at 101: %s", contents(fd, 101, 1));
    close(a);
    int t = open("a.txt", O_RDWR | O_TRUNC);
    fstat(t, &status);
    say("size after O_TRUNC: %lld", (long long)status.st_size);
    close(t);

    /* ftruncate, truncate */
    say("ftruncate 5: %s", outcome(ftruncate(fd, 5)));
    fstat(fd, &status);
    say("size after ftruncate: %lld", (long long)status.st_size);
    say("ftruncate 3000 (grows): %s", outcome(ftruncate(fd, 3000)));
    fstat(fd, &status);
    say("size after growing: %lld", (long long)status.st_size);
    say("truncate by path to 7: %s", outcome(truncate("a.txt", 7)));
    fstat(fd, &status);
    say("size after truncate: %lld", (long long)status.st_size);
    say("ftruncate -1: %s", failure(ftruncate(fd, -1)));
    say("truncate missing file: %s", failure(truncate("missing", 0)));
    say("truncate a directory: %s", failure(truncate(".", 0)));
    int ro = open("a.txt", O_RDONLY);
    say("ftruncate a read-only descriptor: %s", failure(ftruncate(ro, 0)));
    say("write to a read-only descriptor: %s", failure(write(ro, "x", 1)));
    int wo = open("a.txt", O_WRONLY);
    say("read from a write-only descriptor: %s", failure(read(wo, buffer, 1)));
    close(wo);
    say("fsync: %s", outcome(fsync(fd)));
    say("fdatasync: %s", outcome(fdatasync(fd)));

    /* dup, dup2, dup3, fcntl */
    int d = dup(fd);
    check("dup gives the lowest free descriptor", d == ro + 1);
    lseek(fd, 2, SEEK_SET);
    say("dup shares the offset: %s", value(lseek(d, 0, SEEK_CUR)));
    say("dup2 onto 10: %s", value(dup2(fd, 10)));
    check("dup2 onto itself returns the descriptor", dup2(fd, fd) == fd);
    say("dup2 from a closed descriptor: %s", failure(dup2(55, 11)));
    say("dup2 onto -1: %s", failure(dup2(fd, -1)));
    say("dup3 onto itself: %s", failure(dup3(fd, fd, 0)));
    say("dup3 bad flags: %s", failure(dup3(fd, 12, 0x1)));
    say("dup3 O_CLOEXEC onto 12: %s", value(dup3(fd, 12, O_CLOEXEC)));
    say("fcntl F_GETFD on 12: %s", value(fcntl(12, F_GETFD)));
    say("fcntl F_GETFD on 10: %s", value(fcntl(10, F_GETFD)));
    say("fcntl F_SETFD FD_CLOEXEC: %s", outcome(fcntl(10, F_SETFD, FD_CLOEXEC)));
    say("fcntl F_GETFD after: %s", value(fcntl(10, F_GETFD)));
    say("fcntl F_DUPFD from 20: %s", value(fcntl(fd, F_DUPFD, 20)));
    say("fcntl F_DUPFD_CLOEXEC from 20: %s", value(fcntl(fd, F_DUPFD_CLOEXEC, 20)));
    say("fcntl F_GETFD on 21: %s", value(fcntl(21, F_GETFD)));
    say("fcntl F_DUPFD from -1: %s", failure(fcntl(fd, F_DUPFD, -1)));
    say("fcntl F_GETFL (O_RDWR): %s", yes((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR));
    say("fcntl F_SETFL O_APPEND|O_NONBLOCK: %s", outcome(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK)));
    int flags = fcntl(fd, F_GETFL);
    say("F_GETFL has O_APPEND: %s, O_NONBLOCK: %s, still O_RDWR: %s", yes(flags & O_APPEND), yes(flags & O_NONBLOCK),
        yes((flags & O_ACCMODE) == O_RDWR));
    say("F_GETFL through the dup sees them: %s", yes((fcntl(d, F_GETFL) & O_APPEND) != 0));
    say("fcntl unknown command: %s", failure(fcntl(fd, 9999)));
    say("fcntl on a closed descriptor: %s", failure(fcntl(55, F_GETFD)));
    say("close 10: %s", outcome(close(10)));
    say("close 10 again: %s", failure(close(10)));
    say("close -1: %s", failure(close(-1)));
    say("read on a closed descriptor: %s", failure(read(10, buffer, 1)));
    say("write on descriptor 1000000: %s", failure(write(1000000, buffer, 1)));
    say("lseek on a closed descriptor: %s", failure(lseek(10, 0, SEEK_SET)));
    close(11); close(12); close(20); close(21); close(d); close(ro);

    /* bad buffers (with data to read: a read at the end never touches its buffer) */
    lseek(fd, 0, SEEK_SET);
    say("read into the null page: %s", failure(read(fd, BAD_NULL, 4)));
    lseek(fd, 0, SEEK_SET);
    say("read into a kernel address: %s", failure(read(fd, BAD_KERNEL, 4)));
    say("write from a kernel address: %s", failure(write(fd, BAD_KERNEL, 4)));
    say("write from a non-canonical address: %s", failure(write(fd, BAD_NONCANONICAL, 4)));
    say("open with a bad path pointer: %s", failure(open(BAD_KERNEL, O_RDONLY)));

    /* open's errors and flags */
    say("open missing: %s", failure(open("missing", O_RDONLY)));
    say("open missing/inside: %s", failure(open("missing/inside", O_RDONLY | O_CREAT, 0644)));
    say("open O_CREAT|O_EXCL existing: %s", failure(open("a.txt", O_RDWR | O_CREAT | O_EXCL, 0644)));
    say("open a directory for writing: %s", failure(open(".", O_WRONLY)));
    say("open a directory read-only: %s", outcome(t = open(".", O_RDONLY)));
    close(t);
    say("open a file with O_DIRECTORY: %s", failure(open("a.txt", O_RDONLY | O_DIRECTORY)));
    say("open file/ (trailing slash): %s", failure(open("a.txt/", O_RDONLY)));
    say("open through a file (a.txt/x): %s", failure(open("a.txt/x", O_RDONLY)));
    say("open empty path: %s", failure(open("", O_RDONLY)));
    char long_name[NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    say("open a 256-byte name: %s", failure(open(long_name, O_RDONLY | O_CREAT, 0644)));
    symlink("a.txt", "link");
    say("open a symlink with O_NOFOLLOW: %s", failure(open("link", O_RDONLY | O_NOFOLLOW)));
    say("open a symlink: %s", outcome(t = open("link", O_RDONLY)));
    close(t);
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    say("open a symlink loop: %s", failure(open("loop1", O_RDONLY)));
    symlink("nowhere", "dangling");
    say("open a dangling symlink: %s", failure(open("dangling", O_RDONLY)));
    say("open O_CREAT|O_EXCL on a dangling symlink: %s", failure(open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644)));
    check("O_EXCL made no target", access("nowhere", F_OK) != 0);
    say("open O_CREAT through a dangling symlink: %s", outcome(t = open("dangling", O_WRONLY | O_CREAT, 0644)));
    close(t);
    check("it made the target", access("nowhere", F_OK) == 0);
    say("creat: %s", outcome(t = creat("c.txt", 0644)));
    say("creat gives a write-only descriptor: %s", yes((fcntl(t, F_GETFL) & O_ACCMODE) == O_WRONLY));
    close(t);
    int cx = open("c.txt", O_RDONLY | O_CLOEXEC);
    say("O_CLOEXEC sets FD_CLOEXEC: %s", value(fcntl(cx, F_GETFD)));
    close(cx);

    /* openat */
    mkdir("sub", 0755);
    say("open O_CREAT|O_EXCL on a directory: %s", failure(open("sub", O_RDWR | O_CREAT | O_EXCL, 0644)));
    int dir = open("sub", O_RDONLY | O_DIRECTORY);
    say("openat O_CREAT relative to a directory: %s", outcome(t = openat(dir, "inner", O_WRONLY | O_CREAT, 0600)));
    close(t);
    check("the file is in the directory", access("sub/inner", F_OK) == 0);
    say("openat AT_FDCWD: %s", outcome(t = openat(AT_FDCWD, "sub/inner", O_RDONLY)));
    close(t);
    say("openat an absolute path ignores the bad descriptor: %s", outcome(t = openat(999, scratch_path, O_RDONLY)));
    close(t);
    say("openat relative to a closed descriptor: %s", failure(openat(999, "inner", O_RDONLY)));
    say("openat relative to a file: %s", failure(openat(fd, "inner", O_RDONLY)));
    close(dir);
    close(fd);

    /* sendfile: file to file at an offset (the input's own offset untouched), at the input's offset, into a pipe,
     * and its errors */
    int source = open("sendfile-source", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(source, "0123456789abcdef", 16);
    lseek(source, 4, SEEK_SET);
    int target = open("sendfile-target", O_RDWR | O_CREAT | O_TRUNC, 0644);
    off_t from = 10;
    long sent = sendfile(target, source, &from, 100);
    say("sendfile from offset 10: %ld, offset now %ld, the input's own offset still %ld", sent, (long)from,
        (long)lseek(source, 0, SEEK_CUR));
    sent = sendfile(target, source, NULL, 3);
    say("sendfile at the input's offset: %ld, its offset now %ld", sent, (long)lseek(source, 0, SEEK_CUR));
    char copied[32] = { 0 };
    pread(target, copied, sizeof copied - 1, 0);
    say("the target holds: %s", copied);
    int ends[2];
    pipe(ends);
    sent = sendfile(ends[1], source, NULL, 1000);
    memset(copied, 0, sizeof copied);
    say("sendfile into a pipe: %ld, read back: %s", sent, read(ends[0], copied, sizeof copied - 1) > 0 ? copied : "nothing");
    say("sendfile at the end of the input: %s", outcome(sendfile(target, source, NULL, 10)));
    say("sendfile from a bad descriptor: %s", failure(sendfile(target, 999, NULL, 10)));
    say("sendfile to a read-only descriptor: %s", failure(sendfile(open("sendfile-source", O_RDONLY), source, &from, 10)));
    int appending = open("sendfile-target", O_WRONLY | O_APPEND);
    from = 0;
    say("sendfile to an O_APPEND file: %s", failure(sendfile(appending, source, &from, 10)));
    from = -1;
    say("sendfile from a negative offset: %s", failure(sendfile(target, source, &from, 10)));
    say("sendfile with a bad offset pointer: %s", failure(sendfile(target, source, BAD_KERNEL, 10)));
    close(appending);
    close(ends[0]);
    close(ends[1]);
    close(source);
    close(target);
    unlink("sendfile-source");
    unlink("sendfile-target");

    scratch_leave();
    return 0;
}
