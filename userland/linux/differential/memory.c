/* Memory: brk (query, grow, shrink, refused below the start), anonymous mmap (zeros, placement relations,
 * MAP_FIXED, MAP_FIXED_NOREPLACE, hints, PROT_NONE), munmap (whole, partial, holes), mprotect, madvise
 * (MADV_DONTNEED zeroes private anonymous memory), malloc large and small, the kernel's copies into and out of such
 * memory honouring its protection (EFAULT), and the errors EINVAL, ENOMEM, EEXIST, EBADF, EACCES. No page faults:
 * faults need signals (signals.c). A large mapping (kept as a range until touched) cut up by munmap, mprotect,
 * MADV_DONTNEED and mremap, and copied by fork. */
#include "difftest.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096UL

/* Whether [address, address+length) is mapped: msync-free test through a harmless call that checks the range. */
static int mapped(void *address, size_t length)
{
    /* madvise(MADV_NORMAL) fails with ENOMEM on any unmapped page of the range. */
    return madvise(address, length, MADV_NORMAL) == 0;
}

int main(void)
{
    scratch_enter("memory");

    /* brk */
    void *start = sbrk(0);
    check("sbrk(0) gives a non-null break", start != NULL && start != (void *)-1);
    uintptr_t current = (uintptr_t)syscall(SYS_brk, 0);
    check("brk(0) returns the break", current != 0);
    uintptr_t grown = (uintptr_t)syscall(SYS_brk, current + 3 * PAGE);
    say("brk grows by 3 pages: %s", yes(grown == current + 3 * PAGE));
    char *heap = (char *)current;
    check("the new memory is zero", all_bytes(heap, 3 * PAGE, 0));
    memset(heap, 'h', 3 * PAGE);
    check("and writable", all_bytes(heap, 3 * PAGE, 'h'));
    uintptr_t shrunk = (uintptr_t)syscall(SYS_brk, current + PAGE);
    say("brk shrinks to 1 page: %s", yes(shrunk == current + PAGE));
    uintptr_t regrown = (uintptr_t)syscall(SYS_brk, current + 3 * PAGE);
    say("brk grows again: %s", yes(regrown == current + 3 * PAGE));
    check("memory given back and taken again is zero", all_bytes(heap + PAGE, 2 * PAGE, 0));
    check("memory kept is kept", all_bytes(heap, PAGE, 'h'));
    uintptr_t refused = (uintptr_t)syscall(SYS_brk, 0x1000);
    say("brk below the program: refused (returns the old break): %s", yes(refused == current + 3 * PAGE));
    uintptr_t unaligned = (uintptr_t)syscall(SYS_brk, current + 3 * PAGE + 100);
    say("brk to an unaligned address returns it: %s", yes(unaligned == current + 3 * PAGE + 100));
    syscall(SYS_brk, current);

    /* anonymous mmap */
    char *a = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap 4 pages: %s", yes(a != MAP_FAILED));
    check("page aligned", ((uintptr_t)a & (PAGE - 1)) == 0);
    check("in the user half", (uintptr_t)a < 0x800000000000UL && (uintptr_t)a >= 0x10000);
    check("zero filled", all_bytes(a, 4 * PAGE, 0));
    memset(a, 'a', 4 * PAGE);
    check("writable", all_bytes(a, 4 * PAGE, 'a'));
    char *b = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("a second mapping does not overlap the first", b + PAGE <= a || b >= a + 4 * PAGE);
    char *odd = mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("a 100-byte mapping gives a page", odd != MAP_FAILED && mapped(odd, PAGE));
    odd[PAGE - 1] = 1;
    check("its whole page is usable", odd[PAGE - 1] == 1);

    /* partial munmap: a hole in the middle */
    say("munmap the second page: %s", outcome(munmap(a + PAGE, PAGE)));
    check("the hole is unmapped", !mapped(a + PAGE, PAGE));
    check("the pages around it are still mapped and kept", mapped(a, PAGE) && mapped(a + 2 * PAGE, 2 * PAGE) && a[0] == 'a' && a[2 * PAGE] == 'a');
    say("madvise over the hole: %s", failure(madvise(a, 3 * PAGE, MADV_NORMAL)));
    say("mprotect over the hole: %s", failure(mprotect(a, 3 * PAGE, PROT_READ | PROT_WRITE)));
    say("munmap the hole again (not an error): %s", outcome(munmap(a + PAGE, PAGE)));
    say("munmap an unaligned address: %s", failure(munmap(a + 1, PAGE)));
    say("munmap length 0: %s", failure(munmap(a, 0)));
    say("munmap a kernel address: %s", failure(munmap(BAD_KERNEL, PAGE)));

    /* MAP_FIXED into the hole, MAP_FIXED over existing memory, MAP_FIXED_NOREPLACE */
    char *fixed = mmap(a + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    say("MAP_FIXED into the hole: %s", yes(fixed == a + PAGE));
    check("fresh zeros there", all_bytes(fixed, PAGE, 0));
    char *over = mmap(a + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    say("MAP_FIXED over a used page replaces it: %s", yes(over == a + 2 * PAGE && all_bytes(over, PAGE, 0)));
    check("its neighbour is kept", a[3 * PAGE] == 'a');
    void *noreplace = mmap(a, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    say("MAP_FIXED_NOREPLACE over a mapping: %s", noreplace == MAP_FAILED ? errno_name(errno) : "succeeded");
    say("MAP_FIXED at an unaligned address: %s", mmap(a + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED
        ? errno_name(errno) : "succeeded");
    say("MAP_FIXED in the kernel half: %s", mmap(BAD_KERNEL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED
        ? errno_name(errno) : "succeeded");
    char *hint = mmap(a, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("a hint on a used address is moved elsewhere", hint != MAP_FAILED && hint != a && a[0] == 'a');
    munmap(hint, PAGE);

    /* mmap errors */
    say("mmap length 0: %s", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? errno_name(errno) : "succeeded");
    say("mmap without MAP_PRIVATE or MAP_SHARED: %s", mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? errno_name(errno) : "succeeded");
    say("mmap both MAP_PRIVATE and MAP_SHARED: %s",
        mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? errno_name(errno) : "succeeded");
    say("mmap a closed descriptor: %s", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED ? errno_name(errno) : "succeeded");
    say("mmap anonymous with an unaligned offset: %s",
        mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1) == MAP_FAILED ? errno_name(errno) : "succeeded");
    say("mmap 1 PiB: %s", mmap(NULL, 1UL << 50, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED
        ? errno_name(errno) : "succeeded");
    say("mmap length that wraps: %s", mmap(NULL, (size_t)-PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED
        ? errno_name(errno) : "succeeded");
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    say("mmap a directory: %s", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dir, 0) == MAP_FAILED ? errno_name(errno) : "succeeded");
    close(dir);

    /* mprotect, and the kernel's copies honouring it */
    int zero = open("/dev/zero", O_RDONLY);
    int null = open("sink", O_WRONLY | O_CREAT | O_TRUNC, 0600);   /* a file: /dev/null never reads its buffer */
    say("mprotect PROT_READ: %s", outcome(mprotect(a, PAGE, PROT_READ)));
    check("still readable", a[0] == 'a');
    say("read() into a read-only page: %s", failure(read(zero, a, 16)));
    check("the page is unchanged", a[0] == 'a');
    say("write() to a file from a read-only page: %s", value(write(null, a, 16)));
    say("mprotect PROT_NONE: %s", outcome(mprotect(a, PAGE, PROT_NONE)));
    say("write() to a file from a PROT_NONE page: %s", failure(write(null, a, 16)));
    say("mprotect back to read-write: %s", outcome(mprotect(a, PAGE, PROT_READ | PROT_WRITE)));
    say("read() into it again: %s", value(read(zero, a, 16)));
    check("the data was kept through the protections", a[16] == 'a' && a[0] == 0);
    say("mprotect across the whole range (4 pages): %s", outcome(mprotect(a, 4 * PAGE, PROT_READ)));
    mprotect(a, 4 * PAGE, PROT_READ | PROT_WRITE);
    say("mprotect unaligned: %s", failure(mprotect(a + 1, PAGE, PROT_READ)));
    say("mprotect unknown bits: %s", failure(mprotect(a, PAGE, 0x100)));
    char *gone = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, PAGE);
    say("mprotect an unmapped range: %s", failure(mprotect(gone, PAGE, PROT_READ)));
    char *none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap PROT_NONE: %s", yes(none != MAP_FAILED));
    say("read() into a PROT_NONE mapping: %s", failure(read(zero, none, 16)));
    say("mprotect it writable, then read(): %s", value((mprotect(none, PAGE, PROT_READ | PROT_WRITE), read(zero, none, 16))));

    /* madvise */
    memset(b, 'b', PAGE);
    say("madvise MADV_DONTNEED: %s", outcome(madvise(b, PAGE, MADV_DONTNEED)));
    check("private anonymous memory reads as zero afterwards", all_bytes(b, PAGE, 0));
    say("madvise MADV_WILLNEED: %s", outcome(madvise(b, PAGE, MADV_WILLNEED)));
    say("madvise MADV_SEQUENTIAL: %s", outcome(madvise(b, PAGE, MADV_SEQUENTIAL)));
    say("madvise unknown advice: %s", failure(madvise(b, PAGE, 12345)));
    say("madvise unaligned: %s", failure(madvise(b + 1, PAGE, MADV_NORMAL)));
    say("madvise length 0: %s", outcome(madvise(b, 0, MADV_NORMAL)));

    /* munmap whole, then the kernel's copies fault */
    say("munmap all 4 pages: %s", outcome(munmap(a, 4 * PAGE)));
    check("nothing left there", !mapped(a, PAGE) && !mapped(a + 3 * PAGE, PAGE));
    say("read() into unmapped memory: %s", failure(read(zero, a, 16)));
    say("write() to a file from unmapped memory: %s", failure(write(null, a + 3 * PAGE, 16)));

    /* malloc: small from the break, large from mmap; both zero when fresh from the kernel */
    char *small = malloc(100);
    char *large = malloc(4 << 20);
    check("malloc 100 and 4 MiB", small != NULL && large != NULL);
    memset(large, 'L', 4 << 20);
    check("4 MiB writable to the end", large[(4 << 20) - 1] == 'L');
    free(large);
    char *many[1000];
    int ok = 1;
    for (int i = 0; i < 1000; i++) {
        many[i] = malloc(64 + i);
        ok &= many[i] != NULL;
        if (many[i])
            memset(many[i], i & 0xff, 64 + i);
    }
    for (int i = 0; i < 1000; i++) {
        ok &= many[i][63 + i] == (char)(i & 0xff);
        free(many[i]);
    }
    check("1000 mallocs keep their contents", ok);
    char *zeroed = calloc(1 << 20, 1);
    check("calloc 1 MiB is zero", zeroed != NULL && all_bytes(zeroed, 1 << 20, 0));
    free(zeroed);
    free(small);

    /* a big mapping touched sparsely */
    size_t big = 64UL << 20;
    char *sparse = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap 64 MiB: %s", yes(sparse != MAP_FAILED));
    ok = 1;
    for (size_t offset = 0; offset < big; offset += 4UL << 20) {
        ok &= sparse[offset] == 0;
        sparse[offset] = 's';
    }
    check("one byte every 4 MiB reads 0, then keeps what was written", ok && sparse[8UL << 20] == 's');
    say("munmap it: %s", outcome(munmap(sparse, big)));

    /* a large mapping (kept as a range until touched) cut up: holes, protection, DONTNEED, a move, a fork's copy */
    size_t span = 8UL << 20;
    char *r = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap 8 MiB: %s", yes(r != MAP_FAILED));
    r[0] = 'a';
    r[PAGE] = 'b';
    r[span / 2] = 'c';
    r[span - PAGE] = 'd';
    say("munmap a touched page in the middle: %s", outcome(munmap(r + span / 2, PAGE)));
    say("munmap an untouched page in the middle: %s", outcome(munmap(r + span / 4, PAGE)));
    check("both holes gone, their neighbours kept", !mapped(r + span / 2, PAGE) && !mapped(r + span / 4, PAGE)
        && mapped(r + span / 2 + PAGE, PAGE) && mapped(r + span / 4 - PAGE, PAGE));
    say("read() into the untouched hole: %s", failure(read(zero, r + span / 4, 16)));
    say("read() into the touched hole: %s", failure(read(zero, r + span / 2, 16)));
    check("untouched pages on both sides of a hole read 0", r[span / 4 + PAGE] == 0 && r[span / 4 - PAGE] == 0);
    say("mprotect untouched pages read-only: %s", outcome(mprotect(r + 2 * PAGE, 4 * PAGE, PROT_READ)));
    say("read() into them: %s", failure(read(zero, r + 3 * PAGE, 16)));
    check("they read 0", r[3 * PAGE] == 0);
    say("mprotect them back: %s", outcome(mprotect(r + 2 * PAGE, 4 * PAGE, PROT_READ | PROT_WRITE)));
    say("read() into them now: %s", value(read(zero, r + 3 * PAGE, 16)));
    say("MADV_DONTNEED on the first two pages: %s", outcome(madvise(r, 2 * PAGE, MADV_DONTNEED)));
    check("they read 0 again", r[0] == 0 && r[PAGE] == 0);
    for (int i = 0; i < 64; i++)
        r[span / 8 + (size_t)i * PAGE] = (char)('A' + (i & 15));
    pid_t child = fork();
    if (child == 0) {
        int good = r[span - PAGE] == 'd' && r[span / 8 + 5 * PAGE] == 'F' && r[span / 8 + 100 * PAGE] == 0;
        r[span - PAGE] = 'x';   /* the child's copy only */
        r[span / 8 + 200 * PAGE] = 'y';
        _exit(good && r[span / 4 + PAGE] == 0 ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    check("a fork child sees the touched and untouched pages", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    check("its writes stayed its own", r[span - PAGE] == 'd' && r[span / 8 + 200 * PAGE] == 0);
    char *moved = mremap(r + span / 8, 64 * PAGE, 128 * PAGE, MREMAP_MAYMOVE);
    say("mremap 64 touched pages to 128: %s", yes(moved != MAP_FAILED));
    if (moved != MAP_FAILED)
        check("they kept their bytes, the new half reads 0", moved[5 * PAGE] == 'F' && moved[63 * PAGE] == 'P' && moved[100 * PAGE] == 0);
    say("munmap the rest: %s", outcome(munmap(r, span)));
    if (moved != MAP_FAILED && moved != r + span / 8)
        say("munmap the moved pages: %s", outcome(munmap(moved, 128 * PAGE)));

    /* mlock family: argument checks only where Linux's answer does not depend on RLIMIT_MEMLOCK or privilege. */
    char *locked = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mlock of two mapped pages: %s", outcome(mlock(locked + 100, 2 * PAGE)));
    locked[PAGE] = 'l';
    check("a locked page is usable", locked[PAGE] == 'l');
    say("munlock them: %s", outcome(munlock(locked + 100, 2 * PAGE)));
    say("mlock of nothing: %s", outcome(mlock(locked, 0)));
    say("mlock2 with MLOCK_ONFAULT: %s", outcome(syscall(SYS_mlock2, locked, PAGE, 1)));
    munlock(locked, PAGE);
    say("mlock2 with an unknown flag: %s", failure(syscall(SYS_mlock2, locked, PAGE, 2)));
    say("munmap the last two, then mlock all four: %s", failure((munmap(locked + 2 * PAGE, 2 * PAGE), mlock(locked, 4 * PAGE))));
    say("mlock of a wrapping range: %s", failure(mlock((void *)(-PAGE), 2 * PAGE)));
    say("mlockall(0): %s", failure(mlockall(0)));
    say("mlockall(MCL_ONFAULT) alone: %s", failure(mlockall(MCL_ONFAULT)));
    say("munlockall: %s", outcome(munlockall()));
    munmap(locked, 2 * PAGE);

    /* last: a system that tried to provide it would have no memory left for anything after */
    current = (uintptr_t)syscall(SYS_brk, 0);
    uintptr_t huge = (uintptr_t)syscall(SYS_brk, current + (1UL << 46));
    say("brk by 64 TiB: refused (returns the old break): %s", yes(huge == current));

    close(zero);
    close(null);
    scratch_leave();
    return 0;
}
