/* Executables that cannot run: execve of malformed and unfit files, each built here at run time from a minimal valid
 * static x86-64 ELF (120 bytes of headers and three instructions: exit(0)), must fail with the errno Linux gives
 * (ENOEXEC, ENOENT, EACCES, ELOOP, E2BIG, EIO, EFAULT, ENOTDIR, ENAMETOOLONG) and leave the calling process as it
 * was: most are called in this process itself, which goes on to the next line. Where Linux's answer depends on the
 * machine or comes after exec's point of no return (a 32-bit program runs where the kernel has IA32 emulation; a
 * segment Linux cannot map kills the new program with SIGSEGV, since the old one is gone by then), the file is run in
 * a child and the line prints a relation that holds on both ("does not run: yes"), Exo-OS refusing it earlier with
 * an errno. At the end a valid program still runs and exits 0.
 *
 * `executables --make DIR` only writes the malformed files into DIR (for the kernel shell's `run` of each, in the
 * robustness boot tests) and exits. */
#include "difftest.h"
#include <stdint.h>
#include <sys/wait.h>

#define BASE 0x400000UL

/* The valid program: ELF header, one PT_LOAD (read, execute) of the whole file at BASE, then the code:
 * xor edi, edi; mov eax, 60 (exit); syscall. */
static const unsigned char code_exit0[] = { 0x31, 0xff, 0xb8, 0x3c, 0x00, 0x00, 0x00, 0x0f, 0x05 };
#define HEADER 64
#define PROGRAM_HEADER 56

static void put16(unsigned char *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = v >> (8 * i); }
static void put64(unsigned char *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = v >> (8 * i); }

/* A program header at 'p'. */
static void program_header(unsigned char *p, uint32_t type, uint32_t flags, uint64_t offset, uint64_t address,
                           uint64_t file_size, uint64_t memory_size)
{
    memset(p, 0, PROGRAM_HEADER);
    put32(p, type);
    put32(p + 4, flags);
    put64(p + 8, offset);
    put64(p + 16, address);
    put64(p + 24, address);
    put64(p + 32, file_size);
    put64(p + 40, memory_size);
    put64(p + 48, 0x1000);
}

/* Builds the valid program with 'headers' program headers (the first the PT_LOAD of everything, the others left for
 * the caller to fill) in 'file'; returns its length. */
static size_t build(unsigned char *file, int headers)
{
    size_t code_offset = HEADER + (size_t)headers * PROGRAM_HEADER;
    size_t length = code_offset + sizeof code_exit0;
    memset(file, 0, length);
    memcpy(file, "\177ELF", 4);
    file[4] = 2;   /* ELFCLASS64 */
    file[5] = 1;   /* little-endian */
    file[6] = 1;   /* version */
    put16(file + 16, 2);    /* ET_EXEC */
    put16(file + 18, 62);   /* EM_X86_64 */
    put32(file + 20, 1);
    put64(file + 24, BASE + code_offset);   /* entry */
    put64(file + 32, HEADER);               /* program headers right after the header */
    put16(file + 52, HEADER);
    put16(file + 54, PROGRAM_HEADER);
    put16(file + 56, (uint16_t)headers);
    program_header(file + HEADER, 1, 5, 0, BASE, length, length);   /* PT_LOAD, PF_R | PF_X */
    memcpy(file + code_offset, code_exit0, sizeof code_exit0);
    return length;
}

/* A 32-bit i386 program: xor ebx, ebx; mov eax, 1 (exit); int 0x80 (exits 0 where Linux runs 32-bit programs). */
static size_t build32(unsigned char *file)
{
    static const unsigned char code[] = { 0x31, 0xdb, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xcd, 0x80 };
    size_t code_offset = 52 + 32, length = code_offset + sizeof code;
    memset(file, 0, length);
    memcpy(file, "\177ELF", 4);
    file[4] = 1;   /* ELFCLASS32 */
    file[5] = 1;
    file[6] = 1;
    put16(file + 16, 2);
    put16(file + 18, 3);   /* EM_386 */
    put32(file + 20, 1);
    put32(file + 24, (uint32_t)(0x08048000 + code_offset));
    put32(file + 28, 52);   /* e_phoff */
    put16(file + 40, 52);   /* e_ehsize */
    put16(file + 42, 32);   /* e_phentsize */
    put16(file + 44, 1);    /* e_phnum */
    unsigned char *p = file + 52;
    put32(p, 1);
    put32(p + 4, 0);
    put32(p + 8, 0x08048000);
    put32(p + 12, 0x08048000);
    put32(p + 16, (uint32_t)length);
    put32(p + 20, (uint32_t)length);
    put32(p + 24, 5);
    put32(p + 28, 0x1000);
    memcpy(file + code_offset, code, sizeof code);
    return length;
}

static int write_bytes(const char *path, const void *bytes, size_t length, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    ssize_t written = length == 0 ? 0 : write(fd, bytes, length);
    close(fd);
    return written == (ssize_t)length ? chmod(path, mode) : -1;
}

static char *const no_environment[] = { NULL };

/* execve in this process: it must fail and come back; the errno's name. */
static const char *exec_here(const char *path, char *const arguments[])
{
    char *const default_arguments[] = { (char *)path, NULL };
    long result = execve(path, arguments ? arguments : default_arguments, no_environment);
    return failure(result);
}

/* execve in a child: "runs, exit N", "ended by signal N" or the errno's name (the child's exit status 100 + errno). */
static const char *exec_child(const char *path, int *ran, int *signalled)
{
    pid_t child = fork();
    if (child == 0) {
        char *const arguments[] = { (char *)path, NULL };
        execve(path, arguments, no_environment);
        _exit(100 + errno);
    }
    int status = 0;
    waitpid(child, &status, 0);
    *ran = *signalled = 0;
    if (WIFSIGNALED(status)) {
        *signalled = 1;
        return "ended by a signal";
    }
    int code = WEXITSTATUS(status);
    if (code >= 100)
        return errno_name(code - 100);
    *ran = 1;
    char *text = scratch_string();
    snprintf(text, 64, "runs, exit %d", code);
    return text;
}

static unsigned char file[1 << 16];

/* Every malformed file, by name, written into the current directory (the differential run and --make). */
static void make_files(void)
{
    size_t length = build(file, 1);
    write_bytes("valid", file, length, 0755);
    write_bytes("truncated-header", file, 40, 0755);          /* (a) the ELF header cut short */
    write_bytes("truncated-program-headers", file, 90, 0755); /* (a) the header whole, the program headers cut */

    length = build(file, 1);
    file[3] = 'G';                                            /* (b) bad magic */
    write_bytes("bad-magic", file, length, 0755);
    write_file("text", "just some text, not a program\n");
    chmod("text", 0755);

    length = build32(file);                                   /* (c) a 32-bit program */
    write_bytes("elf32", file, length, 0755);
    length = build(file, 1);
    put16(file + 18, 3);                                      /* (c) a 64-bit file for the i386 machine */
    write_bytes("wrong-machine", file, length, 0755);

    length = build(file, 1);
    put64(file + 32, 0x100000);                               /* (d) program headers past the end of the file */
    write_bytes("headers-past-end", file, length, 0755);
    length = build(file, 1);
    put16(file + 56, 100);                                    /* (d) more program headers than fit a page */
    write_bytes("too-many-headers", file, length, 0755);
    length = build(file, 1);
    put16(file + 56, 0);                                      /* no program header at all */
    write_bytes("no-headers", file, length, 0755);

    length = build(file, 1);
    program_header(file + HEADER, 1, 5, 0, BASE, length, 64); /* (e) PT_LOAD with file size > memory size */
    write_bytes("file-over-memory-size", file, length, 0755);

    length = build(file, 2);                                  /* (f) a second PT_LOAD over the same page */
    program_header(file + HEADER + PROGRAM_HEADER, 1, 5, 0, BASE, length, length);
    write_bytes("overlapping-segments", file, length, 0755);
    length = build(file, 2);                                  /* (f) a 1 TiB zero-filled segment */
    program_header(file + HEADER + PROGRAM_HEADER, 1, 6, 0, 0x10000000, 0, 1UL << 40);
    write_bytes("huge-segment", file, length, 0755);
    length = build(file, 2);                                  /* (f) a segment in the kernel's half */
    program_header(file + HEADER + PROGRAM_HEADER, 1, 6, 0, 0xffffffff80000000UL, 0, 0x1000);
    write_bytes("kernel-segment", file, length, 0755);
    length = build(file, 2);                                  /* (f) a segment whose file bytes lie past the end */
    program_header(file + HEADER + PROGRAM_HEADER, 1, 6, 0x200000, 0x10000000, 0x1000, 0x1000);
    write_bytes("segment-past-end", file, length, 0755);

    length = build(file, 2);                                  /* (g) PT_INTERP naming a missing interpreter */
    static const char interpreter[] = "/nonexistent/ld-linux-x86-64.so.2";
    memcpy(file + length, interpreter, sizeof interpreter);
    program_header(file + HEADER + PROGRAM_HEADER, 3, 4, length, 0, sizeof interpreter, sizeof interpreter);
    length += sizeof interpreter;
    program_header(file + HEADER, 1, 5, 0, BASE, length, length);
    /* PT_INTERP must come before the PT_LOAD it is found by: swap the two headers. */
    unsigned char swap[PROGRAM_HEADER];
    memcpy(swap, file + HEADER, PROGRAM_HEADER);
    memcpy(file + HEADER, file + HEADER + PROGRAM_HEADER, PROGRAM_HEADER);
    memcpy(file + HEADER + PROGRAM_HEADER, swap, PROGRAM_HEADER);
    write_bytes("missing-interpreter", file, length, 0755);

    write_bytes("empty", "", 0, 0755);                        /* (h) an empty file */
    write_file("script-missing", "#!/nonexistent/interpreter -x\necho hello\n");   /* (i) */
    chmod("script-missing", 0755);
    write_file("script-empty-line", "#!\n");
    chmod("script-empty-line", 0755);
    write_file("script-loop", "#!./script-loop\n");          /* its own interpreter: ELOOP */
    chmod("script-loop", 0755);
    mkdir("directory", 0755);                                 /* (j) */
    length = build(file, 1);
    write_bytes("not-executable", file, length, 0644);
    symlink("link-loop", "link-loop");
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--make") == 0) {
        if (mkdir(argv[2], 0755) != 0 && errno != EEXIST)
            return 1;
        if (chdir(argv[2]) != 0)
            return 1;
        make_files();
        return 0;
    }
    scratch_enter("executables");
    make_files();
    int ran, signalled;

    say("the valid program: %s", exec_child("./valid", &ran, &signalled));
    say("(a) truncated ELF header: %s", exec_here("./truncated-header", NULL));
    say("(a) program headers cut short: %s", exec_here("./truncated-program-headers", NULL));
    say("(b) bad magic: %s", exec_here("./bad-magic", NULL));
    say("(b) a text file: %s", exec_here("./text", NULL));
    const char *outcome32 = exec_child("./elf32", &ran, &signalled);
    check("(c) a 32-bit program is refused with ENOEXEC or runs as one (IA32 emulation)",
          strcmp(outcome32, "ENOEXEC") == 0 || strcmp(outcome32, "runs, exit 0") == 0);
    say("(c) a 64-bit file for the i386 machine: %s", exec_here("./wrong-machine", NULL));
    say("(d) program headers past the end of the file: %s", exec_here("./headers-past-end", NULL));
    say("(d) 100 program headers: %s", exec_here("./too-many-headers", NULL));
    say("(d) no program header: %s", exec_here("./no-headers", NULL));
    const char *outcome = exec_child("./file-over-memory-size", &ran, &signalled);
    check("(e) PT_LOAD with file size over memory size does not run", !ran);
    outcome = exec_child("./overlapping-segments", &ran, &signalled);
    check("(f) two PT_LOADs over the same page: runs as on Linux, or is refused with ENOEXEC",
          ran ? strcmp(outcome, "runs, exit 0") == 0 : strcmp(outcome, "ENOEXEC") == 0);
    outcome = exec_child("./huge-segment", &ran, &signalled);
    check("(f) a 1 TiB segment does not run (refused, or ended by a signal past exec's point of no return)",
          !ran && (signalled || strcmp(outcome, "ENOMEM") == 0 || strcmp(outcome, "ENOEXEC") == 0));
    outcome = exec_child("./kernel-segment", &ran, &signalled);
    check("(f) a segment in the kernel's half does not run", !ran);
    /* Linux maps file pages past the end (touching them would raise SIGBUS), so the program runs there; Exo-OS copies
     * a segment's file bytes at exec and refuses what is not in the file. */
    outcome = exec_child("./segment-past-end", &ran, &signalled);
    check("(f) a segment whose file bytes lie past the end: runs as on Linux, or is refused with ENOEXEC",
          ran ? strcmp(outcome, "runs, exit 0") == 0 : strcmp(outcome, "ENOEXEC") == 0);
    say("(g) PT_INTERP naming a missing interpreter: %s", exec_here("./missing-interpreter", NULL));
    say("(h) an empty file: %s", exec_here("./empty", NULL));
    say("(i) #! naming a missing interpreter: %s", exec_here("./script-missing", NULL));
    say("(i) #! with no interpreter: %s", exec_here("./script-empty-line", NULL));
    say("(i) #! naming itself: %s", exec_here("./script-loop", NULL));
    say("(j) a directory: %s", exec_here("./directory", NULL));
    say("a file without execute permission: %s", exec_here("./not-executable", NULL));
    say("a missing file: %s", exec_here("./missing", NULL));
    say("a path through a file: %s", exec_here("./valid/more", NULL));
    say("a symbolic link loop: %s", exec_here("./link-loop", NULL));
    say("an empty path: %s", exec_here("", NULL));
    static char long_path[8192];
    memset(long_path, 'a', sizeof long_path - 1);
    say("a path longer than PATH_MAX: %s", exec_here(long_path, NULL));
    say("a null path: %s", failure(execve(BAD_NULL, (char *const[]){ "x", NULL }, no_environment)));
    say("a kernel-address path: %s", failure(execve(BAD_KERNEL, (char *const[]){ "x", NULL }, no_environment)));
    say("argv a kernel address: %s", failure(execve("./valid", BAD_KERNEL, no_environment)));
    say("an argument a kernel address: %s", failure(execve("./valid", (char *const[]){ "x", BAD_KERNEL, NULL }, no_environment)));
    say("envp non-canonical: %s", failure(execve("./valid", (char *const[]){ "x", NULL }, BAD_NONCANONICAL)));

    /* E2BIG: one argument longer than MAX_ARG_STRLEN (128 KiB), and 3 MiB of arguments in all (past a quarter of
     * the default 8 MiB stack limit). */
    static char huge[200 * 1024];
    memset(huge, 'x', sizeof huge - 1);
    say("one 200 KiB argument: %s", exec_here("./valid", (char *const[]){ "valid", huge, NULL }));
    enum { MANY = 3 * 1024 };
    static char *many[MANY + 2];
    static char kibibyte[1024];
    memset(kibibyte, 'y', sizeof kibibyte - 1);
    many[0] = "valid";
    for (int i = 1; i <= MANY; i++)
        many[i] = kibibyte;
    say("3 MiB of arguments: %s", exec_here("./valid", many));

    /* ETXTBSY: a program open for writing (here, by this process) cannot be run. */
    int writer = open("./valid", O_WRONLY);
    say("a program open for writing: %s", exec_here("./valid", NULL));
    close(writer);

    check("this process went on after every failed execve", 1);
    say("the valid program afterwards: %s", exec_child("./valid", &ran, &signalled));
    scratch_leave();
    return 0;
}
