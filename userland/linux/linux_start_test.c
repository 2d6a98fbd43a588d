/*
 * A Linux x86-64 program, built static without a C library (gcc -nostdlib -static), so that nothing runs before
 * its _start: it reports what the kernel gave it at its first instruction. Its lines are the same on Linux and on
 * Exo-OS when both start it with the same arguments and environment (the differential boot test compares them):
 * argc, argv and envp as given, and for the auxiliary vector what every Linux-compatible kernel must say (the
 * values themselves, addresses and random bytes differ from one kernel to another). Exits with 0 when every
 * check held, else with the number of the first that failed.
 */
#define CHECK_PREFIX "start"
#include "freestanding.h"

#define SYS_write 1
#define SYS_exit_group 231
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31

struct elf_header {
    unsigned char ident[16];
    unsigned short type, machine;
    unsigned int version;
    u64 entry, phoff, shoff;
    unsigned int flags;
    unsigned short ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

extern const struct elf_header __ehdr_start;   /* the GNU linker's symbol for the loaded ELF header */
void _start(void);

static void value_line(const char *name, u64 value)
{
    put("start: ");
    put(name);
    put("=");
    put_number(value);
    put("\n");
}

static void string_line(const char *name, int index, const char *value)
{
    put("start: ");
    put(name);
    put("[");
    put_number((u64)index);
    put("]=");
    put(value ? value : "(null)");
    put("\n");
}

__attribute__((used)) void start_c(u64 *stack)
{
    check("the stack is 16-byte aligned at the first instruction", ((u64)stack & 15) == 0);
    u64 argc = stack[0];
    char **argv = (char **)(stack + 1);
    value_line("argc", argc);
    for (u64 i = 0; i <= argc; i++)
        string_line("argv", (int)i, argv[i]);
    char **envp = argv + argc + 1;
    u64 envc = 0;
    while (envp[envc])
        envc++;
    value_line("envc", envc);
    for (u64 i = 0; i < envc; i++)
        string_line("envp", (int)i, envp[i]);
    u64 *auxv = (u64 *)(envp + envc + 1);

    u64 seen[64] = {0};
    u64 values[64] = {0};
    u64 pairs = 0;
    for (; auxv[2 * pairs] != AT_NULL && pairs < 64; pairs++)
    {
        u64 type = auxv[2 * pairs];
        if (type < 64) { seen[type] = 1; values[type] = auxv[2 * pairs + 1]; }
    }
    check("the auxiliary vector ends with AT_NULL", auxv[2 * pairs] == AT_NULL);
    const struct elf_header *header = &__ehdr_start;
    check("AT_PAGESZ is 4096", seen[AT_PAGESZ] && values[AT_PAGESZ] == 4096);
    check("AT_PHDR is this program's program headers", seen[AT_PHDR] && values[AT_PHDR] == (u64)header + header->phoff);
    check("AT_PHENT is 56", seen[AT_PHENT] && values[AT_PHENT] == 56);
    check("AT_PHNUM is the ELF header's count", seen[AT_PHNUM] && values[AT_PHNUM] == header->phnum);
    check("AT_ENTRY is _start", seen[AT_ENTRY] && values[AT_ENTRY] == (u64)&_start);
    check("AT_BASE is 0 (no interpreter)", seen[AT_BASE] && values[AT_BASE] == 0);
    check("AT_UID equals AT_EUID and AT_GID equals AT_EGID",
          seen[AT_UID] && seen[AT_EUID] && seen[AT_GID] && seen[AT_EGID]
          && values[AT_UID] == values[AT_EUID] && values[AT_GID] == values[AT_EGID]);
    check("AT_SECURE is 0", seen[AT_SECURE] && values[AT_SECURE] == 0);
    check("AT_CLKTCK is 100", seen[AT_CLKTCK] && values[AT_CLKTCK] == 100);
    check("AT_HWCAP has SSE2", seen[AT_HWCAP] && (values[AT_HWCAP] & (1UL << 26)) != 0);
    int random_nonzero = 0;
    if (seen[AT_RANDOM])
    {
        const unsigned char *random = (const unsigned char *)values[AT_RANDOM];
        for (int i = 0; i < 16; i++)
            random_nonzero |= random[i];
    }
    check("AT_RANDOM points to 16 bytes that are not all zero", seen[AT_RANDOM] && random_nonzero);
    check("AT_PLATFORM is x86_64", seen[AT_PLATFORM] && equal((const char *)values[AT_PLATFORM], "x86_64"));
    check("AT_EXECFN names this program", seen[AT_EXECFN] && ends_with((const char *)values[AT_EXECFN], "linux_start_test"));
    put("start: done\n");
    system_call3(SYS_exit_group, failed, 0, 0);
    for (;;) { }
}
