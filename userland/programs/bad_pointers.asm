; System calls given bad pointers must fail with an error, never fault the kernel: a kernel address, an
; unmapped user address, a null pointer and a range that wraps around. Exits with 0 if every call was refused
; with ERROR_BAD_ADDRESS, else with the number of the first check that failed.
%include "native.inc"
bits 64
section .text
global _start
_start:
    mov rdi, 0xFFFFFFFF80100000
    mov esi, 16
    system_call SYS_CONSOLE_WRITE
    cmp rax, ERROR_BAD_ADDRESS
    jne .failed1
    mov rdi, 0x500000000
    mov esi, 16
    system_call SYS_CONSOLE_WRITE
    cmp rax, ERROR_BAD_ADDRESS
    jne .failed2
    xor edi, edi
    mov esi, 1
    system_call SYS_CONSOLE_WRITE
    cmp rax, ERROR_BAD_ADDRESS
    jne .failed3
    lea rdi, [rel _start]
    mov rsi, -1
    system_call SYS_CONSOLE_WRITE
    cmp rax, ERROR_BAD_ADDRESS
    jne .failed4
    exit 0
.failed1:
    exit 1
.failed2:
    exit 2
.failed3:
    exit 3
.failed4:
    exit 4
