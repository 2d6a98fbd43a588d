; A fault in a second thread ends the whole process: the main thread waits for that thread for ever, so only
; the process's end lets the test go on (it expects a page fault, vector 14, as the process's result).
%include "native.inc"
bits 64
section .text
global _start
_start:
    start_thread_with_stack faulting, .failed
    mov rdi, rax
    system_call SYS_THREAD_WAIT     ; never returns: the fault ends this thread too
    exit 2
.failed:
    exit 1

faulting:
    mov qword [0], 1
    ud2
