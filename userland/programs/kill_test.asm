; Kill: ends a program spinning in ring 3, a server blocked in receive, a program blocked in a notification
; wait and a caller queued on an endpoint nobody serves; each wait then reports "killed" (2^33), and the
; killed server's callers get "peer gone". Kill needs the Manage right; killing an ended process is harmless.
; Exits 0, or the number of the first check that failed.
%include "native.inc"
bits 64
KILLED equ 0x200000000

section .text
global _start
_start:
    ; 1-3: a program spinning in ring 3 (no system call): the kill's interrupt ends it
    spawn_program spin_name, 0, 0
    expect_nonnegative rax, 1
    mov r12, rax
    call let_it_run
    mov rdi, r12
    system_call SYS_PROCESS_KILL
    expect rax, 0, 2
    mov rdi, r12
    system_call SYS_PROCESS_WAIT
    mov rcx, KILLED
    expect rax, rcx, 3

    ; 4: killing a process that has ended does nothing, and says so with 0
    mov rdi, r12
    system_call SYS_PROCESS_KILL
    expect rax, 0, 4

    ; 5-8: a server blocked in receive; afterwards its endpoint is dead
    system_call SYS_ENDPOINT_CREATE
    expect_nonnegative rax, 5
    mov rbx, rax
    mov [rel grants], rax
    spawn_program echo_name, grants, 1
    expect_nonnegative rax, 6
    mov r13, rax
    ; One echoed call first: an answer shows the child has received, so it is the endpoint's server (the
    ; endpoint dies with its server, and only a process that has received is one). Yields alone do not show
    ; it: at 2 processors the child starts on the other one and may not have run at all when the kill comes.
    mov rdi, rbx
    mov esi, 1
    xor edx, edx
    xor r10d, r10d
    xor r8d, r8d
    xor r9d, r9d
    system_call SYS_IPC_CALL
    expect rax, 0, 6
    call let_it_run
    mov rdi, r13
    system_call SYS_PROCESS_KILL
    mov rdi, r13
    system_call SYS_PROCESS_WAIT
    mov rcx, KILLED
    expect rax, rcx, 7
    mov rdi, rbx
    mov esi, 1
    xor edx, edx
    xor r10d, r10d
    xor r8d, r8d
    xor r9d, r9d
    system_call SYS_IPC_CALL
    expect rax, ERROR_PEER_GONE, 8

    ; 9-11: a program blocked in a notification wait; without the Manage right, no kill
    spawn_program wait_name, 0, 0
    expect_nonnegative rax, 9
    mov r14, rax
    call let_it_run
    mov rdi, r14
    mov esi, RIGHT_WAIT
    system_call SYS_HANDLE_DUPLICATE
    expect_nonnegative rax, 10
    mov rdi, rax
    system_call SYS_PROCESS_KILL
    expect rax, ERROR_ACCESS_DENIED, 10
    mov rdi, r14
    system_call SYS_PROCESS_KILL
    mov rdi, r14
    system_call SYS_PROCESS_WAIT
    mov rcx, KILLED
    expect rax, rcx, 11

    ; 12-14: a caller queued on an endpoint nobody receives on
    system_call SYS_ENDPOINT_CREATE
    expect_nonnegative rax, 12
    mov [rel grants], rax
    spawn_program client_name, grants, 1
    expect_nonnegative rax, 13
    mov r15, rax
    call let_it_run
    mov rdi, r15
    system_call SYS_PROCESS_KILL
    mov rdi, r15
    system_call SYS_PROCESS_WAIT
    mov rcx, KILLED
    expect rax, rcx, 14
    jmp passed_exit

; Gives the child time to reach its loop or its wait (yields). A hint, not a promise: at 2 processors the child
; runs on the other one and these yields return at once, so the kill may come before the child's first system
; call. The spinner, the waiter and the client are then ended at that call and their checks hold either way;
; the server's check needs it to have received, which its echoed call shows.
let_it_run:
    mov ebp, 200
.again:
    system_call SYS_YIELD
    dec ebp
    jnz .again
    ret

fail_and_pass_routines

section .data
grants: dq 0

section .rodata
spin_name: db "spin"
spin_name_length equ $ - spin_name
echo_name: db "ipc_echo"
echo_name_length equ $ - echo_name
wait_name: db "wait_forever"
wait_name_length equ $ - wait_name
client_name: db "ipc_load_client"
client_name_length equ $ - client_name
passed: db "kill_test: a spinning program, a blocked server, a blocked waiter and a queued caller were killed", 10
passed_length equ $ - passed
failed: db "kill_test: a check failed", 10
failed_length equ $ - failed
