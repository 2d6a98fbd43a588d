/*
 * The storage rows of `make bench`, on the ext4 file system mounted at DIR (the last argument): on Linux the kernel's
 * own ext4 on /dev/vda, on Exo-OS extfs (ring 3) over virtio_blk (ring 3), mounted with ringfs. Both disks are copies
 * of one image (tools/bench/make-storage-image.sh) holding DATA_NAME, DATA_BYTES of a known pattern.
 *
 *   disk.read_4k         pread of 4 KiB at a random 4 KiB-aligned offset of DIR/data, opened O_DIRECT
 *   disk.seq_read_1M     pread of 1 MiB, O_DIRECT, the next MiB of DIR/data each time (wrapping at its end)
 *   file.cached_read_4k  pread of the same 4 KiB of DIR/data, read just before (Linux: from the page cache)
 *   disk.write_4k_fsync  pwrite of 4 KiB over a random block of DIR/data (no block allocated) + fsync
 *   file.create_delete   open(O_CREAT|O_EXCL) + close + unlink of an empty file in DIR
 *
 * Every read is checked against the pattern (a wrong byte ends the program with a message): a fast read of the wrong
 * data must not become a figure. The writes write the pattern back, so the file stays checkable.
 *
 * Also: "storage make-data FILE" writes the data file on the build machine (the image's content, one definition).
 */
#include "../src/bench.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#define DATA_NAME "data"
#define DATA_BYTES (32ull << 20)
#define BLOCK 4096ull
#define MEBIBYTE (1ull << 20)

/* The pattern: the 8-byte word at file offset x holds x / 8. */
static void fill_pattern(uint64_t *buffer, uint64_t offset, uint64_t length)
{
    for (uint64_t i = 0; i < length / 8; i++)
        buffer[i] = offset / 8 + i;
}

static void check_pattern(const uint64_t *buffer, uint64_t offset, uint64_t length)
{
    for (uint64_t i = 0; i < length / 8; i += 511) /* first and last word of every 4 KiB, and some between */
        if (buffer[i] != offset / 8 + i) {
            char message[160];
            snprintf(message, sizeof message, "pattern check at offset %llu (found %llu)",
                     (unsigned long long)(offset + i * 8), (unsigned long long)buffer[i]);
            bench_die(message);
        }
}

static void *aligned(uint64_t length)
{
    void *p;
    if (posix_memalign(&p, BLOCK, length) != 0)
        bench_die("posix_memalign");
    return p;
}

/* A fixed-seed linear congruential generator: the same blocks on both systems. */
static uint64_t random_state = 0x2545f4914f6cdd1dull;
static uint64_t random_block(void)
{
    random_state = random_state * 6364136223846793005ull + 1442695040888963407ull;
    return (random_state >> 33) % (DATA_BYTES / BLOCK);
}

struct context {
    int direct;      /* DIR/data, O_RDONLY | O_DIRECT */
    int buffered;    /* DIR/data, O_RDWR */
    const char *directory;
    uint64_t *buffer;   /* 1 MiB, 4 KiB aligned */
    uint64_t next_sequential;
    unsigned long created;
};

static void read_exactly(int descriptor, void *buffer, uint64_t length, uint64_t offset)
{
    ssize_t got = pread(descriptor, buffer, length, (off_t)offset);
    if (got != (ssize_t)length)
        bench_die("pread");
    check_pattern(buffer, offset, length);
}

static void random_read(void *argument, long n)
{
    struct context *c = argument;
    for (long i = 0; i < n; i++)
        read_exactly(c->direct, c->buffer, BLOCK, random_block() * BLOCK);
}

static void sequential_read(void *argument, long n)
{
    struct context *c = argument;
    for (long i = 0; i < n; i++) {
        read_exactly(c->direct, c->buffer, MEBIBYTE, c->next_sequential);
        c->next_sequential = (c->next_sequential + MEBIBYTE) % DATA_BYTES;
    }
}

static void cached_read(void *argument, long n)
{
    struct context *c = argument;
    for (long i = 0; i < n; i++)
        read_exactly(c->buffered, c->buffer, BLOCK, 0);
}

static void write_synchronized(void *argument, long n)
{
    struct context *c = argument;
    for (long i = 0; i < n; i++) {
        uint64_t offset = random_block() * BLOCK;
        fill_pattern(c->buffer, offset, BLOCK);
        if (pwrite(c->buffered, c->buffer, BLOCK, (off_t)offset) != (ssize_t)BLOCK)
            bench_die("pwrite");
        if (fsync(c->buffered) != 0)
            bench_die("fsync");
    }
}

static void create_delete(void *argument, long n)
{
    struct context *c = argument;
    char path[256];
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/created-%lu", c->directory, c->created++);
        int descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (descriptor < 0)
            bench_die("open O_CREAT");
        close(descriptor);
        if (unlink(path) != 0)
            bench_die("unlink");
    }
}

static int make_data(const char *path)
{
    int descriptor = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (descriptor < 0)
        bench_die("open of the data file");
    uint64_t *buffer = aligned(MEBIBYTE);
    for (uint64_t offset = 0; offset < DATA_BYTES; offset += MEBIBYTE) {
        fill_pattern(buffer, offset, MEBIBYTE);
        if (write(descriptor, buffer, MEBIBYTE) != (ssize_t)MEBIBYTE)
            bench_die("write of the data file");
    }
    return close(descriptor) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "make-data") == 0)
        return make_data(argv[2]);
    if (argc < 2)
        bench_die("usage: storage [quick] [verbose] DIR; an argument");
    bench_init(argc, argv);
    bench_marks = 1;   /* the harness counts these rows' instructions between the marks (tools/bench/exo_count.c) */
    struct context c = { .directory = argv[argc - 1], .buffer = aligned(MEBIBYTE) };
    char path[256];
    snprintf(path, sizeof path, "%s/" DATA_NAME, c.directory);
    struct stat status;
    if (stat(path, &status) != 0 || (uint64_t)status.st_size != DATA_BYTES)
        bench_die("stat of the data file (missing or not 32 MiB)");
    c.direct = open(path, O_RDONLY | O_DIRECT);
    if (c.direct < 0)
        bench_die("open O_DIRECT");
    c.buffered = open(path, O_RDWR);
    if (c.buffered < 0)
        bench_die("open O_RDWR");

    /* Reads first: the writes below leave blocks in Linux's page cache, which O_DIRECT reads would write back. */
    bench_run("disk.read_4k", random_read, &c, 4, BENCH_N(101, 21), 4, 1);
    bench_run("disk.seq_read_1M", sequential_read, &c, 2, BENCH_N(11, 5), 1, 1);
    bench_run("file.cached_read_4k", cached_read, &c, 4, BENCH_N(201, 41), 16, 1);
    bench_run("disk.write_4k_fsync", write_synchronized, &c, 4, BENCH_N(51, 11), 2, 1);
    bench_run("file.create_delete", create_delete, &c, 4, BENCH_N(101, 21), 4, 1);
    close(c.direct);
    close(c.buffered);
    return 0;
}
