; The usermode suite's first program: 1000 null system calls, then exit(42). The kernel counts 1001 calls.
%include "native.inc"
bits 64
section .text
global _start
_start:
    mov ebx, 1000
.loop:
    system_call SYS_NULL
    dec ebx
    jnz .loop
    exit 42
