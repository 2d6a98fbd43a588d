; The first native program: says hello on the console through a system call and exits with 0.
%include "native.inc"
bits 64
section .text
global _start
_start:
    write_string message, message_length
    cmp rax, message_length
    jne .failed
    exit 0
.failed:
    exit 1

section .rodata
message: db "hello from a native Exo-OS program in ring 3", 10
message_length equ $ - message
