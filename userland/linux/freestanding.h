/*
 * What the Linux test programs in C share: they are static and have no C library (gcc -nostdlib -static), so that
 * nothing runs before their _start and the same binary runs on Linux and on Exo-OS. System calls by number, a few
 * string helpers, and checks printed one per line ("PREFIX: what: yes" or "NO"), remembering the first that failed.
 * A program defines start_c(u64 *stack) and includes this after naming its CHECK_PREFIX.
 */
typedef unsigned long u64;
typedef long i64;

static __attribute__((unused)) i64 system_call3(i64 number, i64 a, i64 b, i64 c)
{
    i64 result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return result;
}

static __attribute__((unused)) i64 system_call4(i64 number, i64 a, i64 b, i64 c, i64 d)
{
    i64 result;
    register i64 r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return result;
}

static __attribute__((unused)) u64 length_of(const char *text)
{
    u64 length = 0;
    while (text[length])
        length++;
    return length;
}

/* Writes to descriptor 1 (write is Linux's call 1). */
static __attribute__((unused)) void put(const char *text) { system_call3(1, 1, (i64)text, (i64)length_of(text)); }

/* 'value' in decimal into 'into' (24 bytes), zero-terminated; its length. */
static __attribute__((unused)) int format_number(char *into, u64 value)
{
    char digits[24];
    int count = 0;
    do { digits[count++] = (char)('0' + value % 10); value /= 10; } while (value);
    for (int i = 0; i < count; i++)
        into[i] = digits[count - 1 - i];
    into[count] = 0;
    return count;
}

static __attribute__((unused)) void put_number(u64 value)
{
    char text[24];
    format_number(text, value);
    put(text);
}

static __attribute__((unused)) int equal(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

static __attribute__((unused)) int starts_with(const char *text, const char *prefix)
{
    while (*prefix)
        if (*text++ != *prefix++)
            return 0;
    return 1;
}

static __attribute__((unused)) int ends_with(const char *text, const char *suffix)
{
    u64 a = length_of(text), b = length_of(suffix);
    return a >= b && equal(text + a - b, suffix);
}

/* The start of the line after the one 'line' is in (its end if it is the last). */
static __attribute__((unused)) const char *next_line(const char *line)
{
    while (*line && *line != '\n')
        line++;
    return *line ? line + 1 : line;
}

static int failed;
static int check_number;

static __attribute__((unused)) void check(const char *what, int holds)
{
    check_number++;
    put(CHECK_PREFIX ": ");
    put(what);
    put(holds ? ": yes\n" : ": NO\n");
    if (!holds && !failed)
        failed = check_number;
}

void start_c(u64 *stack);

/* The first instruction: the stack as the kernel left it (argc, argv, envp, auxv) goes to start_c. */
__attribute__((naked, noreturn)) void _start(void)
{
    __asm__ volatile("mov %rsp, %rdi\n\tcall start_c\n\tud2");
}
