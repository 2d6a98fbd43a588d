; Starts a thread that spins for ever in ring 3, then exits the process with 0: exit must end every thread
; (threads_test waits for this process and expects 0; if the spinning thread kept it alive, it would hang).
%include "native.inc"
bits 64
section .text
global _start
_start:
    map_memory 0, 16384, 1
    test rax, rax
    js .failed
    lea rsi, [rax + 16384 - 16]
    lea rdi, [rel spin]
    xor edx, edx
    system_call SYS_THREAD_CREATE
    test rax, rax
    js .failed
    mov ebx, 100
.let_it_start:
    system_call SYS_YIELD
    dec ebx
    jnz .let_it_start
    exit 0
.failed:
    exit 1

spin:
    jmp spin
