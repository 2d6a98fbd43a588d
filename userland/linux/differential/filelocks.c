/* flock's whole-file locks: exclusive and shared holders of separate open file descriptions, LOCK_NB's EWOULDBLOCK,
 * a dup and a fork child sharing their description's lock, conversion (not atomic: a failed one leaves no lock), the
 * lock going with the description's last close, a blocked locker woken by the unlock, EINVAL and EBADF; and
 * get_mempolicy as a one-node machine answers it. */
#include "difftest.h"
#include <sys/file.h>
#include <sys/wait.h>

int main(void)
{
    scratch_enter("filelocks");
    write_file("locked", "data\n");
    int first = open("locked", O_RDWR), second = open("locked", O_RDONLY), third = open("locked", O_RDONLY);
    say("LOCK_EX on the first description: %s", outcome(flock(first, LOCK_EX)));
    say("LOCK_EX again on it: %s", outcome(flock(first, LOCK_EX)));
    say("LOCK_EX|LOCK_NB on a second description: %s", failure(flock(second, LOCK_EX | LOCK_NB)));
    say("LOCK_SH|LOCK_NB on it: %s", failure(flock(second, LOCK_SH | LOCK_NB)));
    int copy = dup(first);
    say("LOCK_EX through a dup of the first (the same description): %s", outcome(flock(copy, LOCK_EX | LOCK_NB)));
    pid_t child = fork();
    if (child == 0)
        _exit(flock(first, LOCK_UN) == 0 ? 0 : 1);   /* the child's descriptor is the same description */
    int status = -1;
    waitpid(child, &status, 0);
    say("a fork child unlocks the shared description: %s", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
    say("now LOCK_SH|LOCK_NB on the second: %s", outcome(flock(second, LOCK_SH | LOCK_NB)));
    say("and on the first too: %s", outcome(flock(first, LOCK_SH | LOCK_NB)));
    say("converting the first to LOCK_EX|LOCK_NB while the second shares: %s", failure(flock(first, LOCK_EX | LOCK_NB)));
    say("the failed conversion left the first without a lock, the second still shares: LOCK_SH|LOCK_NB on a third: %s",
        outcome(flock(third, LOCK_SH | LOCK_NB)));
    say("LOCK_UN of the third: %s", outcome(flock(third, LOCK_UN)));
    say("LOCK_UN of a description that holds none: %s", outcome(flock(third, LOCK_UN)));
    close(second);
    say("after the second's last close, LOCK_EX|LOCK_NB on the third: %s", outcome(flock(third, LOCK_EX | LOCK_NB)));

    /* A blocked locker: the child waits for the parent's exclusive lock, gets it once the parent unlocks. */
    int pipes[2];
    if (pipe(pipes) != 0)
        return 1;
    child = fork();
    if (child == 0) {
        int own = open("locked", O_RDONLY);
        char go = 'g';
        if (write(pipes[1], &go, 1) != 1)
            _exit(3);
        _exit(flock(own, LOCK_EX) == 0 ? 0 : 2);   /* blocks until the parent unlocks */
    }
    char ready;
    if (read(pipes[0], &ready, 1) != 1)
        return 1;
    usleep(200000);
    say("a child blocked in LOCK_EX is still waiting: %s", yes(waitpid(child, &status, WNOHANG) == 0));
    say("the parent unlocks: %s", outcome(flock(third, LOCK_UN)));
    waitpid(child, &status, 0);
    say("the child got the lock: %s", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));

    say("operation 0: %s", failure(flock(first, 0)));
    say("LOCK_SH|LOCK_EX: %s", failure(flock(first, LOCK_SH | LOCK_EX)));
    say("a closed descriptor: %s", failure(flock(99, LOCK_EX)));
    close(first);
    close(copy);
    close(third);

    int mode = -1;
    unsigned long mask[2] = { 0xdead, 0xbeef };
    long result = syscall(SYS_get_mempolicy, &mode, mask, 128UL, NULL, 0UL);
    say("get_mempolicy: %s, mode %d", outcome(result), mode);
    say("its node mask is empty (the default policy): %s", yes(mask[0] == 0 && mask[1] == 0));
    result = syscall(SYS_get_mempolicy, &mode, mask, 128UL, NULL, 4UL);
    say("MPOL_F_MEMS_ALLOWED: %s, node 0 allowed: %s", outcome(result), yes((mask[0] & 1) != 0));
    mode = -1;
    result = syscall(SYS_get_mempolicy, &mode, NULL, 0UL, &mode, 3UL);
    say("MPOL_F_NODE|MPOL_F_ADDR of a mapped page: %s, node %d", outcome(result), mode);
    say("MPOL_F_ADDR of an unmapped address: %s", failure(syscall(SYS_get_mempolicy, &mode, NULL, 0UL, (void *)4096, 2UL)));
    say("an unknown flag: %s", failure(syscall(SYS_get_mempolicy, &mode, NULL, 0UL, NULL, 64UL)));
    say("a mask of no node: %s", failure(syscall(SYS_get_mempolicy, &mode, mask, 0UL, NULL, 0UL)));
    scratch_leave();
    return 0;
}
