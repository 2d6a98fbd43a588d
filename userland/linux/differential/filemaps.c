/* File mappings: mmap of a regular file, private (copy on write: the program's changes stay its own, the file's
 * untouched pages follow the file) and shared (one page for every mapper, for read(2) and write(2) too), at an
 * offset, past the end of the file in the last page (zeros), mprotect of private file pages made writable, msync,
 * fork (shared pages stay shared, private ones are copied on write), munmap then reading the file back, and the
 * errors: a descriptor not open for reading (EACCES), MAP_SHARED with PROT_WRITE on a read-only descriptor (EACCES),
 * a directory (ENODEV), an unaligned offset (EINVAL), a bad descriptor (EBADF). Also a private read-only page of
 * anonymous memory shared with a fork child and then made writable by the parent: the child must not see the
 * parent's writes. */
#include "difftest.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096UL

/* A file of 'pages' pages, page i filled with 'a' + i, and 'tail' more bytes of 'z'. */
static int make_file(const char *path, int pages, size_t tail)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    char buffer[PAGE];
    for (int i = 0; i < pages; i++) {
        memset(buffer, 'a' + i, PAGE);
        if (write(fd, buffer, PAGE) != (ssize_t)PAGE)
            return -1;
    }
    memset(buffer, 'z', tail);
    if (tail > 0 && write(fd, buffer, tail) != (ssize_t)tail)
        return -1;
    return fd;
}

static char read_byte(int fd, off_t offset)
{
    char c = 0;
    if (pread(fd, &c, 1, offset) != 1)
        return '?';
    return c;
}

int main(void)
{
    scratch_enter("filemaps");

    int fd = make_file("data", 3, 100);
    say("file of 3 pages and 100 bytes: %s", yes(fd >= 0));

    /* private, read-only */
    char *readonly = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    say("mmap private read-only: %s", yes(readonly != MAP_FAILED));
    check("page 0 holds a", all_bytes(readonly, PAGE, 'a'));
    check("page 2 holds c", all_bytes(readonly + 2 * PAGE, PAGE, 'c'));
    check("the last page holds the tail", all_bytes(readonly + 3 * PAGE, 100, 'z'));
    check("and zeros after the end of the file", all_bytes(readonly + 3 * PAGE + 100, PAGE - 100, 0));
    say("mprotect it writable: %s", outcome(mprotect(readonly, PAGE, PROT_READ | PROT_WRITE)));
    readonly[0] = 'P';
    check("the private write is seen in the mapping", readonly[0] == 'P');
    say("but not in the file: %c", read_byte(fd, 0));
    say("munmap: %s", outcome(munmap(readonly, 4 * PAGE)));

    /* private, writable, at an offset */
    char *priv = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
    say("mmap private writable at offset 1 page: %s", yes(priv != MAP_FAILED));
    check("its first page is the file's second", all_bytes(priv, PAGE, 'b'));
    memset(priv, 'q', 10);
    check("written privately", priv[0] == 'q' && priv[9] == 'q' && priv[10] == 'b');
    say("the file keeps: %c", read_byte(fd, PAGE));
    say("pwrite to the file's third page: %s", value(pwrite(fd, "WXYZ", 4, 2 * PAGE)));
    say("an untouched private page follows the file: %c", priv[PAGE]);
    say("a written private page does not: %c", priv[0]);

    /* shared */
    char *shared = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    say("mmap shared writable: %s", yes(shared != MAP_FAILED));
    check("it sees the pwrite", memcmp(shared + 2 * PAGE, "WXYZ", 4) == 0);
    memcpy(shared + 5, "hello", 5);
    char back[6] = {0};
    say("read(2) sees the shared write: %s", value(pread(fd, back, 5, 5)));
    say("  as: %s", back);
    say("pwrite seen by the shared mapping: %s", value(pwrite(fd, "!!", 2, 100)));
    check("  yes", shared[100] == '!' && shared[101] == '!');
    say("msync: %s", outcome(msync(shared, 3 * PAGE, MS_SYNC)));
    say("msync of an unaligned address: %s", failure(msync(shared + 1, PAGE, MS_SYNC)));

    /* fork: shared stays shared, private is copied */
    pid_t child = fork();
    if (child == 0) {
        shared[200] = 'C';
        priv[1] = 'c';
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    say("the child's shared write is seen by the parent: %c", shared[200]);
    say("the child's private write is not: %c", priv[1]);
    say("munmap the shared mapping: %s", outcome(munmap(shared, 3 * PAGE)));
    say("the file keeps the shared writes: %c%c", read_byte(fd, 5), read_byte(fd, 200));
    say("munmap the private mapping: %s", outcome(munmap(priv, 2 * PAGE)));

    /* a mapping of a closed descriptor stays */
    char *kept = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
    say("mmap then close: %s", yes(kept != MAP_FAILED));
    close(fd);
    say("the mapping outlives the descriptor: %c", kept[0]);
    munmap(kept, PAGE);

    /* errors */
    int writeonly = open("data", O_WRONLY);
    say("mmap of a write-only descriptor: %s", failure((long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, writeonly, 0)));
    close(writeonly);
    int readonlyfd = open("data", O_RDONLY);
    say("MAP_SHARED PROT_WRITE on a read-only descriptor: %s",
        failure((long)mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, readonlyfd, 0)));
    char *privrw = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, readonlyfd, 0);
    say("MAP_PRIVATE PROT_WRITE on a read-only descriptor: %s", yes(privrw != MAP_FAILED));
    say("an unaligned offset: %s", failure((long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, readonlyfd, 100)));
    close(readonlyfd);
    int directory = open(".", O_RDONLY | O_DIRECTORY);
    say("a directory: %s", failure((long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, directory, 0)));
    close(directory);
    say("a bad descriptor: %s", failure((long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 9999, 0)));

    /* anonymous read-only memory shared with a child, then made writable by the parent */
    char *anonymous = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(anonymous, 'o', PAGE);
    mprotect(anonymous, PAGE, PROT_READ);
    int pipe_ends[2];
    pipe(pipe_ends);
    child = fork();
    if (child == 0) {
        char go;
        read(pipe_ends[0], &go, 1);   /* the parent has written by now */
        char seen = anonymous[0];
        write(pipe_ends[1], &seen, 1);
        _exit(0);
    }
    say("parent mprotects the shared read-only page writable: %s", outcome(mprotect(anonymous, PAGE, PROT_READ | PROT_WRITE)));
    anonymous[0] = 'X';
    write(pipe_ends[1], "g", 1);
    waitpid(child, &status, 0);
    char seen = '?';
    read(pipe_ends[0], &seen, 1);
    say("the child still sees its copy: %c", seen);

    scratch_leave();
    return 0;
}
