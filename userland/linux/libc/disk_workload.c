/*
 * disk_workload DIR COUNT: a file system workload on the disk mounted at DIR (DiskWorkloadBootTests runs it on Exo-OS's
 * extfs; the host's e2fsck and debugfs then check the image). Every step prints one line that does not depend on the
 * file system's layout, so the same binary prints the same lines on Linux's ext4:
 *   1. COUNT files with content in nested directories DIR/work/dA/dB/fN (10 x 10 directories)
 *   2. every directory listed and every file read back and compared
 *   3. the even-numbered half deleted; the listing and the odd half checked again
 *   4. a sparse file: 24 bytes written at 5 GiB; its size, zeros before them (at 0, 1 GiB and 4 GiB) and the bytes
 *   5. a file grown in 16 KiB writes until the disk is full: the write fails with ENOSPC (no crash), the system goes
 *      on, and once that file is deleted a new file can be written
 *   6. O_DIRECT reads (on Exo-OS from the disk's driver itself, at the blocks extfs maps) of a file written just before
 *      (still in extfs's cache), after part of it is overwritten, after it is truncated, and over a hole
 *   7. sync
 * A failed check prints "FAILED: ..." and exits with status 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *root;

static void fail(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    printf("FAILED: ");
    vprintf(format, arguments);
    printf(" (errno %d: %s)\n", errno, strerror(errno));
    va_end(arguments);
    exit(1);
}

static void file_path(char *path, size_t size, int number)
{
    snprintf(path, size, "%s/work/d%d/d%d/f%d", root, number % 10, (number / 10) % 10, number);
}

/* The content of file N: its own name, repeated 1 to 8 times (15 to 160 bytes or so). */
static int file_content(char *content, size_t size, int number)
{
    int length = 0;
    for (int i = 0; i <= number % 8; i++)
        length += snprintf(content + length, size - (size_t)length, "file %d line %d\n", number, i);
    return length;
}

static void write_all(int descriptor, const char *data, int length, const char *what)
{
    if (write(descriptor, data, (size_t)length) != length)
        fail("write of %s", what);
}

static void check_file(int number)
{
    char path[256], expected[256], found[512];
    file_path(path, sizeof path, number);
    int length = file_content(expected, sizeof expected, number);
    int descriptor = open(path, O_RDONLY);
    if (descriptor < 0)
        fail("open of %s", path);
    ssize_t got = read(descriptor, found, sizeof found);
    close(descriptor);
    if (got != length || memcmp(found, expected, (size_t)length) != 0)
        fail("content of %s (%zd bytes, %d expected)", path, got, length);
}

/* Entries of DIR/work/dA/dB other than . and .., summed over all 100 directories. */
static int count_listed(void)
{
    int total = 0;
    char path[256];
    for (int a = 0; a < 10; a++)
        for (int b = 0; b < 10; b++) {
            snprintf(path, sizeof path, "%s/work/d%d/d%d", root, a, b);
            DIR *directory = opendir(path);
            if (directory == NULL)
                fail("opendir of %s", path);
            struct dirent *entry;
            while ((entry = readdir(directory)) != NULL)
                if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
                    total++;
            closedir(directory);
        }
    return total;
}

static void make_directories(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/work", root);
    if (mkdir(path, 0755) != 0)
        fail("mkdir %s", path);
    for (int a = 0; a < 10; a++) {
        snprintf(path, sizeof path, "%s/work/d%d", root, a);
        if (mkdir(path, 0755) != 0)
            fail("mkdir %s", path);
        for (int b = 0; b < 10; b++) {
            snprintf(path, sizeof path, "%s/work/d%d/d%d", root, a, b);
            if (mkdir(path, 0755) != 0)
                fail("mkdir %s", path);
        }
    }
}

static void many_files(int count)
{
    make_directories();
    char path[256], content[256];
    for (int number = 0; number < count; number++) {
        file_path(path, sizeof path, number);
        int descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (descriptor < 0)
            fail("create of %s", path);
        write_all(descriptor, content, file_content(content, sizeof content, number), path);
        if (close(descriptor) != 0)
            fail("close of %s", path);
    }
    printf("created %d files in 100 directories\n", count);
    file_path(path, sizeof path, 0);
    errno = 0;
    if (open(path, O_CREAT | O_EXCL | O_WRONLY, 0644) >= 0 || errno != EEXIST)
        fail("O_EXCL create of the existing %s: not EEXIST", path);
    snprintf(path, sizeof path, "%s/work/d0", root);
    errno = 0;
    if (open(path, O_CREAT | O_EXCL | O_WRONLY, 0644) >= 0 || errno != EEXIST)
        fail("O_EXCL create of the directory %s: not EEXIST", path);
    int listed = count_listed();
    if (listed != count)
        fail("listing: %d entries, %d expected", listed, count);
    for (int number = 0; number < count; number++)
        check_file(number);
    printf("listed and read back %d files\n", count);
    for (int number = 0; number < count; number += 2) {
        file_path(path, sizeof path, number);
        if (unlink(path) != 0)
            fail("unlink of %s", path);
    }
    listed = count_listed();
    if (listed != count / 2)
        fail("listing after the deletions: %d entries, %d expected", listed, count / 2);
    for (int number = 1; number < count; number += 2)
        check_file(number);
    errno = 0;
    file_path(path, sizeof path, 0);
    if (access(path, F_OK) == 0 || errno != ENOENT)
        fail("a deleted file is still there: %s", path);
    printf("deleted %d files, %d left and read back\n", count - count / 2, count / 2);
}

static void sparse_file(void)
{
    static const char data[] = "data written at 5 GiB.\n";
    const off_t at = 5ll << 30;
    char path[256], buffer[4096];
    snprintf(path, sizeof path, "%s/sparse", root);
    int descriptor = open(path, O_CREAT | O_RDWR, 0644);
    if (descriptor < 0)
        fail("create of %s", path);
    if (pwrite(descriptor, data, sizeof data - 1, at) != (ssize_t)(sizeof data - 1))
        fail("pwrite at 5 GiB");
    struct stat status;
    if (fstat(descriptor, &status) != 0 || status.st_size != at + (off_t)sizeof data - 1)
        fail("size of the sparse file: %lld", (long long)status.st_size);
    /* A few blocks at most (the data's and the extent tree's), not 5 GiB of them. */
    if (status.st_blocks > 64)
        fail("the sparse file has %lld blocks", (long long)status.st_blocks);
    const off_t holes[] = { 0, 1ll << 30, 4ll << 30, at - (off_t)sizeof buffer };
    for (size_t i = 0; i < sizeof holes / sizeof holes[0]; i++) {
        memset(buffer, 0x55, sizeof buffer);
        if (pread(descriptor, buffer, sizeof buffer, holes[i]) != (ssize_t)sizeof buffer)
            fail("pread of the hole at %lld", (long long)holes[i]);
        for (size_t j = 0; j < sizeof buffer; j++)
            if (buffer[j] != 0)
                fail("byte %zu of the hole at %lld is %d", j, (long long)holes[i], buffer[j]);
    }
    memset(buffer, 0, sizeof buffer);
    if (pread(descriptor, buffer, sizeof buffer, at) != (ssize_t)(sizeof data - 1) || memcmp(buffer, data, sizeof data - 1) != 0)
        fail("the data at 5 GiB");
    close(descriptor);
    printf("sparse file: size %lld, holes read as zeros, data read back\n", (long long)status.st_size);
}

static void fill_disk(void)
{
    char path[256], after[256];
    static char chunk[16384];
    memset(chunk, 'x', sizeof chunk);
    snprintf(path, sizeof path, "%s/fill", root);
    int descriptor = open(path, O_CREAT | O_WRONLY, 0644);
    if (descriptor < 0)
        fail("create of %s", path);
    long long written = 0;
    while (1) {
        ssize_t done = write(descriptor, chunk, sizeof chunk);
        if (done < 0)
            break;
        written += done;
        if (written > (1ll << 30))
            fail("1 GiB written to a small disk without ENOSPC");
    }
    if (errno != ENOSPC)
        fail("filling the disk ended without ENOSPC");
    if (written < (1 << 20))
        fail("ENOSPC after only %lld bytes", written);
    if (close(descriptor) != 0 && errno != ENOSPC)
        fail("close of the full file");
    printf("filled the disk: ENOSPC, more than 1 MiB written\n");
    if (unlink(path) != 0)
        fail("unlink of %s", path);
    snprintf(after, sizeof after, "%s/after-full", root);
    descriptor = open(after, O_CREAT | O_WRONLY, 0644);
    if (descriptor < 0)
        fail("create of %s after deleting the full file", after);
    write_all(descriptor, chunk, sizeof chunk, after);
    write_all(descriptor, chunk, sizeof chunk, after);
    close(descriptor);
    printf("deleted it: 32 KiB written again\n");
}

/* The byte at offset x of generation g of the direct-read file. */
static unsigned char direct_byte(long long x, int generation)
{
    return (unsigned char)(x * 7 + x / 4096 + generation * 91);
}

static void check_direct(int descriptor, unsigned char *buffer, long long at, size_t length, ssize_t expected_length,
                         const unsigned char *expected, const char *what)
{
    memset(buffer, 0x55, length);
    ssize_t got = pread(descriptor, buffer, length, at);
    if (got != expected_length)
        fail("O_DIRECT read of %zu bytes at %lld (%s): %zd", length, at, what, got);
    if (memcmp(buffer, expected, (size_t)got) != 0)
        fail("O_DIRECT read at %lld (%s): wrong bytes", at, what);
}

static void direct_reads(void)
{
    enum { size = 256 << 10, block = 4096 };
    char path[256], holed[256];
    unsigned char *data, *buffer;
    if (posix_memalign((void **)&data, block, size) != 0 || posix_memalign((void **)&buffer, block, size) != 0)
        fail("posix_memalign");
    snprintf(path, sizeof path, "%s/direct", root);
    int writer = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
    for (long long x = 0; x < size; x++)
        data[x] = direct_byte(x, 0);
    if (writer < 0)
        fail("create of %s", path);
    write_all(writer, (const char *)data, size, path);
    int reader = open(path, O_RDONLY | O_DIRECT);
    if (reader < 0)
        fail("open O_DIRECT of %s", path);
    const long long offsets[] = { 0, 4096, 65536, 200704, size - block };
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        check_direct(reader, buffer, offsets[i], block, block, data + offsets[i], "written just before");
    check_direct(reader, buffer, 0, size, size, data, "the whole file");
    /* Part of it overwritten: the next direct read sees the new bytes. */
    for (long long x = 8192; x < 8192 + 3 * block; x++)
        data[x] = direct_byte(x, 1);
    if (pwrite(writer, data + 8192, 3 * block, 8192) != 3 * block)
        fail("pwrite over %s", path);
    check_direct(reader, buffer, 8192, block, block, data + 8192, "overwritten");
    check_direct(reader, buffer, 0, 64 << 10, 64 << 10, data, "overwritten, around");
    /* Truncated: a read over the new end is short, one past it reads nothing. */
    if (ftruncate(writer, 100000) != 0)
        fail("ftruncate of %s", path);
    check_direct(reader, buffer, 98304, block, 100000 - 98304, data + 98304, "over the new end");
    check_direct(reader, buffer, 102400, block, 0, data, "past the new end");
    close(reader);
    close(writer);
    /* A hole reads as zeros, and the data after it as written. */
    snprintf(holed, sizeof holed, "%s/direct-holed", root);
    writer = open(holed, O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (writer < 0 || pwrite(writer, data, block, 1 << 20) != block)
        fail("the holed file %s", holed);
    reader = open(holed, O_RDONLY | O_DIRECT);
    if (reader < 0)
        fail("open O_DIRECT of %s", holed);
    memset(buffer + size / 2, 0, block);
    check_direct(reader, buffer, 65536, block, block, buffer + size / 2, "a hole");
    check_direct(reader, buffer, 1 << 20, block, block, data, "after a hole");
    close(reader);
    close(writer);
    if (unlink(path) != 0 || unlink(holed) != 0)
        fail("unlink of the direct-read files");
    free(data);
    free(buffer);
    printf("direct reads: what was written, overwritten, truncated and a hole read back\n");
}

int main(int argc, char **argv)
{
    if (argc != 3)
        fail("usage: disk_workload DIR COUNT");
    setvbuf(stdout, NULL, _IONBF, 0);
    root = argv[1];
    int count = atoi(argv[2]);
    many_files(count);
    sparse_file();
    fill_disk();
    direct_reads();
    sync();
    printf("synced\n");
    return 0;
}
