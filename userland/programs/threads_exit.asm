; Starts a thread that spins for ever in ring 3, then exits the process with 0: exit must end every thread
; (threads_test waits for this process and expects 0; if the spinning thread kept it alive, it would hang).
%include "native.inc"
bits 64
section .text
global _start
_start:
    start_thread_with_stack spin, .failed
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
