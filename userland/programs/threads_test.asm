; Threads of one process: four threads add to a shared counter with LOCK XADD (200,000 each) and end with
; thread exit; the main thread waits for each (its status comes back) and checks the total. Bad entry or stack
; addresses are refused, 40 more threads one after another are accepted (an ended thread's slot is reused: the
; limit, 256, is on threads at once), and waiting on oneself is refused.
; Then a child starts a thread that spins for ever and exits: exit ends every thread, so the wait returns 0.
; Exits 0, or the number of the first failed check.
%include "native.inc"
bits 64
WORKERS equ 4
ADDS equ 200000
STACK_BYTES equ 16384

section .text
global _start
_start:
    ; stacks for the workers: anonymous memory, one 16 KiB stack each
    map_memory 0, STACK_BYTES * (WORKERS + 1), 1
    expect_nonnegative rax, 1
    mov r15, rax

    ; 2-3: refusals: an entry in the kernel half, a stack in the kernel half
    mov rdi, 0xFFFF800000000000
    lea rsi, [r15 + STACK_BYTES]
    xor edx, edx
    system_call SYS_THREAD_CREATE
    expect rax, ERROR_BAD_ADDRESS, 2
    lea rdi, [rel worker]
    mov rsi, 0xFFFF800000001000
    xor edx, edx
    system_call SYS_THREAD_CREATE
    expect rax, ERROR_BAD_ADDRESS, 3

    ; 4: four workers, each told its number in RDI
    xor ebx, ebx
.start_worker:
    lea rdi, [rel worker]
    mov rax, rbx
    inc rax
    imul rax, STACK_BYTES
    lea rsi, [r15 + rax - 16]
    mov rdx, rbx
    system_call SYS_THREAD_CREATE
    expect_nonnegative rax, 4
    lea rcx, [rel handles]
    mov [rcx + rbx * 8], rax
    inc ebx
    cmp ebx, WORKERS
    jb .start_worker

    ; 5-6: each worker's exit status is 100 + its number; then the total
    xor ebx, ebx
.wait_worker:
    lea rcx, [rel handles]
    mov rdi, [rcx + rbx * 8]
    system_call SYS_THREAD_WAIT
    lea rcx, [rbx + 100]
    expect rax, rcx, 5
    inc ebx
    cmp ebx, WORKERS
    jb .wait_worker
    mov rax, [rel counter]
    expect rax, WORKERS * ADDS, 6

    ; 7: 40 threads one after another, more than the old limit of 16 over a process's life: each is accepted
    xor ebx, ebx
.fill:
    lea rdi, [rel quick]
    lea rsi, [r15 + STACK_BYTES * WORKERS + STACK_BYTES - 16]
    xor edx, edx
    system_call SYS_THREAD_CREATE
    expect_nonnegative rax, 7
    mov rdi, rax
    system_call SYS_THREAD_WAIT     ; one at a time: they share the last stack
    inc ebx
    cmp ebx, 40
    jb .fill

    ; 8: exit ends every thread: a child (threads_exit) starts a thread that spins for ever, then exits with 0
    lea rdi, [rel spinner_name]
    mov esi, spinner_name_length
    xor edx, edx
    xor r10d, r10d
    system_call SYS_PROCESS_SPAWN
    expect_nonnegative rax, 8
    mov rdi, rax
    system_call SYS_PROCESS_WAIT
    expect rax, 0, 8
    jmp passed_exit

worker:                             ; RDI = its number
    mov rbx, rdi
    mov ecx, ADDS
.add:
    mov eax, 1
    lock xadd [rel counter], rax
    dec ecx
    jnz .add
    lea rdi, [rbx + 100]
    system_call SYS_THREAD_EXIT
    ud2

quick:
    mov edi, 7
    system_call SYS_THREAD_EXIT
    ud2

fail_and_pass_routines

section .data
counter: dq 0
handles: times WORKERS dq 0

section .rodata
spinner_name: db "threads_exit"
spinner_name_length equ $ - spinner_name
passed: db "threads_test: four threads added 800000 in all, 40 threads one after another, refusals held", 10
passed_length equ $ - passed
failed: db "threads_test: a check failed", 10
failed_length equ $ - failed
