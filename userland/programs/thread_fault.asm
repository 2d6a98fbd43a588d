; A fault in a second thread ends the whole process: the main thread waits for that thread for ever, so only
; the process's end lets the test go on (it expects a page fault, vector 14, as the process's result).
%include "native.inc"
bits 64
section .text
global _start
_start:
    map_memory 0, 16384, 1
    test rax, rax
    js .failed
    lea rsi, [rax + 16384 - 16]
    lea rdi, [rel faulting]
    xor edx, edx
    system_call SYS_THREAD_CREATE
    test rax, rax
    js .failed
    mov rdi, rax
    system_call SYS_THREAD_WAIT     ; never returns: the fault ends this thread too
    exit 2
.failed:
    exit 1

faulting:
    mov qword [0], 1
    ud2
