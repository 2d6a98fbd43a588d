; The system call fuzzer: 30000 system calls with random numbers (0-63) and random arguments (small values,
; user addresses, kernel addresses, all-ones). Skipped: exit, the debug log (noise) and unmap (it could
; legitimately unmap this program). The kernel must survive and so must this program; at the end it logs
; how many calls it made and exits with 0. Also skipped: the calls that may wait for ever by design when
; they meet a valid handle (call, receive, reply-and-receive, notification wait with or without a deadline, process wait) and the bench
; report (noise); their argument checks have their own tests (ipc_test). And the thread calls: a thread started
; at a random address faults (ending this process), thread exit ends this thread; threads_test checks them.
%include "native.inc"
bits 64
section .text
global _start
_start:
    mov r12, 0x9E3779B97F4A7C15     ; xorshift64 state
    xor r13d, r13d                  ; calls made
    mov r14d, 30000
.next:
    call random
    mov r15, rax
    and r15d, 63
    cmp r15d, SYS_EXIT
    je .next
    cmp r15d, SYS_DEBUG_LOG
    je .next
    cmp r15d, SYS_MEMORY_UNMAP
    je .next
    cmp r15d, SYS_BENCH_REPORT
    je .next
    cmp r15d, SYS_IPC_CALL
    jb .not_blocking
    cmp r15d, SYS_IPC_REPLY_RECEIVE
    jbe .next
.not_blocking:
    cmp r15d, SYS_NOTIFICATION_WAIT
    je .next
    cmp r15d, SYS_NOTIFICATION_WAIT_UNTIL   ; a far deadline waits as long
    je .next
    cmp r15d, SYS_PROCESS_WAIT
    je .next
    cmp r15d, SYS_THREAD_CREATE     ; a thread at a random address would fault, which ends the whole process
    jb .not_thread
    cmp r15d, SYS_THREAD_WAIT       ; thread exit would end this thread
    jbe .next
.not_thread:
    call random_argument
    mov rdi, rax
    call random_argument
    mov rsi, rax
    call random_argument
    mov rdx, rax
    call random_argument
    mov r10, rax
    call random_argument
    mov r8, rax
    call random_argument
    mov r9, rax
    mov rax, r15
    syscall
    inc r13
    cmp r13, r14
    jb .next
    mov rdi, r13
    system_call SYS_DEBUG_LOG
    exit 0

random:                             ; rax = next xorshift64 value
    mov rax, r12
    shl rax, 13
    xor r12, rax
    mov rax, r12
    shr rax, 7
    xor r12, rax
    mov rax, r12
    shl rax, 17
    xor r12, rax
    mov rax, r12
    ret

random_argument:                    ; a value of one of four kinds, chosen at random
    call random
    mov rcx, rax
    shr rcx, 62
    jz .small
    cmp ecx, 1
    je .user
    cmp ecx, 2
    je .kernel
    mov rax, -1
    ret
.small:
    and eax, 0xFFFF
    ret
.user:
    mov rcx, 0x00007FFFFFFFFFFF
    and rax, rcx
    ret
.kernel:
    bts rax, 63
    ret
