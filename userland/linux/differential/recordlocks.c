/* fcntl's record locks: F_GETLK, F_SETLK, F_SETLKW owned by the process (byte ranges from l_whence, l_start, l_len,
 * a length of 0 to the end of the file, a negative one before l_start; ranges merged and split; every lock released
 * by any close of the file and at exit; not inherited by a fork child), a blocked F_SETLKW woken by the unlock or
 * interrupted by a signal (EINTR), EDEADLK for a two-process cycle; and the OFD locks F_OFD_GETLK, F_OFD_SETLK,
 * F_OFD_SETLKW owned by the open file description. Two processes ordered by pipes: the child answers each question
 * the parent asks once the parent's locks are in place. */
#include "difftest.h"
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

static const char *type_name(int type)
{
    return type == F_RDLCK ? "F_RDLCK" : type == F_WRLCK ? "F_WRLCK" : type == F_UNLCK ? "F_UNLCK" : "?";
}

static int lock(int fd, int command, int type, int whence, long start, long length)
{
    struct flock request = { .l_type = (short)type, .l_whence = (short)whence, .l_start = start, .l_len = length };
    return fcntl(fd, command, &request);
}

/* F_GETLK (or F_OFD_GETLK) for [start, start + length): the conflicting lock, as "F_WRLCK 10+5", or F_UNLCK. */
static const char *probe(int fd, int command, int type, long start, long length, pid_t *holder)
{
    struct flock request = { .l_type = (short)type, .l_whence = SEEK_SET, .l_start = start, .l_len = length };
    if (fcntl(fd, command, &request) != 0)
        return errno_name(errno);
    char *text = scratch_string();
    if (request.l_type == F_UNLCK)
        snprintf(text, 64, "F_UNLCK");
    else
        snprintf(text, 64, "%s %ld+%ld whence %d", type_name(request.l_type), (long)request.l_start, (long)request.l_len,
                 request.l_whence);
    if (holder != NULL)
        *holder = request.l_pid;
    return text;
}

static int to_child[2], to_parent[2];

static void send(int fd, char c)
{
    if (write(fd, &c, 1) != 1)
        _exit(5);
}

static char receive(int fd)
{
    char c = 0;
    if (read(fd, &c, 1) != 1)
        _exit(6);
    return c;
}

/* The child's side of the first part: it waits for the parent's 'q', answers with lines, then says 'a'. */
static void child_questions(pid_t parent)
{
    int fd = open("locked", O_RDWR);
    for (;;) {
        char question = receive(to_child[0]);
        pid_t holder = 0;
        switch (question) {
        case '1': {
            const char *seen = probe(fd, F_GETLK, F_WRLCK, 3, 5, &holder);   /* before holder is compared */
            say("child: F_GETLK F_WRLCK 3+5: %s, held by the parent: %s", seen, yes(holder == parent));
            say("child: F_SETLK F_RDLCK 5+1 (shares the parent's read lock): %s", outcome(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 1)));
            say("child: F_SETLK F_RDLCK 4+1: %s", failure(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 4, 1)));
            say("child: F_GETLK F_WRLCK 20+5 (free): %s", probe(fd, F_GETLK, F_WRLCK, 20, 5, NULL));
            say("child: F_SETLK F_WRLCK 20+5: %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 20, 5)));
            break;
        }
        case '2':
            say("child: after the parent's split, F_GETLK F_WRLCK 50+0: %s", probe(fd, F_GETLK, F_WRLCK, 50, 0, NULL));
            say("child: F_SETLK F_WRLCK 41+18 (the hole): %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 41, 18)));
            say("child: F_SETLK F_WRLCK 39+2: %s", failure(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 39, 2)));
            say("child: unlock 41+18: %s", outcome(lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 41, 18)));
            break;
        case '3':
            say("child: F_GETLK F_WRLCK 200+40 (the parent's read locks 200+10 and 210+10 merged): %s",
                probe(fd, F_GETLK, F_WRLCK, 200, 40, NULL));
            break;
        case '5':
            say("child: F_GETLK F_RDLCK 200+40 (only the write lock cut in the middle conflicts): %s",
                probe(fd, F_GETLK, F_RDLCK, 200, 40, NULL));
            say("child: F_SETLK F_RDLCK 200+5 (unlocked): %s", outcome(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 200, 5)));
            say("child: F_SETLK F_RDLCK 207+1: %s", failure(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 207, 1)));
            say("child: F_GETLK F_WRLCK 210+1 (the read lock's last piece): %s", probe(fd, F_GETLK, F_WRLCK, 210, 1, NULL));
            say("child: F_GETLK F_WRLCK 5000+1 (past a lock to the end of the file): %s",
                probe(fd, F_GETLK, F_WRLCK, 5000, 1, NULL));
            say("child: F_GETLK F_WRLCK 300+10 (the negative length's range 305..309): %s",
                probe(fd, F_GETLK, F_WRLCK, 300, 10, NULL));
            say("child: F_GETLK F_WRLCK 400+20 (the SEEK_CUR range): %s", probe(fd, F_GETLK, F_WRLCK, 400, 20, NULL));
            say("child: F_GETLK F_WRLCK 415+20 (the SEEK_END range): %s", probe(fd, F_GETLK, F_WRLCK, 415, 20, NULL));
            __attribute__((fallthrough));   /* its own locks go */
        case 'u':
            lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
            break;
        case '4':
            say("child: after the parent closed another descriptor of the file, F_GETLK F_WRLCK 0+0: %s",
                probe(fd, F_GETLK, F_WRLCK, 0, 0, NULL));
            break;
        case 'x':
            close(fd);
            _exit(0);
        }
        send(to_parent[1], 'a');
    }
}

static void ask(char question)
{
    send(to_child[1], question);
    receive(to_parent[0]);
}

static void interrupted(int signal) { (void)signal; }

int main(void)
{
    scratch_enter("recordlocks");
    write_file("locked", "0123456789abcdefghijklmnopqrstuvwxyz\n");
    if (pipe(to_child) != 0 || pipe(to_parent) != 0)
        return 1;
    int fd = open("locked", O_RDWR);
    say("F_SETLK F_WRLCK 0+10: %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10)));
    say("the owner's own F_GETLK sees no conflict: %s", probe(fd, F_GETLK, F_WRLCK, 0, 10, NULL));
    say("the owner locks over its own lock: %s", outcome(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 10)));

    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0)
        child_questions(parent);
    ask('1');
    say("the child's lock 20+5 is no lock of the parent's (not shared across fork): F_GETLK F_WRLCK 20+1: %s",
        probe(fd, F_GETLK, F_WRLCK, 20, 1, NULL));
    ask('u');

    /* Split: a write lock 0..99 with 40..59 unlocked leaves 0..39 and 60..99. */
    say("F_SETLK F_WRLCK 0+100: %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100)));
    say("unlock 40+20: %s", outcome(lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20)));
    ask('2');

    /* Merge and type change: read 200..209 and 210..219 merge; a write lock 205..209 cuts the read lock in three. */
    say("F_SETLK F_RDLCK 200+10 and 210+10: %s %s", outcome(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 200, 10)),
        outcome(lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 210, 10)));
    ask('3');
    say("F_SETLK F_WRLCK 205+5 inside the read lock: %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 205, 5)));
    say("F_SETLK F_WRLCK 1000+0 (to the end of the file): %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 1000, 0)));
    say("F_SETLK F_WRLCK 310-5 (a negative length): %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 310, -5)));
    lseek(fd, 400, SEEK_SET);
    say("F_SETLK F_WRLCK SEEK_CUR 0+5 at offset 400: %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_CUR, 0, 5)));
    say("F_SETLK F_WRLCK SEEK_END 383+3 (the file is 37 bytes): %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_END, 383, 3)));
    say("unlock 0+100 and 200+5: %s %s", outcome(lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 100)),
        outcome(lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 200, 5)));
    ask('5');

    int other = open("locked", O_RDONLY);
    close(other);
    ask('4');
    send(to_child[1], 'x');
    int status = -1;
    waitpid(child, &status, 0);
    say("the child ended: %s", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));

    /* Released at exit: the child's lock goes with it. */
    child = fork();
    if (child == 0) {
        int own = open("locked", O_RDWR);
        _exit(lock(own, F_SETLK, F_WRLCK, SEEK_SET, 0, 0) == 0 ? 0 : 1);
    }
    waitpid(child, &status, 0);
    say("a child locked the whole file and ended: %s; F_GETLK: %s", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0),
        probe(fd, F_GETLK, F_WRLCK, 0, 0, NULL));

    /* F_SETLKW: the child blocks until the parent unlocks. */
    say("F_SETLK F_WRLCK 0+1: %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    child = fork();
    if (child == 0) {
        int own = open("locked", O_RDWR);
        send(to_parent[1], 'g');
        _exit(lock(own, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0 ? 0 : 1);
    }
    receive(to_parent[0]);
    usleep(200000);
    say("a child blocked in F_SETLKW is still waiting: %s", yes(waitpid(child, &status, WNOHANG) == 0));
    say("the parent unlocks: %s", outcome(lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1)));
    waitpid(child, &status, 0);
    say("the child got the lock: %s", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));

    /* F_SETLKW interrupted by a signal whose handler has no SA_RESTART: EINTR. */
    say("F_SETLK F_WRLCK 0+1 again: %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    child = fork();
    if (child == 0) {
        struct sigaction action = { .sa_handler = interrupted };
        sigaction(SIGALRM, &action, NULL);
        int own = open("locked", O_RDWR);
        alarm(1);
        say("child: F_SETLKW interrupted by SIGALRM: %s", failure(lock(own, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1)));
        say("child: then F_SETLK: %s", failure(lock(own, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
        _exit(0);
    }
    waitpid(child, &status, 0);
    say("the interrupted child ended: %s", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));

    /* The same with SA_RESTART: the wait goes on after the handler and ends with the unlock. */
    child = fork();
    if (child == 0) {
        struct sigaction action = { .sa_handler = interrupted, .sa_flags = SA_RESTART };
        sigaction(SIGALRM, &action, NULL);
        int own = open("locked", O_RDWR);
        alarm(1);
        send(to_parent[1], 'g');
        say("child: F_SETLKW with an SA_RESTART handler: %s", outcome(lock(own, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1)));
        _exit(0);
    }
    receive(to_parent[0]);
    usleep(1500000);   /* past the alarm (if the unlock came first, the child just gets the lock sooner) */
    lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
    waitpid(child, &status, 0);
    say("the restarted child ended: %s", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
    say("F_SETLK F_WRLCK 0+1 once more: %s", outcome(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));

    /* EDEADLK: the parent holds byte 0 (still, from above) and the child byte 1; each then waits for the other's. Whichever waits second
     * is told EDEADLK and gives its byte up, so the first gets it. */
    child = fork();
    if (child == 0) {
        int own = open("locked", O_RDWR);
        if (lock(own, F_SETLK, F_WRLCK, SEEK_SET, 1, 1) != 0)
            _exit(3);
        send(to_parent[1], 'g');
        int result = lock(own, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
        int deadlock = result != 0 && errno == EDEADLK;
        _exit(result == 0 ? 0 : deadlock ? 1 : 2);   /* the end releases byte 1 */
    }
    receive(to_parent[0]);
    usleep(100000);
    int result = lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1);
    int parent_deadlock = result != 0 && errno == EDEADLK;
    if (parent_deadlock)
        lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
    waitpid(child, &status, 0);
    int child_deadlock = WIFEXITED(status) && WEXITSTATUS(status) == 1;
    int child_locked = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    check("one of the two waiters was told EDEADLK and the other got the lock",
          (parent_deadlock && child_locked) || (child_deadlock && result == 0));
    lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);

    /* OFD locks: owned by the description, so two descriptions of one process conflict. */
    int first = open("locked", O_RDWR), second = open("locked", O_RDWR);
    say("F_OFD_SETLK F_WRLCK 0+10 on the first description: %s", outcome(lock(first, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10)));
    say("F_OFD_SETLK F_RDLCK 5+1 on a second description: %s", failure(lock(second, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1)));
    pid_t holder = 0;
    const char *seen = probe(second, F_OFD_GETLK, F_RDLCK, 0, 0, &holder);
    say("F_OFD_GETLK on the second: %s, l_pid -1: %s", seen, yes(holder == -1));
    holder = 0;
    seen = probe(second, F_GETLK, F_RDLCK, 0, 0, &holder);
    say("F_GETLK of the process sees it too: %s, l_pid -1: %s", seen, yes(holder == -1));
    say("F_SETLK of the process conflicts with it: %s", failure(lock(second, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    int copy = dup(first);
    close(copy);
    int third = open("locked", O_RDONLY);
    close(third);
    say("after closing a dup and another description, still held: %s", probe(second, F_OFD_GETLK, F_WRLCK, 0, 0, NULL));
    child = fork();
    if (child == 0)   /* the same description: the same owner */
        _exit(lock(first, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 3) == 0 ? 0 : 1);
    waitpid(child, &status, 0);
    say("a fork child converts part of it through the shared description: %s", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
    say("now F_OFD_GETLK F_RDLCK 0+0: %s", probe(second, F_OFD_GETLK, F_RDLCK, 0, 0, NULL));
    say("F_OFD_SETLKW with no conflict: %s", outcome(lock(second, F_OFD_SETLKW, F_RDLCK, SEEK_SET, 0, 2)));
    struct flock with_pid = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 1 };
    say("F_OFD_SETLK with l_pid set: %s", failure(fcntl(second, F_OFD_SETLK, &with_pid)));
    say("F_OFD_GETLK with l_pid set: %s", failure(fcntl(second, F_OFD_GETLK, &with_pid)));
    close(first);
    say("after the description's last close: %s", probe(second, F_OFD_GETLK, F_WRLCK, 0, 0, NULL));
    close(second);

    /* Errors. */
    say("l_type 7: %s", failure(lock(fd, F_SETLK, 7, SEEK_SET, 0, 1)));
    say("F_GETLK with F_UNLCK: %s", failure(lock(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1)));
    say("l_whence 3: %s", failure(lock(fd, F_SETLK, F_WRLCK, 3, 0, 1)));
    say("a negative start: %s", failure(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1)));
    say("a negative length reaching below 0: %s", failure(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 2, -3)));
    say("a range past the largest offset: %s", failure(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, LONG_MAX, 2)));
    int reader = open("locked", O_RDONLY), writer = open("locked", O_WRONLY);
    say("F_WRLCK on a read-only descriptor: %s", failure(lock(reader, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    say("F_RDLCK on a write-only descriptor: %s", failure(lock(writer, F_SETLK, F_RDLCK, SEEK_SET, 0, 1)));
    say("F_GETLK F_WRLCK on a read-only descriptor: %s", probe(reader, F_GETLK, F_WRLCK, 0, 1, NULL));
    say("F_UNLCK on a read-only descriptor: %s", outcome(lock(reader, F_SETLK, F_UNLCK, SEEK_SET, 0, 1)));
    close(reader);
    close(writer);
    say("a null struct flock: %s", failure(fcntl(fd, F_SETLK, BAD_NULL)));
    say("a kernel-half struct flock: %s", failure(fcntl(fd, F_GETLK, BAD_KERNEL)));
    say("F_OFD_SETLKW at a non-canonical address: %s", failure(fcntl(fd, F_OFD_SETLKW, BAD_NONCANONICAL)));
    say("a closed descriptor: %s", failure(lock(99, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    close(fd);
    scratch_leave();
    return 0;
}
