/* Copies inside the kernel: sendfile between files and into a pipe, with and without an offset pointer, what it does
 * to both offsets, a short count at the end of the input, and the errors: EBADF (closed, write-only input, read-only
 * output), EINVAL (O_APPEND output, negative offset, a directory as input), ESPIPE (an offset on a pipe), EFAULT. */
#include "difftest.h"
#include <sys/sendfile.h>

static const char *contents(const char *path)
{
    char *text = scratch_string();
    int fd = open(path, O_RDONLY);
    ssize_t got = fd < 0 ? -1 : read(fd, text, 60);
    close(fd);
    if (got < 0)
        return errno_name(errno);
    text[got] = '\0';
    return text;
}

int main(void)
{
    scratch_enter("transfer");
    write_file("source", "0123456789abcdefghij");
    int in = open("source", O_RDONLY);
    int out = open("target", O_WRONLY | O_CREAT | O_TRUNC, 0644);

    /* at the input's offset: both offsets move */
    say("sendfile 5: %s", value(sendfile(out, in, NULL, 5)));
    say("input offset after: %s", value(lseek(in, 0, SEEK_CUR)));
    say("output offset after: %s", value(lseek(out, 0, SEEK_CUR)));
    say("sendfile 100 (short, to the end): %s", value(sendfile(out, in, NULL, 100)));
    say("sendfile at the end: %s", value(sendfile(out, in, NULL, 100)));
    say("sendfile count 0: %s", value(sendfile(out, in, NULL, 0)));
    say("target: %s", contents("target"));

    /* with an offset pointer: the input's offset stays, the pointer moves */
    lseek(in, 3, SEEK_SET);
    off_t offset = 10;
    say("sendfile 4 from offset 10: %s", value(sendfile(out, in, &offset, 4)));
    say("the offset pointer after: %lld", (long long)offset);
    say("input offset untouched: %s", value(lseek(in, 0, SEEK_CUR)));
    offset = 1000;
    say("sendfile from beyond the end: %s", value(sendfile(out, in, &offset, 4)));
    say("target: %s", contents("target"));

    /* into a pipe, and out of one */
    int pipes[2];
    pipe(pipes);
    offset = 0;
    say("sendfile into a pipe: %s", value(sendfile(pipes[1], in, &offset, 6)));
    char buffer[32] = { 0 };
    say("read from the pipe: %s", value(read(pipes[0], buffer, sizeof buffer - 1)));
    say("pipe gave: %s", buffer);
    offset = 0;
    say("sendfile from a pipe with an offset: %s", failure(sendfile(out, pipes[0], &offset, 4)));

    /* errors */
    say("closed input: %s", failure(sendfile(out, 999, NULL, 4)));
    say("closed output: %s", failure(sendfile(999, in, NULL, 4)));
    say("output opened read-only: %s", failure(sendfile(in, in, NULL, 4)));
    say("input opened write-only: %s", failure(sendfile(out, out, NULL, 4)));
    int appending = open("target", O_WRONLY | O_APPEND);
    say("output with O_APPEND: %s", failure(sendfile(appending, in, NULL, 4)));
    close(appending);
    offset = -1;
    say("negative offset: %s", failure(sendfile(out, in, &offset, 4)));
    say("offset pointer bad: %s", failure(sendfile(out, in, BAD_KERNEL, 4)));
    mkdir("directory", 0755);
    int directory = open("directory", O_RDONLY | O_DIRECTORY);
    say("a directory as input: %s", failure(sendfile(out, directory, NULL, 4)));
    close(directory);
    rmdir("directory");

    close(pipes[0]);
    close(pipes[1]);
    close(in);
    close(out);
    unlink("source");
    unlink("target");
    scratch_leave();
    return 0;
}
