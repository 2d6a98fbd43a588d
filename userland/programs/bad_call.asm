; An unknown system call number returns an error (-38, no such call) and the program goes on: it exits with
; what the call returned (the exit status keeps its low 32 bits).
%include "native.inc"
bits 64
section .text
global _start
_start:
    system_call 9999
    mov rdi, rax
    system_call SYS_EXIT
    ud2
