/* The differential test programs' common part (userland/linux/differential, static glibc): the same binary runs
 * on the build machine's Linux and on Exo-OS, and must print the same lines.
 *
 * Rules every program follows:
 * - one line per observation, written with one write(2) of the whole line (no stdio buffering: a fork cannot
 *   duplicate pending output, and a crash loses nothing already observed);
 * - nothing that legitimately differs between two Linux systems is printed raw (pids, inode numbers, addresses,
 *   times, sizes of the machine, the user running it): the program prints a relation it checks itself, worded so
 *   that the answer on Linux is "yes" (check(): "st_ino equal after link: yes"); the harness asserts on Linux
 *   that no line ends in ": no";
 * - a failing call prints its errno's name (errno_name: "ENOENT"), a succeeding one "ok" or its result;
 * - files are made in a scratch directory, $TMPDIR/difftest-NAME (TMPDIR unset: /tmp), removed at the end;
 * - the program exits 0 once it has printed everything (a crash or exit status other than 0 is a failure). */
#ifndef DIFFTEST_H
#define DIFFTEST_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* Hides a value from the compiler, so that a deliberately bad argument is passed as written (no warning, no folding). */
static inline void *opaque(void *pointer)
{
    __asm__("" : "+r"(pointer));
    return pointer;
}

/* Addresses no call may read or write: the null page, a kernel-half address, and a non-canonical one. */
#define BAD_NULL opaque((void *)0)
#define BAD_KERNEL opaque((void *)0xffff800000001000UL)
#define BAD_NONCANONICAL opaque((void *)0x0000800000000000UL)

static inline const char *errno_name(int e)
{
    switch (e) {
#define E(name) case name: return #name;
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC) E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM)
    E(EACCES) E(EFAULT) E(ENOTBLK) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE)
    E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC) E(ESPIPE) E(EROFS) E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE)
    E(EDEADLK) E(ENAMETOOLONG) E(ENOLCK) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOMSG) E(EIDRM) E(ECHRNG) E(EL2NSYNC)
    E(EL3HLT) E(EL3RST) E(ELNRNG) E(EUNATCH) E(ENOCSI) E(EL2HLT) E(EBADE) E(EBADR) E(EXFULL) E(ENOANO) E(EBADRQC)
    E(EBADSLT) E(EBFONT) E(ENOSTR) E(ENODATA) E(ETIME) E(ENOSR) E(ENONET) E(ENOPKG) E(EREMOTE) E(ENOLINK) E(EADV)
    E(ESRMNT) E(ECOMM) E(EPROTO) E(EMULTIHOP) E(EDOTDOT) E(EBADMSG) E(EOVERFLOW) E(ENOTUNIQ) E(EBADFD) E(EREMCHG)
    E(ELIBACC) E(ELIBBAD) E(ELIBSCN) E(ELIBMAX) E(ELIBEXEC) E(EILSEQ) E(ERESTART) E(ESTRPIPE) E(EUSERS) E(ENOTSOCK)
    E(EDESTADDRREQ) E(EMSGSIZE) E(EPROTOTYPE) E(ENOPROTOOPT) E(EPROTONOSUPPORT) E(ESOCKTNOSUPPORT) E(EOPNOTSUPP)
    E(EPFNOSUPPORT) E(EAFNOSUPPORT) E(EADDRINUSE) E(EADDRNOTAVAIL) E(ENETDOWN) E(ENETUNREACH) E(ENETRESET)
    E(ECONNABORTED) E(ECONNRESET) E(ENOBUFS) E(EISCONN) E(ENOTCONN) E(ESHUTDOWN) E(ETOOMANYREFS) E(ETIMEDOUT)
    E(ECONNREFUSED) E(EHOSTDOWN) E(EHOSTUNREACH) E(EALREADY) E(EINPROGRESS) E(ESTALE) E(EUCLEAN) E(ENOTNAM)
    E(ENAVAIL) E(EISNAM) E(EREMOTEIO) E(EDQUOT) E(ENOMEDIUM) E(EMEDIUMTYPE) E(ECANCELED) E(ENOKEY) E(EKEYEXPIRED)
    E(EKEYREVOKED) E(EKEYREJECTED) E(EOWNERDEAD) E(ENOTRECOVERABLE) E(ERFKILL) E(EHWPOISON)
#undef E
    case 0: return "no error";
    }
    static char unknown[32];
    snprintf(unknown, sizeof unknown, "errno %d", e);
    return unknown;
}

/* Prints one line (the format plus a newline) with a single write(2). */
static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *format, ...)
{
    char line[1024];
    va_list arguments;
    va_start(arguments, format);
    int length = vsnprintf(line, sizeof line - 1, format, arguments);
    va_end(arguments);
    if (length < 0)
        length = 0;
    if (length > (int)sizeof line - 2)
        length = (int)sizeof line - 2;
    line[length++] = '\n';
    int saved = errno;
    for (int done = 0; done < length;) {
        ssize_t written = write(1, line + done, (size_t)(length - done));
        if (written <= 0) {
            if (written < 0 && errno == EINTR)
                continue;
            _exit(3);
        }
        done += (int)written;
    }
    errno = saved;
}

/* Strings that outlive the call (a few per line): rotated buffers. */
static char *scratch_string(void)
{
    static char buffers[16][64];
    static int next;
    return buffers[next++ % 16];
}

static const char *yes(int condition) { return condition ? "yes" : "no"; }

/* A call's outcome: "ok" for a result >= 0, else errno's name. Read errno right after the call (the argument is
 * evaluated before this function runs). */
static const char *outcome(long result) { return result >= 0 ? "ok" : errno_name(errno); }

/* A call's result as a number, or errno's name when it failed (for results that are the same on every Linux). */
static const char *value(long result)
{
    if (result < 0)
        return errno_name(errno);
    char *text = scratch_string();
    snprintf(text, 64, "%ld", result);
    return text;
}

/* A call that must fail: its errno's name, or "succeeded". */
static const char *failure(long result)
{
    if (result >= 0)
        return "succeeded";
    return errno_name(errno);
}

/* One relation the program checks itself, printed as "label: yes" (expected on Linux) or "label: no". */
static void check(const char *label, int condition) { say("%s: %s", label, yes(condition)); }

/* Whether all 'length' bytes at 'memory' are 'expected'. */
static int all_bytes(const char *memory, size_t length, char expected)
{
    for (size_t i = 0; i < length; i++)
        if (memory[i] != expected)
            return 0;
    return 1;
}

/* ---- the scratch directory ---- */

static char scratch_path[512];

static int remove_tree(const char *path)
{
    struct stat status;
    if (lstat(path, &status) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(status.st_mode))
        return unlink(path);
    chmod(path, 0700);   /* a test may have taken the permissions away */
    DIR *directory = opendir(path);
    if (directory == NULL)
        return -1;
    int result = 0, dots = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 && ++dots > 1) {
            result = -1;   /* a directory read that starts over would never end */
            break;
        }
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char child[1024];
        snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        if (remove_tree(child) != 0)
            result = -1;
    }
    closedir(directory);
    if (rmdir(path) != 0)
        result = -1;
    return result;
}

/* Makes $TMPDIR/difftest-NAME (left-overs of an earlier run removed first) and enters it. */
static void scratch_enter(const char *name)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    snprintf(scratch_path, sizeof scratch_path, "%s/difftest-%s", base, name);
    remove_tree(scratch_path);
    if (mkdir(scratch_path, 0755) != 0 || chdir(scratch_path) != 0) {
        say("scratch directory %s: %s", scratch_path, errno_name(errno));
        exit(1);
    }
    check("scratch directory made and entered", 1);
}

/* Leaves the scratch directory and removes it with everything in it. */
static void scratch_leave(void)
{
    int left = chdir("/");
    int removed = remove_tree(scratch_path);
    struct stat status;
    check("scratch directory removed", left == 0 && removed == 0 && lstat(scratch_path, &status) != 0 && errno == ENOENT);
}

/* Writes a whole file (created or truncated, mode 0644); 0 or -1. */
static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    size_t length = strlen(text);
    ssize_t written = write(fd, text, length);
    close(fd);
    return written == (ssize_t)length ? 0 : -1;
}

#endif
