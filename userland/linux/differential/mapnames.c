/* /proc/self/maps as runtimes parse it (glibc's pthread_getattr_np, .NET's PAL, Python's and Java's module lists):
 * each line's file name, offset, device and inode. The program's own segments (the file /proc/self/exe names, the
 * text segment's file offset), a file mapped private at an offset and shared, a mapping split by mprotect and cut by
 * munmap (each piece's offset), moved by mremap (its name and offset go with it), the file renamed (the new name),
 * a fork child's view, a memfd ("/memfd:NAME (deleted)"), and no line naming the file once every mapping is gone.
 * Names are printed relative to the scratch directory; inodes and devices are compared with stat's. */
#include "difftest.h"
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#define PAGE 4096UL

struct map_line {
    unsigned long start, end, offset, inode;
    unsigned major, minor;
    char permissions[5];
    char name[512];
};

/* The maps line whose range holds 'address'; 0 when found. */
static int find_line(const void *address, struct map_line *found)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return -1;
    char line[1024];
    int result = -1;
    while (fgets(line, sizeof line, maps) != NULL) {
        struct map_line parsed;
        int name_at = 0;
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &parsed.start, &parsed.end, parsed.permissions, &parsed.offset,
                   &parsed.major, &parsed.minor, &parsed.inode, &name_at) < 7)
            continue;
        if ((uintptr_t)address < parsed.start || (uintptr_t)address >= parsed.end)
            continue;
        char *name = line + name_at;
        name[strcspn(name, "\n")] = 0;
        snprintf(parsed.name, sizeof parsed.name, "%s", name);
        *found = parsed;
        result = 0;
        break;
    }
    fclose(maps);
    return result;
}

/* How many lines name 'path'. */
static int lines_naming(const char *path)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return -1;
    char line[1024];
    int count = 0;
    size_t length = strlen(path);
    while (fgets(line, sizeof line, maps) != NULL) {
        line[strcspn(line, "\n")] = 0;
        size_t line_length = strlen(line);
        if (line_length >= length && strcmp(line + line_length - length, path) == 0)
            count++;
    }
    fclose(maps);
    return count;
}

/* The line's name with the scratch directory's path replaced by "SCRATCH". */
static const char *relative(const char *name)
{
    static char text[600];
    size_t length = strlen(scratch_path);
    if (strncmp(name, scratch_path, length) == 0)
        snprintf(text, sizeof text, "SCRATCH%s", name + length);
    else
        snprintf(text, sizeof text, "%s", name);
    return text;
}

/* "perms offset name" of the line holding 'address', and whether its device and inode are those of 'status'. */
static void describe(const char *label, const void *address, const struct stat *status)
{
    struct map_line line;
    if (find_line(address, &line) != 0) {
        say("%s: no line", label);
        return;
    }
    say("%s: %s offset %#lx %s", label, line.permissions, line.offset, relative(line.name));
    if (status != NULL)
        say("%s: device and inode are stat's: %s", label,
            yes(line.inode == status->st_ino && line.major == major(status->st_dev) && line.minor == minor(status->st_dev)));
}

int main(void)
{
    scratch_enter("mapnames");

    /* the program itself */
    char exe[512];
    ssize_t exe_length = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[exe_length > 0 ? exe_length : 0] = 0;
    struct stat exe_status;
    stat("/proc/self/exe", &exe_status);
    struct map_line text;
    if (find_line((const void *)main, &text) == 0) {
        check("main's line names /proc/self/exe's file", strcmp(text.name, exe) == 0);
        say("main's line: %s offset %#lx", text.permissions, text.offset);
        check("main's line: device and inode are stat's",
              text.inode == exe_status.st_ino && text.major == major(exe_status.st_dev) && text.minor == minor(exe_status.st_dev));
    }
    struct map_line stack;
    int local = 0;
    if (find_line(&local, &stack) == 0)
        say("a local variable's line: %s %s, inode %lu", stack.permissions, stack.name, stack.inode);

    /* a file of 6 pages, page i filled with 'a' + i */
    int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buffer[PAGE];
    for (int i = 0; i < 6; i++) {
        memset(buffer, 'a' + i, PAGE);
        write(fd, buffer, PAGE);
    }
    struct stat status;
    fstat(fd, &status);

    char *private_part = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
    say("mmap private at offset 2 pages: %s", yes(private_part != MAP_FAILED));
    describe("private mapping", private_part, &status);
    describe("its second page", private_part + PAGE, &status);
    char *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    describe("shared mapping", shared, &status);

    /* split by mprotect: three lines, each with its own offset */
    char *split = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
    say("mprotect of the middle page: %s", outcome(mprotect(split + PAGE, PAGE, PROT_READ)));
    describe("first piece", split, &status);
    describe("middle piece", split + PAGE, &status);
    describe("last piece", split + 2 * PAGE, &status);
    say("mprotect it back: %s", outcome(mprotect(split + PAGE, PAGE, PROT_READ | PROT_WRITE)));
    describe("joined again, its last page", split + 2 * PAGE, &status);
    say("munmap of the first page: %s", outcome(munmap(split, PAGE)));
    describe("what is left", split + PAGE, &status);

    /* moved by mremap to a fixed place */
    char *target = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *moved = mremap(private_part, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target + PAGE);
    say("mremap to a fixed place: %s", yes(moved == target + PAGE));
    describe("moved mapping", moved, &status);
    describe("moved mapping's second page", moved + PAGE, &status);
    check("the moved pages hold the file's pages 2 and 3", moved[0] == 'c' && moved[PAGE] == 'd');
    describe("the reservation before it", target, NULL);

    /* renamed: the lines follow the file */
    say("rename data to renamed: %s", outcome(rename("data", "renamed")));
    describe("shared mapping after the rename", shared, &status);

    /* a fork child sees the same names */
    int pipe_ends[2];
    pipe(pipe_ends);
    pid_t child = fork();
    if (child == 0) {
        struct map_line line;
        char verdict = find_line(shared, &line) == 0 && strcmp(relative(line.name), "SCRATCH/renamed") == 0 ? 'y' : 'n';
        write(pipe_ends[1], &verdict, 1);
        _exit(0);
    }
    char verdict = 'n';
    read(pipe_ends[0], &verdict, 1);
    waitpid(child, NULL, 0);
    check("the fork child's line names the renamed file", verdict == 'y');

    /* a memfd */
    int memory = memfd_create("mapnames-memfd", 0);
    ftruncate(memory, PAGE);
    char *memory_map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memory, 0);
    describe("memfd mapping", memory_map, NULL);
    munmap(memory_map, PAGE);
    close(memory);

    /* every mapping of the file gone: no line names it */
    char renamed[600];
    snprintf(renamed, sizeof renamed, "%s/renamed", scratch_path);
    say("lines naming the file while mapped: %d", lines_naming(renamed));
    munmap(moved, 2 * PAGE);
    munmap(shared, PAGE);
    munmap(split + PAGE, 2 * PAGE);
    say("lines naming the file after munmap: %d", lines_naming(renamed));
    close(fd);
    scratch_leave();
    return 0;
}
