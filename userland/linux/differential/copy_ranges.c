/* copy_file_range (coreutils' cp, python's shutil): what it copies, where each side's offset ends up, and its
 * errors. Both files are in the scratch directory (one file system). */
#include "difftest.h"

static long copy(int in, loff_t *in_offset, int out, loff_t *out_offset, size_t count, unsigned flags)
{
    return copy_file_range(in, in_offset, out, out_offset, count, flags);
}

static void show(const char *path)
{
    char buffer[64] = { 0 };
    int fd = open(path, O_RDONLY);
    long length = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    say("%s holds %ld bytes: \"%s\"", path, length, buffer);
}

int main(void)
{
    scratch_enter("copy_ranges");
    write_file("source", "0123456789abcdef");
    int in = open("source", O_RDONLY);
    int out = open("target", O_WRONLY | O_CREAT | O_TRUNC, 0644);

    say("copy 6 at the files' offsets: %s", value(copy(in, NULL, out, NULL, 6, 0)));
    say("offsets after: in %ld, out %ld", (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
    loff_t from = 10, to = 2;
    say("copy 4 from 10 to 2 by pointers: %s", value(copy(in, &from, out, &to, 4, 0)));
    say("pointers after: %ld, %ld; offsets unchanged: in %ld, out %ld", (long)from, (long)to,
        (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
    show("target");
    from = 14;
    say("copy 100 from 14 (2 left): %s", value(copy(in, &from, out, NULL, 100, 0)));
    from = 16;
    say("copy at the end of the input: %s", value(copy(in, &from, out, NULL, 10, 0)));
    say("copy 0 bytes: %s", value(copy(in, NULL, out, NULL, 0, 0)));
    show("target");

    say("flags 1: %s", failure(copy(in, NULL, out, NULL, 1, 1)));
    say("input closed: %s", failure(copy(999, NULL, out, NULL, 1, 0)));
    say("input write-only: %s", failure(copy(out, NULL, out, NULL, 1, 0)));
    say("output read-only: %s", failure(copy(in, NULL, in, NULL, 1, 0)));
    int append = open("target", O_WRONLY | O_APPEND);
    say("output O_APPEND: %s", failure(copy(in, NULL, append, NULL, 1, 0)));
    close(append);
    mkdir("directory", 0755);
    int directory = open("directory", O_RDONLY | O_DIRECTORY);
    say("input a directory: %s", failure(copy(directory, NULL, out, NULL, 1, 0)));
    close(directory);
    int pipe_ends[2];
    pipe(pipe_ends);
    say("output a pipe: %s", failure(copy(in, NULL, pipe_ends[1], NULL, 1, 0)));
    from = -1;
    say("negative input offset: %s", failure(copy(in, &from, out, NULL, 1, 0)));
    say("bad offset pointer: %s", failure(copy(in, BAD_KERNEL, out, NULL, 1, 0)));
    int both = open("source", O_RDWR);
    from = 0, to = 4;
    say("overlapping ranges of one file: %s", failure(copy(both, &from, both, &to, 8, 0)));
    from = 0, to = 8;
    say("separate ranges of one file: %s", value(copy(both, &from, both, &to, 8, 0)));
    close(both);
    show("source");
    close(in);
    close(out);
    scratch_leave();
    return 0;
}
